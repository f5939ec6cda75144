"""``scan()``: wires the stages together — load, schema, encode, checks, policy, result.

No maths here; each stage lives in its own module.
"""

from __future__ import annotations

import contextlib
import copy
import platform
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import pandas as pd

from . import memory, stages
from ._version import __version__
from .attacks import (
    CHECKS,
    Attack,
    ScanContext,
    applicable,
    background,
    default_checks,
    detectors,
    planned_components,
    preconditions,
)
from .attacks.searches import reporting
from .config import ScanConfig
from .data.io import DEFAULT_MISSING_TOKENS, TableSource
from .data.metadata import read_sdv_metadata
from .dp_claim import DPClaim
from .errors import SynthscanError
from .memory import parse_size
from .model import CheckResult, SplitVerification
from .neighbors.engine import batch_memory
from .result import ScanResult
from .risk.policy import Policy
from .risk.verdict import apply_policy
from .stages import TableLike
from .types import Table

if TYPE_CHECKING:
    from .canaries.manifest import CanaryManifest

#: called with the name of each stage as it starts ("loading inputs", "encoding",
#: "check: <name>"); a long step inside a check (a neighbour search) as
#: "check: <name> · <step>", and the check's name again when the step ends
Progress: TypeAlias = Callable[[str], None]
#: what joins a stage and a step within it in a progress message
STEP_SEPARATOR = " · "

LIMITATIONS = [
    "A 'low' verdict certifies these estimands only, each below its threshold at the stated "
    "confidence: verbatim reproduction of unique records, near copies within the holdout's 1% "
    "closeness quantile, and the success of this attack battery (membership inference, "
    "singling out, linkability, attribute inference) beyond holdout records. It says nothing "
    "about near copies farther away, aggregate leakage, shadow-generator or reconstruction "
    "attacks, or linkage with outside data. 'Low risk' never means anonymous.",
    "Calibrated checks assume the holdout was split off at random from the same data before "
    "the generator was trained, and never shown to it.",
    "Distance and copy tests detect copying; passing them does not show privacy.",
]


def _environment(dask: bool = False) -> dict[str, Any]:
    from importlib.metadata import version

    import numpy

    # the installed version, without importing scikit-learn (over a second) for a scan that
    # does not use it
    env = {"synthscan": __version__, "python": platform.python_version(),
           "numpy": numpy.__version__, "pandas": pd.__version__,
           "scikit-learn": version("scikit-learn")}
    try:
        import faiss

        env["faiss"] = getattr(faiss, "__version__", "unknown")
    except ImportError:  # pragma: no cover - faiss is a core dependency
        env["faiss"] = "missing"
    if dask:
        env.update({name: version(name) for name in ("dask", "distributed")})
    return env


def prepare(
    train: TableLike,
    synthetic: TableLike,
    holdout: TableLike | None = None,
    config: ScanConfig | None = None,
    metadata: str | Path | None = None,
    progress: Progress | None = None,
    timings: dict[str, float] | None = None,
    client: Any = None,
) -> tuple[ScanContext, list[TableSource]]:
    """Load, align and encode the inputs: the shared context every check runs on, and the
    input descriptions (file names, fingerprints) for the result.

    An input may be a directory or a glob of Parquet/CSV files (read file by file and joined
    in file-name order). With a Dask ``client`` (``distributed.Client``), such inputs are read
    on its workers, the encoder is fitted and the tables encoded there, and the context keeps
    the client (``ctx.client``) for the checks' searches and copies."""
    with stages.on_cluster(client):
        return _prepare(train, synthetic, holdout, config, metadata, progress, timings, client)


def _prepare(train: TableLike, synthetic: TableLike, holdout: TableLike | None,
             config: ScanConfig | None, metadata: str | Path | None, progress: Progress | None,
             timings: dict[str, float] | None, client: Any
             ) -> tuple[ScanContext, list[TableSource]]:
    config = config or ScanConfig()
    say = progress or (lambda _msg: None)
    timings = timings if timings is not None else {}
    t0 = time.perf_counter()
    say("loading inputs")
    tokens = tuple(DEFAULT_MISSING_TOKENS) + tuple(config.missing_tokens)
    limit = parse_size(config.max_memory) if config.max_memory else None
    inputs: tuple[tuple[Table, TableLike | None], ...] = (
        ("train", train), ("holdout", holdout), ("synthetic", synthetic))
    if limit is not None:
        # compressed files by what they decompress to, Parquet by its footer's row count
        stop_at, stop_rows = memory.input_budget(limit)
        memory.check_inputs([stages.probe(src, role, stop_at, stop_rows)
                             for role, src in inputs if isinstance(src, (str, Path))], limit)
    raw: dict[Table, pd.DataFrame] = {}
    sources: dict[Table, TableSource] = {}
    for role, src in inputs:
        if src is None:
            continue
        raw[role], sources[role] = stages.load(src, role, tokens, config.encoding, client)
    names = {r: s.name for r, s in sources.items()}
    if limit is not None:
        sizes = {names[r]: f.size for r, f in raw.items()}
        memory.check_loaded(sum(len(f) for f in raw.values()), raw["train"].shape[1], limit,
                            max(sizes, key=lambda k: sizes[k]))
    declared: dict[str, tuple[str, str]] = {}
    if metadata is not None:
        declared.update({c: (r, "metadata") for c, r in read_sdv_metadata(metadata).items()})
    declared.update({c: (r, "config") for c, r in config.columns.items()})
    schema, frames = stages.schema(raw, names, declared, client)
    del raw
    timings["load"] = time.perf_counter() - t0

    say("encoding")
    t1 = time.perf_counter()
    encoder, encoded = stages.encode(frames, schema, config.metric, client)
    timings["encode"] = time.perf_counter() - t1
    if limit is not None:
        memory.check_scan_data(config, frames, names, len(schema.columns), encoder.dim_, limit,
                               [c.name for c in schema.distance_columns])

    # the context keys its tables by plain names (str), the loading stages by ``Table``
    ctx = ScanContext(config=config, schema=schema, frames={str(r): f for r, f in frames.items()},
                      names={str(r): n for r, n in names.items()}, encoder=encoder,
                      encoded={str(r): e for r, e in encoded.items()}, client=client)
    return ctx, list(sources.values())


def run_checks(ctx: ScanContext, checks: list[Attack], progress: Progress | None = None,
               timings: dict[str, float] | None = None) -> list[CheckResult]:
    """Run ``checks`` on a prepared context; a check needing a holdout that is absent is
    reported as skipped, and an arithmetic failure inside one check becomes its ``error``
    result instead of stopping the scan."""
    say = progress or (lambda _msg: None)
    timings = timings if timings is not None else {}
    limit = parse_size(ctx.config.max_memory) if ctx.config.max_memory else None
    with batch_memory(memory.batch_budget(limit)), stages.on_cluster(ctx.client):
        return _run_each(ctx, checks, say, timings)


def _steps_of(stage: str, say: Progress) -> Progress:
    """The progress of the steps within ``stage`` ("" when none is under way)."""
    return lambda step: say(f"{stage}{STEP_SEPARATOR}{step}" if step else stage)


def _run_each(ctx: ScanContext, checks: list[Attack], say: Progress,
              timings: dict[str, float]) -> list[CheckResult]:
    try:
        order = run_order(checks)
        _prefetch(ctx, [checks[i] for i in order], say)
        return _run_in_turn(ctx, checks, order, say, timings)
    finally:
        background.close_worker(ctx)


def run_order(checks: list[Attack]) -> list[int]:
    """The order the checks run in (their results keep the order given): those that search
    here first, then those whose work runs in the scan's worker process, then the
    preconditions (their model fit goes to the worker too, and nothing reads a precondition
    before the verdict). The worker receives their work in the same order, so each answer
    tends to be ready when it is collected."""
    return sorted(range(len(checks)),
                  key=lambda i: (checks[i].precondition, checks[i].in_worker))


def _prefetch(ctx: ScanContext, checks: list[Attack], say: Progress) -> None:
    """Let every check that will run start what can run beside the checks before it (model
    fits in the scan's worker process, sent together so that small ones ride along). An
    arithmetic failure here is left for the check's own run to report."""
    say("preparing the model fits")
    with background.gathered(ctx):
        for check in checks:
            if check.needs_holdout and not ctx.has_holdout:
                continue
            with contextlib.suppress(MemoryError, ValueError, FloatingPointError):
                check.prefetch(ctx)


def _run_in_turn(ctx: ScanContext, checks: list[Attack], order: list[int], say: Progress,
                 timings: dict[str, float]) -> list[CheckResult]:
    """Each check's result, in the order of ``checks``, the checks run in ``order``."""
    results: dict[int, CheckResult] = {}
    for i in order:
        check = checks[i]
        if check.needs_holdout and not ctx.has_holdout:
            results[i] = check.skip("needs a holdout (real records the generator never saw); "
                                    "see 'synthscan split'")
            continue
        stage = f"check: {check.name}"
        say(stage)
        t2 = time.perf_counter()
        try:
            with reporting(_steps_of(stage, say)):
                results[i] = check.run(ctx)
        except SynthscanError:
            raise
        except (MemoryError, ValueError, FloatingPointError) as exc:
            results[i] = check.error(f"could not compute: {type(exc).__name__}")
        timings[f"check:{check.id}"] = time.perf_counter() - t2
    return [results[i] for i in range(len(checks))]


def _verify_split(manifest: str | Path, train: TableLike, holdout: TableLike | None,
                  sources: list[TableSource], config: ScanConfig,
                  client: Any = None) -> SplitVerification:
    """Train and holdout checked against a split manifest (``data.manifest``)."""
    from .data.manifest import verify_split
    from .errors import UsageError

    if holdout is None:
        raise UsageError(f"{Path(manifest).name}: a split manifest verifies train and holdout "
                         "— pass the holdout file too (--holdout)", key="split_manifest")
    by_role = {s.table: s for s in sources}
    # a multi-file input is verified by its rows, read as the split read its source
    if stages.is_multi(train):
        train = stages.load(train, "train", (), config.encoding, client)[0]
    if stages.is_multi(holdout):
        holdout = stages.load(holdout, "holdout", (), config.encoding, client)[0]
    return verify_split(manifest, {"train": (train, by_role["train"]),
                                   "holdout": (holdout, by_role["holdout"])}, config.encoding)


def _read_canaries(path: str | Path | None) -> CanaryManifest | None:
    from .canaries.manifest import read_manifest

    return None if path is None else read_manifest(path)


def _canary_checks(ctx: ScanContext, manifest: CanaryManifest | None, say: Progress | None,
                   timings: dict[str, float]) -> list[CheckResult]:
    """The canary test (a detection-only check) when a canary manifest is given."""
    if manifest is None:
        return []
    from .dp_claim.evaluate import extras

    t = time.perf_counter()
    out = extras(ctx, manifest, say or (lambda _msg: None))
    timings["check:canaries"] = time.perf_counter() - t
    return out


def _dp_section(ctx: ScanContext, checks: list[CheckResult], manifest: CanaryManifest | None,
                say: Progress | None) -> tuple[list[CheckResult], DPClaim | None]:
    """The canary test's sentence, and the differential-privacy section when a claim or
    canaries were given (``dp_claim``)."""
    from .dp_claim.evaluate import section, summarized, wanted

    if not wanted(ctx, manifest):
        return checks, None
    (say or (lambda _msg: None))("differential-privacy claim")
    checks = summarized(checks)
    return checks, section(ctx, checks, manifest)


def scan(
    train: TableLike,
    synthetic: TableLike,
    holdout: TableLike | None = None,
    config: ScanConfig | None = None,
    metadata: str | Path | None = None,
    policy: Policy | None = None,
    progress: Progress | None = None,
    split_manifest: str | Path | None = None,
    canaries: str | Path | None = None,
    client: Any = None,
) -> ScanResult:
    """Scan a synthetic table for leakage of the real training records.

    Parameters
    ----------
    train, synthetic : the generator's training data and its synthetic output (paths to CSV or
        Parquet files, or DataFrames).
    holdout : real records from the same population that the generator never saw; strongly
        recommended — without it, memorisation cannot be told from generalisation.
    config : scan settings (seed, missing tokens, column roles, ...).
    metadata : SDV metadata JSON giving column sdtypes (ids and PII become identifiers).
    policy : thresholds and the verdict that fails (defaults: public-release preset).
    progress : called with a short message at each stage (see ``Progress``).
    split_manifest : the manifest ``synthscan split`` wrote: train and holdout must be the
        files it describes (else ``UsageError``, before any check runs); recorded in
        ``result.split_verification``.
    canaries : the secret manifest ``synthscan canary plant`` wrote: runs the canary test
        (included vs left-out canaries) and the canaries' ε bound (``result.dp_claim``). A
        claim to test is ``config.dp_claim`` (``epsilon``, ``delta``).
    client : a Dask ``distributed.Client`` (needs ``synthscan[dask]``): the same scan with
        multi-file inputs read, the encoder fitted, the tables encoded, exact copies joined and
        the large neighbour searches run on its workers; the result's ``run["backend"]``
        records the cluster. A worker dying mid-scan raises ``ClusterError``. Train, synthetic
        and holdout may be directories or globs of Parquet/CSV files, with or without a
        client. See docs/distributed.md.
    """
    with stages.on_cluster(client):
        return _scan(train, synthetic, holdout, config, metadata, policy, progress,
                     split_manifest, canaries, client)


def _scan(train: TableLike, synthetic: TableLike, holdout: TableLike | None,
          config: ScanConfig | None, metadata: str | Path | None, policy: Policy | None,
          progress: Progress | None, split_manifest: str | Path | None,
          canaries: str | Path | None, client: Any) -> ScanResult:
    config = config or ScanConfig()
    policy = policy or Policy()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    canary_manifest = _read_canaries(canaries)  # a bad manifest stops before any work
    ctx, sources = prepare(train, synthetic, holdout, config, metadata, progress, timings,
                           client)
    has_holdout = ctx.has_holdout
    if split_manifest is not None:
        ctx.split_verification = _verify_split(split_manifest, train, holdout, sources, config,
                                               client)
    schema, encoder = ctx.schema, ctx.encoder
    attacks = default_checks(has_holdout, config.checks, config.check_params)
    checks = run_checks(ctx, attacks, progress, timings)
    extra = _canary_checks(ctx, canary_manifest, progress, timings)
    checks += extra
    if config.checks:
        checks += [cls.skip("not selected in this scan's settings (checks)")
                   for cls in CHECKS if cls.id not in config.checks
                   and applicable(cls, has_holdout)]
        order = {cls.id: i for i, cls in enumerate(CHECKS)}
        checks.sort(key=lambda c: order.get(c.id, len(order)))

    planned = planned_components(has_holdout, config.checks)
    checks, verdict = apply_policy(checks, policy, config.alpha, planned,
                                   detectors(has_holdout, config.checks)
                                   + [c.id for c in extra],
                                   preconditions(has_holdout, config.checks))
    by_id = {cls.id: cls for cls in CHECKS}
    instances = {a.id: a for a in attacks}
    checks = [c.replace(summary=(instances.get(c.id) or by_id[c.id]()).summarize(c))
              if c.id in by_id else c for c in checks]
    checks, dp = _dp_section(ctx, checks, canary_manifest, progress)
    timings["total"] = time.perf_counter() - t0
    limitations = list(LIMITATIONS)
    for failed in verdict.risk.preconditions_failed:
        limitations.insert(0, f"Precondition {failed.check} failed: {failed.reason}.")
    if not has_holdout:
        limitations.insert(0, "No holdout was given: every check is weaker evidence that cannot "
                              "separate memorisation of training records from learning the "
                              "population.")
    return ScanResult(
        verdict=verdict.verdict,
        risk=verdict.risk,
        checks=checks,
        inputs=sources,
        schema=schema,
        encoding=encoder.describe(),
        config=copy.deepcopy(config),  # the result keeps the settings as they were used
        policy=copy.deepcopy(policy),
        seed=config.seed,
        environment=_environment(client is not None),
        evidence="holdout-calibrated" if has_holdout else "no-holdout (weaker evidence)",
        limitations=limitations,
        run={"started": started, "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
             "threads": config.threads, **stages.backend(client)},
        split_verification=ctx.split_verification,
        dp_claim=dp,
    )
