"""synthscan: a privacy risk scanner for synthetic data.

>>> import synthscan
>>> result = synthscan.scan("train.csv", "synthetic.csv", holdout="holdout.csv")  # doctest: +SKIP
>>> result.verdict, result.risk.upper  # doctest: +SKIP
"""

from ._version import __version__
from .api import scan
from .config import ScanConfig
from .errors import PrivacyRiskError, SynthscanError
from .result import ScanResult
from .risk.policy import Policy
from .settings import Settings, load_settings

__all__ = ["scan", "load_settings", "Settings", "ScanConfig", "ScanResult", "Policy",
           "PrivacyRiskError", "SynthscanError", "__version__"]
