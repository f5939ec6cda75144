"""Known-truth scenarios: clean releases (nulls) and releases with a planted leak of known dose.

Every scenario starts from one draw per (population, size, seed) of four disjoint real sets:
train (the generator's training data), holdout (never seen), fresh (population records the
generator never saw, the raw material of a clean release) and other (population records used to
train a real generator that never saw train). Sharing the draw across scenarios of the same seed
makes dose-response curves smooth (common random numbers) without changing any cell's error rate.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from synthscan.datasets import mode_collapse, plant_copies, simulate_population

#: scenario kinds; ``param`` is the dose (copy fraction, noise sd, ...) or 0
NULL_KINDS = ("null_fresh", "null_mode_collapse", "null_generator")
LEAK_KINDS = ("copies", "noisy_copies", "outlier_copies", "attribute_leak")
#: real generators fitted on train itself (informative: their generalisation gap is real)
GENERATOR_KINDS = ("generator_train",)
#: param of a generator_train cell -> the SDV synthesizer (at its defaults)
GENERATORS = {0: "GaussianCopulaSynthesizer", 1: "CTGANSynthesizer", 2: "TVAESynthesizer"}
KINDS = NULL_KINDS + LEAK_KINDS + GENERATOR_KINDS

ADULT_FILES = ("adult_train.csv", "adult_holdout.csv")
ADULT_MISSING = ["?"]


@dataclass(frozen=True)
class Draw:
    """Disjoint real sets for one (population, size, seed)."""

    train: pd.DataFrame
    holdout: pd.DataFrame
    fresh: pd.DataFrame
    other: pd.DataFrame
    missing_tokens: list[str]


@dataclass
class Scenario:
    """The tables to scan and what is known to be true about them."""

    train: pd.DataFrame
    holdout: pd.DataFrame
    synthetic: pd.DataFrame
    missing_tokens: list[str]
    truth_delta: float | None  # share of synthetic rows that are (near) copies of train rows
    truth_exact: bool  # True when truth_delta counts exact copies only
    note: str = ""


def stable_seed(*parts: object) -> np.random.SeedSequence:
    """A seed sequence from strings and integers, stable across processes and Python runs."""
    ints = [zlib.crc32(str(p).encode()) if not isinstance(p, int) else p for p in parts]
    return np.random.SeedSequence(ints)


def sizes_for(n_train: int, holdout_fraction: float, synthetic_fraction: float) -> dict:
    """Row counts of the four sets for a training size."""
    n_h = max(1, int(round(n_train * holdout_fraction)))
    n_s = max(1, int(round(n_train * synthetic_fraction)))
    return {"train": n_train, "holdout": n_h, "fresh": n_s, "other": n_train}


_ADULT_CACHE: dict[str, pd.DataFrame] = {}


def load_adult(path: str | Path) -> pd.DataFrame:
    """The Adult pool: train and holdout files concatenated (48,790 real rows; "?" = missing).

    Values are kept as read (missing stays the "?" token, which the scan is told about).
    """
    key = str(Path(path).resolve())
    if key not in _ADULT_CACHE:
        frames = [pd.read_csv(Path(path) / f, skipinitialspace=True) for f in ADULT_FILES]
        _ADULT_CACHE[key] = pd.concat(frames, ignore_index=True)
    return _ADULT_CACHE[key]


def draw(population: str, n_train: int, seed: int, holdout_fraction: float,
         synthetic_fraction: float, adult_path: str | Path | None = None) -> Draw:
    """Draw disjoint train / holdout / fresh / other sets for one seed.

    Simulated: a fresh population of the needed size per seed. Adult: a random partition of
    the 48,790-row pool per seed (raises if the sizes do not fit).
    """
    sz = sizes_for(n_train, holdout_fraction, synthetic_fraction)
    total = sum(sz.values())
    rng = np.random.default_rng(stable_seed("draw", population, n_train, seed))
    if population == "simulated":
        pool = simulate_population(total, rng)
        tokens: list[str] = []
    elif population == "adult":
        if adult_path is None:
            raise ValueError("the adult population needs --adult PATH")
        full = load_adult(adult_path)
        if total > len(full):
            raise ValueError(f"adult pool has {len(full)} rows; {total} needed for "
                             f"n_train={n_train}")
        pool = full.iloc[rng.permutation(len(full))[:total]]
        tokens = list(ADULT_MISSING)
    else:
        raise ValueError(f"unknown population {population!r}")
    parts, start = {}, 0
    for role in ("train", "holdout", "fresh", "other"):
        parts[role] = pool.iloc[start:start + sz[role]].reset_index(drop=True)
        start += sz[role]
    return Draw(parts["train"], parts["holdout"], parts["fresh"], parts["other"], tokens)


def _categorical_columns(df: pd.DataFrame, keep: tuple[str, ...]) -> list[str]:
    return [c for c in df.columns if c not in keep and (
        pd.api.types.is_bool_dtype(df[c]) or pd.api.types.is_object_dtype(df[c])
        or isinstance(df[c].dtype, pd.CategoricalDtype))]


def _id_columns(df: pd.DataFrame) -> tuple[str, ...]:
    return tuple(c for c in ("person_id",) if c in df.columns)


def noisy_copies(fresh: pd.DataFrame, train: pd.DataFrame, fraction: float, sd: float,
                 flip: float, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """Replace ``fraction`` of the rows by near copies of train rows: numeric jitter of ``sd``
    times the train column's sd, and each categorical of a copied row re-drawn from train's
    marginal with probability ``flip`` (a re-draw may give back the same value)."""
    keep = _id_columns(fresh)
    out, pos = plant_copies(fresh, train, fraction, seed=rng, jitter=sd, keep=keep)
    for col in _categorical_columns(train, keep):
        hit = pos[rng.random(len(pos)) < flip]
        if len(hit):
            values = train[col].to_numpy(dtype=object)[rng.integers(0, len(train), len(hit))]
            if pd.api.types.is_bool_dtype(out[col]):
                values = values.astype(bool)
            out.iloc[hit, out.columns.get_loc(col)] = values
    return out, pos


def _prepared(d: Draw, synthetic: pd.DataFrame, seed: int):
    from synthscan.api import prepare
    from synthscan.config import ScanConfig

    ctx, _ = prepare(d.train, synthetic, d.holdout,
                     ScanConfig(seed=seed, missing_tokens=d.missing_tokens, threads=1))
    return ctx


def outlier_copies(d: Draw, share: float, seed: int,
                   rng: np.random.Generator) -> tuple[pd.DataFrame, int]:
    """Copy the ``share`` most isolated train records (mean distance to their 5 nearest other
    real records in train ∪ holdout) once each into random positions of the fresh rows."""
    from synthscan.attacks.membership import isolation

    ctx = _prepared(d, d.fresh, seed)
    iso = isolation(ctx, ctx.encoded["train"])
    n_out = max(1, int(round(share * len(d.train))))
    top = np.argsort(-iso, kind="stable")[:n_out]
    out = d.fresh.copy()
    pos = np.sort(rng.choice(len(out), n_out, replace=False))
    keep = _id_columns(out)
    for col in out.columns:
        if col in keep:
            continue
        out.iloc[pos, out.columns.get_loc(col)] = d.train[col].to_numpy()[top]
    return out, n_out


def attribute_leak(d: Draw, secret: str, seed: int) -> pd.DataFrame:
    """Fresh rows whose ``secret`` column is replaced by that of each row's nearest train record
    on the other attackable columns (first index among ties; this builds the leak, it is not a
    measurement)."""
    from synthscan.neighbors.engine import NeighborEngine

    ctx = _prepared(d, d.fresh, seed)
    others = [c.name for c in ctx.schema.distance_columns if c.name != secret]
    dims = ctx.encoder.dims_of(others)
    eng = NeighborEngine(ctx.encoded["train"][:, dims], ctx.config.metric, threads=1)
    _, idx = eng.kneighbors(np.ascontiguousarray(ctx.encoded["synthetic"][:, dims]), 1)
    out = d.fresh.copy()
    out[secret] = d.train[secret].to_numpy()[idx[:, 0]]
    return out


def generator_release(d: Draw, n: int, seed: int, on: str = "other",
                      synthesizer: str = "GaussianCopulaSynthesizer") -> pd.DataFrame:
    """An SDV synthesizer at its defaults fitted on the *other* population rows (a null: it
    never saw train) or on train itself (``on="train"``: an honest generator, informative)."""
    import warnings

    import sdv.single_table as st
    from sdv.metadata import Metadata

    data = d.other if on == "other" else d.train
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import random

        import numpy.random as npr

        random.seed(seed)
        npr.seed(seed % (2**32))
        try:
            import torch

            torch.manual_seed(seed)
        except ImportError:  # pragma: no cover - only the copula runs without torch
            pass
        md = Metadata.detect_from_dataframes({"table": data})
        gen = getattr(st, synthesizer)(md)
        gen.fit({"table": data})  # SDV 2.0 takes a {table name: frame} dict
        state = npr.get_state()
        npr.seed(seed % (2**32))  # SDV samples from numpy's global state
        try:
            out = gen.sample(n)
        finally:
            npr.set_state(state)
    if isinstance(out, dict):
        out = next(iter(out.values()))
    return out.reset_index(drop=True)


def build(kind: str, param: float, d: Draw, seed: int, settings: dict) -> Scenario:
    """Build one scenario from a draw. ``settings`` carries the scenario options of the config
    (mode-collapse modes, noisy-copy fraction and flip rate, outlier share, secret columns)."""
    rng = np.random.default_rng(stable_seed("scenario", kind, repr(float(param)), seed))
    n_s = len(d.fresh)
    keep = _id_columns(d.fresh)
    if kind == "null_fresh":
        return Scenario(d.train, d.holdout, d.fresh, d.missing_tokens, 0.0, True)
    if kind == "null_mode_collapse":
        modes = max(2, int(round(settings["mode_collapse_modes"] * n_s)))
        syn = mode_collapse(d.fresh, n_s, modes, seed=rng)
        return Scenario(d.train, d.holdout, syn, d.missing_tokens, 0.0, True,
                        f"{modes} modes")
    if kind == "null_generator":
        syn = generator_release(d, n_s, int(rng.integers(0, 2**31)))
        return Scenario(d.train, d.holdout, syn, d.missing_tokens, 0.0, True,
                        "GaussianCopula fitted on other rows")
    if kind == "generator_train":
        name = GENERATORS[int(param)]
        syn = generator_release(d, n_s, int(rng.integers(0, 2**31)), on="train",
                                synthesizer=name)
        return Scenario(d.train, d.holdout, syn, d.missing_tokens, None, False,
                        f"{name} fitted on train (defaults)")
    if kind == "copies":
        syn, pos = plant_copies(d.fresh, d.train, float(param), seed=rng, keep=keep)
        return Scenario(d.train, d.holdout, syn, d.missing_tokens, len(pos) / n_s, True)
    if kind == "noisy_copies":
        f = float(settings["noisy_fraction"])
        syn, pos = noisy_copies(d.fresh, d.train, f, float(param),
                                float(settings["flip_prob"]), rng)
        return Scenario(d.train, d.holdout, syn, d.missing_tokens, len(pos) / n_s, False,
                        f"f={f:g}, flip={settings['flip_prob']:g}")
    if kind == "outlier_copies":
        syn, n_out = outlier_copies(d, float(settings["outlier_share"]), seed, rng)
        return Scenario(d.train, d.holdout, syn, d.missing_tokens, n_out / n_s, True,
                        f"{n_out} outliers")
    if kind == "attribute_leak":
        secret = settings["secret"]
        syn = attribute_leak(d, secret, seed)
        return Scenario(d.train, d.holdout, syn, d.missing_tokens, None, False,
                        f"secret={secret}")
    raise ValueError(f"unknown scenario kind {kind!r}")
