"""synthscan: a privacy risk scanner for synthetic data.

>>> import synthscan
>>> result = synthscan.scan("train.csv", "synthetic.csv", holdout="holdout.csv")  # doctest: +SKIP
>>> result.verdict, result.risk.upper  # doctest: +SKIP
"""

from ._version import __version__
from .api import load_settings, scan
from .config import ScanConfig
from .errors import PrivacyRiskError, SynthscanError
from .result import ScanResult
from .risk.policy import Policy

__all__ = ["scan", "load_settings", "ScanConfig", "ScanResult", "Policy", "PrivacyRiskError",
           "SynthscanError", "__version__"]
