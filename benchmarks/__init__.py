"""Performance benchmarks for synthscan, run as modules.

Example: ``python -m benchmarks.bench_foundation``. Not part of the installed package and not
collected by pytest; see ``benchmarks/README.md``.
"""
