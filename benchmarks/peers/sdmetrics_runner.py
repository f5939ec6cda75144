"""SDMetrics' three privacy scores on one train / holdout / synthetic triple, timed.

A standalone script for the side-by-side benchmark (``python -m benchmarks.peers``). It runs with
the Python of a separate virtualenv that has SDMetrics installed and never imports synthscan::

    /work/venvs/peers/bin/python benchmarks/peers/sdmetrics_runner.py \\
        --train train.csv --holdout holdout.csv --synthetic synthetic.csv

Metrics, each at its defaults (no subsampling; SDMetrics' own optional subsampling also
subsamples the real reference set):

* ``DCROverfittingProtection``: share of synthetic rows closer to train than to the holdout,
  score ``min(2 * (1 - share), 1)``;
* ``DCRBaselineProtection``: median synthetic-to-train distance over the median distance of
  uniformly random rows to train, capped at 1;
* ``NewRowSynthesis``: share of synthetic rows that match no real (train) row, numeric values
  matching within 1% of the column's range.

The metadata is built from the files: numeric columns are ``numerical``, columns that parse as
ISO dates are ``datetime``, ``True``/``False`` columns ``boolean``, the rest ``categorical``.
Each metric is timed with ``time.perf_counter``; peak memory is the kernel's high-water mark
(``benchmarks/peakrss.py``), reset before each metric through ``/proc/self/clear_refs`` where Linux
allows it.

Output: one JSON document on stdout (scores, breakdown shares, timings; no record values).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root
from benchmarks.peakrss import measure


def load(path: Path, missing_token: str | None) -> pd.DataFrame:
    na = [missing_token] if missing_token else None
    return pd.read_csv(path, na_values=na, keep_default_na=True, skipinitialspace=True)


def build_metadata(frames: list[pd.DataFrame]) -> tuple[dict[str, Any], list[pd.DataFrame]]:
    """SDMetrics single-table metadata from the columns' contents (same for every frame)."""
    pooled = pd.concat(frames, ignore_index=True)
    columns: dict[str, Any] = {}
    out = [f.copy() for f in frames]
    for name in pooled.columns:
        col = pooled[name]
        if pd.api.types.is_bool_dtype(col):
            columns[name] = {"sdtype": "boolean"}
        elif pd.api.types.is_numeric_dtype(col):
            columns[name] = {"sdtype": "numerical"}
        else:
            text = col.dropna().astype(str)
            parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
            if len(text) and parsed.notna().all():
                columns[name] = {"sdtype": "datetime", "datetime_format": "%Y-%m-%d"}
                for f in out:
                    f[name] = pd.to_datetime(f[name], format="%Y-%m-%d", errors="coerce")
            elif set(text.unique()) <= {"True", "False"}:
                columns[name] = {"sdtype": "boolean"}
                for f in out:
                    f[name] = f[name].map({"True": True, "False": False, True: True,
                                           False: False})
            else:
                columns[name] = {"sdtype": "categorical"}
    return {"columns": columns}, out


def timed(fn: Any) -> dict[str, Any]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with measure() as m:
            try:
                value = fn()
                error = None
            except Exception as exc:
                value, error = None, f"{type(exc).__name__}: {exc}"
    out: dict[str, Any] = {"seconds": round(m.seconds, 3), "peak_rss_mib": round(m.peak_rss_mib, 1),
                           "per_stage_peak": m.per_stage_peak,
                           "warnings": sorted({str(w.message)[:300] for w in caught})}
    if error:
        out["error"] = error
    else:
        out.update(value)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=Path, required=True)
    ap.add_argument("--holdout", type=Path, required=True)
    ap.add_argument("--synthetic", type=Path, required=True)
    ap.add_argument("--missing-token", default=None,
                    help="read this cell value as missing (e.g. '?' for Adult)")
    ap.add_argument("--seed", type=int, default=0,
                    help="NumPy's global seed (DCRBaselineProtection draws its random rows "
                         "from it)")
    args = ap.parse_args(argv)

    import numpy as np
    from sdmetrics.single_table import (
        DCRBaselineProtection,
        DCROverfittingProtection,
        NewRowSynthesis,
    )

    t0 = time.perf_counter()
    frames = [load(p, args.missing_token) for p in (args.train, args.holdout, args.synthetic)]
    meta, (train, holdout, synthetic) = build_metadata(frames)
    load_seconds = time.perf_counter() - t0
    np.random.seed(args.seed)

    def overfitting() -> dict[str, Any]:
        r = DCROverfittingProtection.compute_breakdown(train, synthetic, holdout, meta, None)
        return {"score": float(r["score"]),
                "closer_to_training": float(r["synthetic_data_percentages"]
                                            ["closer_to_training"])}

    def baseline() -> dict[str, Any]:
        r = DCRBaselineProtection.compute_breakdown(train, synthetic, meta, None)
        med = r["median_DCR_to_real_data"]
        return {"score": float(r["score"]), "median_dcr_synthetic": float(med["synthetic_data"]),
                "median_dcr_random": float(med["random_data_baseline"])}

    def new_rows() -> dict[str, Any]:
        return {"score": float(NewRowSynthesis.compute(train, synthetic, meta))}

    doc: dict[str, Any] = {
        "tool": "sdmetrics",
        "versions": {p: importlib_metadata.version(p) for p in ("sdmetrics", "pandas", "numpy")},
        "machine": {"cpus": os.cpu_count(), "load_average_start":
                    [round(x, 2) for x in os.getloadavg()]},
        "data": {"rows": {"train": len(train), "holdout": len(holdout),
                          "synthetic": len(synthetic)},
                 "sdtypes": {k: v["sdtype"] for k, v in meta["columns"].items()}},
        "load_seconds": round(load_seconds, 3),
        "results": {
            "DCROverfittingProtection": timed(overfitting),
            "DCRBaselineProtection": timed(baseline),
            "NewRowSynthesis": timed(new_rows),
        },
    }
    doc["total_seconds"] = round(time.perf_counter() - t0, 3)
    doc["peak_rss_mib"] = max(r["peak_rss_mib"] for r in doc["results"].values())
    json.dump(doc, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
