"""Canaries: fictitious outlier records planted in the training file handed to a vendor
(``plant``), a secret manifest of which were included (``manifest``), and the scan's test of
included vs left-out canaries (``check``).

The canary test's policy declaration lives here, light, so that the check registry can
register it without importing the test (which imports the attacks package)."""

from __future__ import annotations

#: the canary test's id (the policy key)
CANARY_ID = "canaries"
#: θ per preset (the certified bound must be below it; rarely reachable with tens of canaries)
THRESHOLDS = {"public-release": 0.05, "controlled-access": 0.10}
#: in a public release any confirmed excess of handed-over canaries fails, as for closeness
HIGH_THRESHOLDS = {"public-release": 0.0}
DATA_DRIVING = "canaries planted (plant more for narrower intervals)"
