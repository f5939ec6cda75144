"""``python -m benchmarks.validation``: run the validation grid (resuming from the cache) and
regenerate docs/validation.md with its SVG plots."""

from __future__ import annotations

import argparse
from pathlib import Path

from .runner import DEFAULT_CONFIG, DEFAULT_RESULTS, filter_cells, load_config, plan, run


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> None:
    """Parse options, run the missing cells, write the report."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.validation", description=__doc__)
    ap.add_argument("--config", default=str(DEFAULT_CONFIG), help="grid config (TOML)")
    ap.add_argument("--adult", default=None,
                    help="folder with adult_train.csv and adult_holdout.csv")
    ap.add_argument("--quick", action="store_true", help="use the config's [quick] cut")
    ap.add_argument("--populations", help="comma list overriding the config")
    ap.add_argument("--sizes", help="comma list of n_train overriding the config")
    ap.add_argument("--kinds", help="comma list of scenario kinds to run (default: all)")
    ap.add_argument("--copy-fractions", help="comma list overriding the copy doses")
    ap.add_argument("--noise-sd", help="comma list overriding the noisy-copy jitters")
    ap.add_argument("--null-seeds", type=int, help="seeds per null cell")
    ap.add_argument("--leak-seeds", type=int, help="seeds per leak cell")
    ap.add_argument("--jobs", type=int, help="parallel scans")
    ap.add_argument("--max-minutes", type=float, help="stop starting scans after this time")
    ap.add_argument("--results", default=str(DEFAULT_RESULTS), help="JSON-lines cache")
    ap.add_argument("--rerun-stale", action="store_true",
                    help="re-run cached cells produced by a different scanner (checks/commit)")
    ap.add_argument("--report-only", action="store_true", help="only regenerate the report")
    ap.add_argument("--no-report", action="store_true", help="do not regenerate the report")
    ap.add_argument("--docs", default=None, help="report path (default docs/validation.md)")
    args = ap.parse_args(argv)

    cfg = load_config(args.config, quick=args.quick)
    run_cfg, sc = cfg["run"], cfg["scenarios"]
    if args.populations:
        run_cfg["populations"] = args.populations.split(",")
    if args.sizes:
        run_cfg["sizes"] = [int(x) for x in args.sizes.split(",")]
    if args.copy_fractions:
        sc["copy_fractions"] = _floats(args.copy_fractions)
    if args.noise_sd:
        sc["noise_sd"] = _floats(args.noise_sd)
    if args.null_seeds is not None:
        run_cfg["null_seeds"] = args.null_seeds
    if args.leak_seeds is not None:
        run_cfg["leak_seeds"] = args.leak_seeds
    jobs = args.jobs or int(run_cfg.get("jobs", 1))

    if not args.report_only:
        cells = plan(cfg)
        if args.kinds:
            cells = filter_cells(cells, kinds=args.kinds.split(","))
        run(cells, sc, args.adult, args.results, jobs=jobs, max_minutes=args.max_minutes,
            rerun_stale=args.rerun_stale)
    if not args.no_report:
        from .report import write_report

        full = load_config(args.config, quick=False)
        out = write_report(args.results, full, Path(args.docs) if args.docs else None)
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
