"""What to do next, computed from a result, and the exposed records as row positions.

* ``high``: do not release; for each failing component, which training records are exposed (row
  positions only, also written as ``exposed-rows.csv`` beside the report) and what to ask the
  generator owner; then re-scan.
* ``inconclusive``: each undecided component with what these sizes can certify and roughly how
  much more data, and which, would decide it (``risk.decision_guidance``); each component that
  did not run and why; the options.
* ``low``: what was certified, its limits, and keeping the evidence.

Plain text; each renderer escapes and lays it out. Row positions are 0-based positions of the
data rows of the training file (the header not counted): pointers to people, never values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral
from typing import Any

from ..fmt import level, pct
from ..model import CheckResult, Guidance
from ..result import ScanResult
from .format import count
from .verdict_box import NOT_COVERED, short_name, verdict_box
from .view import has_holdout

EXPOSED_ROWS_FILE = "exposed-rows.csv"
#: row positions printed in a report (the CSV holds them all)
SHOWN_ROWS = 20

#: what to ask whoever made the release, by criterion of a failing component
ASKS = {
    "copies": (
        "Why does the release contain copies or near copies of training records? Give them "
        "the row positions (never the values).",
        "Was the generator trained with a formal privacy guarantee (for example differential "
        "privacy, and with which epsilon), and was its output filtered for copies?",
        "Regenerate rather than delete the listed rows: deleting rows does not remove what "
        "the generator memorised, and near copies of other records may remain.",
    ),
    "membership": (
        "How long was the generator trained, with what early stopping, and how large is it "
        "for the amount of training data? Over-fitting makes training records recognisable.",
        "Was the holdout split off at random before training and never shown to the generator?",
    ),
    "attack": (
        "Which columns are sensitive or quasi-identifying, and were rare values and "
        "combinations generalised or suppressed before training?",
        "Would a generator with a formal privacy guarantee (differential privacy) serve this "
        "use?",
    ),
}
_ASK_GROUP = {"copies": "copies", "distance": "copies", "membership": "membership"}


@dataclass(frozen=True)
class Exposure:
    """The training records a failing component flags: row positions only."""

    check: str
    name: str
    records: int
    rows: tuple[int, ...]
    expected_by_chance: float | None
    meaning: str


@dataclass(frozen=True)
class Step:
    """One thing to do: a title, a paragraph, bullet items and, for exposed records, their row
    positions."""

    title: str
    text: str
    items: tuple[str, ...] = ()
    exposure: Exposure | None = None


def _exposure(check: CheckResult) -> Exposure | None:
    ex = check.details.get("exposure") if isinstance(check.details, Mapping) else None
    if not isinstance(ex, Mapping):
        return None
    rows: Any = ex.get("train_rows")
    if hasattr(rows, "tolist"):  # a result not yet serialised holds an array
        rows = rows.tolist()
    if not isinstance(rows, (list, tuple)) or not all(
            isinstance(r, Integral) and not isinstance(r, bool) for r in rows):
        return None
    records = ex.get("records")
    chance = ex.get("expected_by_chance")
    return Exposure(check.id, short_name(check),
                    int(records) if isinstance(records, (int, float)) else len(rows),
                    tuple(int(r) for r in rows),
                    float(chance) if isinstance(chance, (int, float)) else None,
                    str(ex.get("meaning") or ""))


def exposures(result: ScanResult) -> list[Exposure]:
    """Exposure lists of the failing components that have one (and list some record)."""
    found = (_exposure(c) for c in result.checks if c.status == "fail")
    return [e for e in found if e is not None and e.rows]


def exposed_rows_csv(result: ScanResult) -> str | None:
    """``check,train_row`` with one line per exposed record of a failing component (row
    positions only, never values); None when nothing is exposed."""
    found = exposures(result)
    if not found:
        return None
    lines = ["check,train_row"]
    lines += [f"{e.check},{row}" for e in found for row in e.rows]
    return "\n".join(lines) + "\n"


def rows_text(e: Exposure) -> str:
    """The first row positions, and how many the CSV holds: ``the first 20 of 200: 3, 8, …``
    (``all 3: 3, 8, 12`` when they all fit)."""
    shown = ", ".join(str(r) for r in e.rows[:SHOWN_ROWS])
    if len(e.rows) <= SHOWN_ROWS:
        return f"all {len(e.rows):,}: {shown}"
    return f"the first {SHOWN_ROWS} of {len(e.rows):,}: {shown}, …"


def _exposure_step(e: Exposure) -> Step:
    text = f"{e.records:,} training records are flagged"
    if e.meaning:
        text += f" ({e.meaning.split(';')[0]})"
    if e.expected_by_chance is not None:
        text += (f"; about {count(round(e.expected_by_chance))} would be flagged by chance even "
                 "without a leak, so not every listed record is exposed")
    listed = "" if len(e.rows) == e.records else f" (the first {len(e.rows):,} listed)"
    text += (f". Their row positions in the training file{listed} are in {EXPOSED_ROWS_FILE} "
             "beside this report: positions only, no values — treat the file like the "
             "training data.")
    return Step(f"{e.name}: which records are exposed", text, exposure=e)


def _high(result: ScanResult) -> list[Step]:
    failing = [c for c in result.checks if c.status == "fail"]
    names = ", ".join(short_name(c) for c in failing)
    undecided = [short_name(c) for c in result.checks if c.component and c.status == "warn"]
    by_check = {e.check: e for e in exposures(result)}
    unlisted = [short_name(c) for c in failing if c.id not in by_check]
    text = f"A leak is confirmed by: {names}."
    if unlisted:
        text += (f" {', '.join(unlisted)} {'does' if len(unlisted) == 1 else 'do'} not list "
                 "individual records: the figures are shares of the records attacked.")
    if undecided:
        text += f" Also not certified: {', '.join(undecided)}."
    steps = [Step("Do not release this synthetic data as it is", text)]
    steps += [_exposure_step(by_check[c.id]) for c in failing if c.id in by_check]
    groups = list(dict.fromkeys(_ASK_GROUP.get(c.criterion, "attack") for c in failing))
    asks = tuple(q for g in groups for q in ASKS[g])
    steps.append(Step("Ask the vendor or generator owner", "Questions for whoever trained the "
                      "generator and made this release:", asks))
    steps.append(Step("Scan the fixed release", "Regenerate the release and scan it again with "
                      "the same training and holdout files (the fingerprints are under "
                      "Reproducibility), then compare the two results."))
    return steps


_SIDES = {"train_rows": "training", "holdout_rows": "holdout"}


def _rows_needed(g: Guidance) -> str:
    parts = [f"{v:,} {_SIDES.get(k, k.replace('_', ' '))}"
             for k, v in (g.rows_needed or {}).items()]
    return f" (about {' and '.join(parts)} rows in all)" if parts else ""


def guidance_text(g: Guidance) -> str:
    """What would decide an undecided component, in words."""
    text = (f"These sizes can certify about {pct(g.certifiable)}; the threshold is "
            f"{pct(g.threshold)}.")
    if g.factor:
        text += (f" If its estimate holds, about {g.factor:g} times the data would decide "
                 f"it{_rows_needed(g)}; the rows that matter: {g.data}.")
    elif g.if_estimate_holds == "high":
        text += (" Its estimate is at or above the threshold: more data would more likely "
                 "confirm a leak than rule one out — ask the generator owner as for a leak.")
    elif g.note:
        text += f" {g.note[0].upper()}{g.note[1:]}: these sizes cannot decide it."
    return text


def _inconclusive(result: ScanResult) -> list[Step]:
    box = verdict_box(result)
    guidance = {g.component: g for g in result.risk.guidance}
    # failed preconditions have their own step ("Fix the holdout"), and more data of an
    # invalid holdout decides nothing
    missing = {m.component for m in result.risk.missing} | {
        p.check for p in result.risk.preconditions_failed}
    if result.risk.preconditions_failed:
        return []
    steps = [Step(f"{s.name}: what would decide it",
                  guidance_text(guidance[s.check]) if s.check in guidance
                  else f"Not certified: {s.text}.")
             for s in box.not_certified if s.check not in missing]
    reasons: dict[str, list[str]] = {}
    for s in box.not_certified:
        if s.check in {m.component for m in result.risk.missing}:
            reasons.setdefault(s.text.removeprefix("did not run: "), []).append(s.name)
    if reasons:
        steps.append(Step("Make the missing checks run", "Until every planned check runs, no "
                          "low verdict is possible. Fix their inputs and scan again:",
                          tuple(f"{', '.join(names)}: {why}" for why, names in reasons.items())))
    steps.append(Step("Options", "Until then the release is not certified: no confirmed leak, "
                      "but no certification either.", (
                          "Scan again with more data as above: a larger holdout split off at "
                          "random before training, and more training rows where listed.",
                          "Or decide, as a policy, to accept thresholds these sizes can "
                          "certify; the policy used is recorded with every result.",
                          "Or treat the release as not cleared for the planned use.")))
    return steps


def _low(result: ScanResult) -> list[Step]:
    k = result.risk.components
    return [
        Step("Record the certificate", f"All {k} planned checks are certified below their "
             f"thresholds at {level(result.risk.upper_level)} one-sided confidence; the verdict "
             "box says it in people. Archive this report with result.json in the DPIA: the "
             "fingerprints under Reproducibility identify the files it certifies."),
        Step("Check what it does not cover", f"It does not cover {NOT_COVERED}. If the planned "
             "use is exposed to those (for example, publication beside other data about the "
             "same people), assess them separately. Low risk is not anonymity."),
        Step("Scan again when anything changes", "The certificate is for this release only: "
             "scan again whenever the generator, its training data, its settings or the "
             "release change."),
    ]


def next_steps(result: ScanResult) -> list[Step]:
    """The steps for a (normalised) result, in the order to take them."""
    steps: list[Step] = []
    if not has_holdout(result):
        steps.append(Step("Give a holdout", "Without real records the generator never saw, "
                          "memorisation cannot be told apart from learning the population: "
                          "split off a random holdout before training and scan again."))
    for failed in result.risk.preconditions_failed:
        steps.append(Step(
            "Fix the holdout", f"{failed.reason[:1].upper()}{failed.reason[1:]}.",
            ("Split the real data at random before training — synthscan split, with "
             "--method bernoulli when a membership audit is planned — and keep the holdout "
             "from the generator.",
             "Scan again with the new split; the figures of this scan rest on a holdout that "
             "does not represent the training population.")))
    if result.verdict == "high":
        return steps + _high(result)
    if result.verdict == "low":
        return steps + _low(result)
    return steps + _inconclusive(result)
