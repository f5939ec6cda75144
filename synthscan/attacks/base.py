"""The attack interface: a class declares what the pipeline needs, ``run`` returns one result.

A subclass declares, as class attributes, its ``id``, ``name`` and GDPR ``criterion``; whether
it ``needs_holdout`` (True, the default: only with a holdout; False: only without one, as its
fallback; None: always); for a risk component, its ``thresholds`` per policy preset (and
stricter ``high_thresholds`` where a preset has them), what its precision depends on
(``data_driving``) and what its excess is a share of (``unit``). A check that declares
thresholds is a risk ``component`` (decided against them) unless it is ``detection_only``; one
without thresholds is a supporting test, reported and never deciding the verdict. Its knobs
are keyword-only ``__init__`` parameters, stored verbatim (scikit-learn's convention); a
``[checks.<id>]`` table of the settings file becomes those keyword arguments. ``run`` computes
numbers only; ``summarize`` turns a decided result into the sentence reports print, so every
confidence level in it comes from the result.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ..model import CheckResult
from ..types import Table
from .context import ScanContext

#: fewer rows than this in an input and a check says nothing useful
MIN_ROWS = 20
#: θ per preset of the GDPR-criteria attacks (membership, singling out, linkability, inference)
ATTACK_THRESHOLDS: Mapping[str, float] = {"public-release": 0.05, "controlled-access": 0.10}


class Attack(ABC):
    """Base class of every check (see the module docstring)."""

    id: ClassVar[str]
    name: ClassVar[str]
    criterion: ClassVar[str]
    #: set from the declaration: thresholds and not detection-only (see the module docstring)
    component: ClassVar[bool] = False
    needs_holdout: ClassVar[bool | None] = True
    #: can fail the release (joins the Bonferroni family) but never gates ``low``
    detection_only: ClassVar[bool] = False
    #: checks an assumption of the calibrated checks (``warn`` when it fails): a failure keeps
    #: the verdict from ``low``, never makes it ``high``; not a risk component, no thresholds
    precondition: ClassVar[bool] = False
    #: its work runs in the scan's worker process (``prefetch``), none here: it is run after
    #: the checks that search here, so that its answer is ready when it is collected
    in_worker: ClassVar[bool] = False
    #: preset name -> θ; every preset must be given for a component or detection-only check
    thresholds: ClassVar[Mapping[str, float]] = {}
    #: preset name -> the lower-bound threshold for ``high`` where stricter than θ
    high_thresholds: ClassVar[Mapping[str, float]] = {}
    #: which rows drive the component's precision (what "more data" means for it)
    data_driving: ClassVar[str] = "real and synthetic rows"
    #: what the component's excess is a share of
    unit: ClassVar[str] = "training records"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "component" in cls.__dict__:
            raise TypeError(f"{cls.__name__}: 'component' follows from the declaration "
                            "(thresholds, detection_only); do not set it")
        cls.component = bool(cls.thresholds) and not cls.detection_only

    @classmethod
    def param_names(cls) -> list[str]:
        """The knobs ``__init__`` takes (its keyword-only parameters)."""
        sig = inspect.signature(cls.__init__)
        return [p.name for p in sig.parameters.values() if p.kind is p.KEYWORD_ONLY]

    def get_params(self) -> dict[str, Any]:
        """The knobs as given to ``__init__`` (stored under the same names)."""
        return {k: getattr(self, k) for k in self.param_names()}

    @abstractmethod
    def run(self, ctx: ScanContext) -> CheckResult:
        """Compute the check on a prepared context; numbers only, no prose."""

    def prefetch(self, ctx: ScanContext) -> None:  # noqa: ARG002 - a hook: nothing by default
        """Start work that can run beside the checks before this one (its model fits, in the
        scan's worker process: ``background``); called for every check that will run, before
        the first one runs. Never changes a result: ``run`` finds the work under
        ``prefetch_key`` in the context's memo, or does it then."""
        return None

    def prefetch_key(self) -> str:
        """Where ``prefetch`` leaves its work in the context (per check and settings)."""
        return f"prefetch:{self.id}:{sorted(self.get_params().items())!r}"

    def summarize(self, result: CheckResult) -> str:
        """One plain sentence on a decided result, from its fields (levels included)."""
        if result.status == "skipped":
            return f"Not run: {result.reason}"
        if result.status == "error":
            return f"Could not be computed: {result.reason}"
        d = result.decision
        if result.estimate is None:
            return ""
        if d is None:
            return f"Estimate {result.estimate:.2%}."
        return (f"Excess {d.estimate:+.2%} of {result.unit} (worst of {d.sub_tests} "
                f"sub-test(s): {d.worst}); certified at most {max(d.upper, 0):.2%} "
                f"({d.upper_level:.0%} one-sided), confirmed at least {max(d.lower, 0):.2%} "
                f"({d.lower_level:.2%} one-sided).")

    # ------------------------------------------------------------------ helpers for subclasses
    @classmethod
    def result(cls, **fields: Any) -> CheckResult:
        """A result carrying this check's identity."""
        return CheckResult(id=cls.id, name=cls.name, criterion=cls.criterion,
                           component=cls.component, **fields)

    @classmethod
    def skip(cls, reason: str, *, vacuous: bool = False, **fields: Any) -> CheckResult:
        """A skipped result. ``vacuous``: the data give this attack nothing to work on (it then
        passes with its reason instead of blocking ``low``)."""
        return cls.result(status="skipped", reason=reason, vacuous=vacuous, **fields)

    @classmethod
    def error(cls, reason: str) -> CheckResult:
        return cls.result(status="error", reason=reason)

    def too_small(self, ctx: ScanContext, tables: Sequence[Table],
                  minimum: int = MIN_ROWS) -> CheckResult | None:
        """A skipped result when any of ``tables`` has fewer than ``minimum`` rows."""
        small = [f"{t} has {ctx.n(t)}" for t in tables if ctx.n(t) < minimum]
        if not small:
            return None
        return self.skip(f"needs at least {minimum} rows in each input (" + ", ".join(small)
                         + ")")
