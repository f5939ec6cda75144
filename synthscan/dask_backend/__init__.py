"""The same scan on a Dask cluster (the optional extra ``synthscan[dask]``).

This package is the only place that imports dask and distributed, and nothing outside it
imports its modules at start-up: ``import synthscan`` and a scan without a cluster never load
dask. Its modules:

* ``cluster``: connecting (``local`` starts a LocalCluster), worker failures as
  ``ClusterError``, the workers' memory budget;
* ``read``: inputs given as a directory or a glob of Parquet/CSV files, read file by file;
* ``schema``: the column roles decided from per-partition statistics (``data.colstats``) and
  every column converted on the workers;
* ``encode`` (with ``stats``), ``copies``, ``search``: the distributed encoder fit, exact
  copies and neighbour searches;
* ``run``: what ``synthscan.api`` enters to run a scan's stages on a cluster.

This module itself imports nothing heavy: ``require_dask`` is how the rest of the package
asks whether the extra is installed.
"""

from __future__ import annotations

from ..errors import UsageError

#: how to install the extra, as every "missing dask" message says it
INSTALL_HINT = "install synthscan[dask] (pip install 'synthscan[dask]')"


def require_dask(option: str = "client") -> None:
    """Fail with a one-line ``UsageError`` (exit 2) when dask or distributed cannot be imported.

    ``option`` names what asked for the cluster in the caller's words (``--scheduler`` on the
    command line, ``client`` in the API)."""
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise UsageError(f"{option}: running on a Dask cluster needs dask and distributed, "
                         f"which are not installed — {INSTALL_HINT}", key="scheduler",
                         hint=INSTALL_HINT) from None
