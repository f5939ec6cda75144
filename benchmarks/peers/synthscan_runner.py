"""A full synthscan scan of three CSV files in its own process: verdict, risk, wall time and peak
memory as one JSON line (the synthscan column of the side-by-side benchmark)."""

from __future__ import annotations

import argparse
import json
import time

from benchmarks.peakrss import peak_rss_mib


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", required=True)
    ap.add_argument("--holdout", required=True)
    ap.add_argument("--synthetic", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--missing-token", action="append", default=[])
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    import synthscan

    res = synthscan.scan(args.train, args.synthetic, holdout=args.holdout,
                         config=synthscan.ScanConfig(seed=args.seed,
                                                     missing_tokens=args.missing_token))
    seconds = time.perf_counter() - t0
    peak = peak_rss_mib()
    components = {c.id: {"estimate": c.estimate, "lower": c.lower, "upper": c.upper,
                         "status": c.status} for c in res.checks if c.component}
    print(json.dumps({"tool": "synthscan", "version": synthscan.__version__,
                      "verdict": res.verdict,
                      "risk": {k: res.risk.to_dict()[k] for k in ("estimate", "lower", "upper",
                                                                  "driver")},
                      "components": components, "seconds": round(seconds, 3),
                      "peak_rss_mib": round(peak, 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
