"""Opt-in: does an honest ε-DP release survive synthscan's DP-claim check? (MST, smartnoise-synth)

    python -m venv .venv/dp && .venv/dp/bin/pip install "smartnoise-synth==1.0.8"   # once
    python -m benchmarks.bench_dp_mst [--rows 2000] [--epsilon 1] [--canaries 50] [--seed 0]

smartnoise-synth is never a synthscan dependency: its MST runs in its own environment
(``--python``, default ``.venv/dp/bin/python``) as a subprocess that reads and writes CSV.

The data: ``--rows`` simulated people (``synthscan.datasets``) on six categorical columns (age
in fixed ten-year bands, sex, region, education, marital status, smoker), so that MST needs no
numeric bounds; the category lists are read from the data (the domain question of the
checklist). Every record goes into training independently with probability 1/2 (a Bernoulli
split, q = 0.5 stated in the claim's settings), and ``--canaries`` canaries are planted in the
training file (each handed over with probability 1/2). MST at ``--epsilon`` is fitted on the
training file with the canaries; synthscan then scans the release with the claim ε =
``--epsilon`` and the canary manifest. An honest release must not be refuted (a refutation
would happen with probability at most 5% by chance).

Prints the MST fit time (CPU seconds of the subprocess, at the machine's load), the verdict,
the canary test and the DP section's bounds.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

MST = """
import sys, pandas as pd
from snsynth import Synthesizer
src, dst, eps = sys.argv[1], sys.argv[2], float(sys.argv[3])
df = pd.read_csv(src, dtype=str, keep_default_na=False)
synth = Synthesizer.create("mst", epsilon=eps, verbose=False)
synth.fit(df, preprocessor_eps=0.0, categorical_columns=list(df.columns))
synth.sample(len(df)).to_csv(dst, index=False)
"""
COLUMNS = ["age_band", "sex", "region", "education", "marital_status", "smoker"]


def population(n: int, seed: int) -> pd.DataFrame:
    from synthscan.datasets import simulate_population

    pop = simulate_population(n, seed)
    bands = (pop["age"] // 10 * 10).clip(upper=80)
    out = pd.DataFrame({"age_band": bands.astype(int).astype(str) + "s"})
    for col in COLUMNS[1:]:
        out[col] = pop[col].astype(str).replace({"nan": "unknown", "None": "unknown"})
    return out


def run_mst(python: str, src: Path, dst: Path, eps: float) -> float:
    """Fit and sample MST in its own environment; its CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([python, "-c", MST, str(src), str(dst), str(eps)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"MST failed in {python}:\n{proc.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_dp_mst", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=2000, help="people before the split")
    ap.add_argument("--epsilon", type=float, default=1.0)
    ap.add_argument("--canaries", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--python", default=str(Path(".venv/dp/bin/python")))
    args = ap.parse_args(argv)
    if not Path(args.python).exists():
        sys.exit(f"{args.python}: no such interpreter — create it: python -m venv .venv/dp && "
                 ".venv/dp/bin/pip install 'smartnoise-synth==1.0.8'")

    from synthscan.api import scan
    from synthscan.canaries.plant import plant
    from synthscan.config import ScanConfig

    rng = np.random.default_rng(args.seed)
    pop = population(args.rows, args.seed)
    in_train = rng.random(len(pop)) < 0.5
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        pop[in_train].to_csv(d / "train.csv", index=False)
        pop[~in_train].to_csv(d / "holdout.csv", index=False)
        planted = plant(d / "train.csv", args.canaries, d / "handover", seed=args.seed)
        cpu = run_mst(args.python, planted.handed_over, d / "mst.csv", args.epsilon)
        print(f"MST (smartnoise-synth) ε = {args.epsilon:g} on {planted.rows:,} training rows "
              f"({int(in_train.sum()):,} people + {planted.included} canaries) x "
              f"{len(COLUMNS)} columns: {cpu:.1f} s CPU (load {os.getloadavg()[0]:.1f})")
        claim = {"epsilon": args.epsilon, "q": 0.5, "unit_of_privacy": "one row per person",
                 "trust_model": "central (this benchmark runs the generator)",
                 "domain": "category lists read from the training data",
                 "composition": "one release", "implementation": "smartnoise-synth 1.0.8 MST"}
        t0 = time.perf_counter()
        r = scan(d / "train.csv", d / "mst.csv", holdout=d / "holdout.csv",
                 config=ScanConfig(seed=args.seed, dp_claim=claim), canaries=planted.manifest)
        print(f"scan: {time.perf_counter() - t0:.1f} s; verdict {r.verdict}")
    c = r.check("canaries")
    print(f"canary test ({c.status}): {c.summary}")
    dp = r.dp_claim
    assert dp is not None
    print(f"DP claim: {dp.status} — {dp.summary}")
    for b in dp.bounds:
        print(f"  {b.source:<10} ε ≥ {b.epsilon:.3f} ({b.confidence:.1%}); right "
              f"{b.right_in + b.right_out} of {b.guesses_in + b.guesses_out} guesses among "
              f"{b.candidates:,} candidates (q = {b.q:.2f}); largest refutable "
              f"{b.max_refutable:.2f}, ceiling {b.ceiling:.2f}; p-value at the claim "
              f"{b.p_value_at_claim:.3g}")


if __name__ == "__main__":
    main()
