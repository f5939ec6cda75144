"""Side by side with peer tools: synthscan, Anonymeter and SDMetrics on the same known-truth
scenarios, each read by its own documented interpretation, with time and peak memory per tool.

Peers run in a separate virtualenv (``--peers-python``) and are never synthscan dependencies::

    python3 -m venv /work/venvs/peers
    /work/venvs/peers/bin/pip install 'anonymeter==1.1.*' 'sdmetrics==0.32.*'
    python -m benchmarks.peers --peers-python /work/venvs/peers/bin/python
"""

#: (scenario kind, dose, seeds): a representative cut of the validation grid
SCENARIOS: list[tuple[str, float, int]] = [
    ("null_fresh", 0.0, 10),
    ("null_mode_collapse", 0.0, 4),
    ("null_generator", 0.0, 4),
    ("copies", 0.05, 5),
    ("copies", 0.20, 4),
    ("noisy_copies", 0.05, 4),
    ("outlier_copies", 0.0, 3),
    ("attribute_leak", 0.0, 4),
]
