"""Validation suite: known-truth scenarios that measure synthscan's error rates.

Run ``python -m benchmarks.validation`` (see ``docs/validation.md``). Scenarios are generated
from a simulated population and, optionally, the Adult data; every scan is a full
``synthscan.scan`` and its per-check outcome is cached in ``results/*.jsonl`` so runs resume
and accumulate.
"""
