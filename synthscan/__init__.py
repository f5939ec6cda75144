"""synthscan: a privacy risk scanner for synthetic data.

>>> import synthscan
>>> result = synthscan.scan("train.csv", "synthetic.csv", holdout="holdout.csv")  # doctest: +SKIP
>>> result.verdict, result.risk.upper  # doctest: +SKIP

The public names are loaded on first use (PEP 562): ``import synthscan`` stays cheap (no
pandas, FAISS or scikit-learn) for the command line's start-up and for reading results.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .api import prepare, scan
    from .comparison import compare
    from .config import ScanConfig
    from .errors import (
        ConfigError,
        ExitCode,
        InputError,
        OutputError,
        PrivacyRiskError,
        ResourceError,
        SynthscanError,
        UsageError,
    )
    from .result import ScanResult
    from .risk.policy import Policy
    from .settings import Settings, load_settings

#: public name -> the module that defines it
_HOMES = {
    "scan": "api", "prepare": "api", "ScanConfig": "config", "ScanResult": "result",
    "Policy": "risk.policy", "Settings": "settings", "load_settings": "settings",
    "compare": "comparison",
    **{name: "errors" for name in ("SynthscanError", "PrivacyRiskError", "UsageError",
                                   "ConfigError", "InputError", "ResourceError",
                                   "OutputError", "ExitCode")},
}

__all__ = ["scan", "prepare", "load_settings", "Settings", "ScanConfig", "ScanResult", "Policy",
           "SynthscanError", "PrivacyRiskError", "UsageError", "ConfigError", "InputError",
           "ResourceError", "OutputError", "ExitCode", "compare", "__version__"]


def __getattr__(name: str) -> Any:
    """Import a public name's module the first time the name is used."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value  # later uses skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
