"""Regenerate the sample data in this folder: python sample_data/make_sample_data.py

Draws a simulated population (no real person), splits it into train and holdout before any
generator sees it, fits SDV's GaussianCopulaSynthesizer on train only, and writes a clean
synthetic release plus a "leaky" one with planted exact and near copies of train rows. Every
CSV is checked as it will be read back (CSV text -> pandas) before anything is written.
Needs the optional ``sdv`` extra: pip install 'synthscan[sdv]'.
"""

from __future__ import annotations

import io
import json
import random
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
N_POPULATION = 6500
N_TRAIN = 4000
N_HOLDOUT = N_POPULATION - N_TRAIN
N_SYNTHETIC = 4000
N_EXACT = 200
N_NEAR = 100
TABLE = "people"
ID_COLUMN = "person_id"

INT_COLUMNS = ("age", "years_education", "n_children", "hours_per_week")
FLOAT_COLUMNS = {"income": 2, "bmi": 1}  # column -> decimals
CATEGORICAL_COLUMNS = ("sex", "region", "education", "occupation", "marital_status", "smoker")
DATE_COLUMN = "signup_date"
BOOL_COLUMN = "has_chronic_condition"
DATE_FORMAT = "%Y-%m-%d"


def build_metadata(columns: list[str]) -> dict[str, Any]:
    """SDV single-table metadata (SINGLE_TABLE_V1) for the simulated population."""
    specs: dict[str, dict[str, Any]] = {}
    for col in columns:
        if col == ID_COLUMN:
            specs[col] = {"sdtype": "id", "regex_format": "P[0-9A-F]{12}"}
        elif col in INT_COLUMNS:
            specs[col] = {"sdtype": "numerical", "computer_representation": "Int64"}
        elif col in FLOAT_COLUMNS:
            specs[col] = {"sdtype": "numerical", "computer_representation": "Float"}
        elif col in CATEGORICAL_COLUMNS:
            specs[col] = {"sdtype": "categorical"}
        elif col == DATE_COLUMN:
            specs[col] = {"sdtype": "datetime", "datetime_format": DATE_FORMAT}
        elif col == BOOL_COLUMN:
            specs[col] = {"sdtype": "boolean"}
        else:
            raise ValueError(f"no metadata rule for column {col!r}")
    return {
        "METADATA_SPEC_VERSION": "SINGLE_TABLE_V1",
        "primary_key": ID_COLUMN,
        "columns": specs,
    }


def to_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The frame as it is written: dates as YYYY-MM-DD strings, floats at their rounding."""
    out = df.copy()
    if pd.api.types.is_datetime64_any_dtype(out[DATE_COLUMN]):
        out[DATE_COLUMN] = out[DATE_COLUMN].dt.strftime(DATE_FORMAT)
    for col, decimals in FLOAT_COLUMNS.items():
        out[col] = out[col].astype(float).round(decimals)
    return out.reset_index(drop=True)


def csv_text(df: pd.DataFrame) -> str:
    """CSV text exactly as written to disk (header, no index, missing values as empty cells)."""
    return df.to_csv(index=False, lineterminator="\n")


def _canon_cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


def canonical_rows(text: str) -> dict[str, pd.Series]:
    """Two canonical string forms of each row (all columns but the id), from CSV text.

    ``parsed``: read with pandas defaults, each cell normalised (missing -> "", 3.0 -> "3").
    ``raw``: the cell text itself, nothing parsed.
    """
    parsed = pd.read_csv(io.StringIO(text))
    raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    cols = [c for c in parsed.columns if c != ID_COLUMN]
    out = {}
    for name, frame in (("parsed", parsed), ("raw", raw)):
        cells = frame[cols].apply(lambda s: s.map(_canon_cell)) if name == "parsed" else frame[cols]
        out[name] = cells.astype(str).agg("\x1f".join, axis=1)
    return out


def count_matches(candidate: str, reference: str) -> dict[str, int]:
    """Rows of ``candidate`` equal (all non-id columns) to some row of ``reference``."""
    cand, ref = canonical_rows(candidate), canonical_rows(reference)
    return {form: int(cand[form].isin(set(ref[form])).sum()) for form in cand}


def check_counts(label: str, candidate: str, reference: str, expected: int) -> None:
    counts = count_matches(candidate, reference)
    if any(v != expected for v in counts.values()):
        raise AssertionError(f"{label}: expected {expected} matching rows, got {counts}")
    print(f"  ok  {label}: {expected} rows equal on all non-id columns")


def plant_leaks(
    clean: pd.DataFrame, train: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, list[int], list[int]]:
    """Replace random rows of ``clean`` with exact and near copies of distinct train rows."""
    leaky = clean.copy()
    positions = rng.choice(len(clean), size=N_EXACT + N_NEAR, replace=False)
    sources = rng.choice(len(train), size=N_EXACT + N_NEAR, replace=False)
    value_cols = [c for c in clean.columns if c != ID_COLUMN]

    exact_pos, exact_src = positions[:N_EXACT], sources[:N_EXACT]
    near_pos, near_src = positions[N_EXACT:], sources[N_EXACT:]
    near = train.loc[near_src, value_cols].reset_index(drop=True)
    for col, decimals in FLOAT_COLUMNS.items():
        factor = 1.0 + rng.normal(0.0, 0.02, size=N_NEAR)
        near[col] = (near[col].astype(float) * factor).round(decimals)
    age = near["age"].to_numpy()
    step = rng.choice([-1, 1], size=N_NEAR)
    near["age"] = age + np.where(age <= 18, 1, np.where(age >= 105, -1, step))

    for col in value_cols:
        leaky.loc[exact_pos, col] = train.loc[exact_src, col].to_numpy()
        leaky.loc[near_pos, col] = near[col].to_numpy()
    return leaky, sorted(int(p) for p in exact_pos), sorted(int(p) for p in near_pos)


def _import_deps() -> tuple[Any, Any, Any]:
    try:
        import sdv
        from sdv.metadata import Metadata
        from sdv.single_table import GaussianCopulaSynthesizer
    except ImportError:
        print(
            "error: this script needs SDV (the optional 'sdv' extra).\n"
            "       install it with: pip install 'synthscan[sdv]'",
            file=sys.stderr,
        )
        sys.exit(1)
    try:
        import synthscan.datasets  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(HERE.parent))
    return sdv, Metadata, GaussianCopulaSynthesizer


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    try:
        import torch
    except ImportError:
        return
    torch.manual_seed(seed)


def main() -> int:
    """Generate and check the sample files, then write them next to this script."""
    started = time.perf_counter()
    sdv, Metadata, GaussianCopulaSynthesizer = _import_deps()
    from synthscan.datasets import SAMPLE_SEED, simulate_population

    _seed_everything(SAMPLE_SEED)
    population = to_csv_frame(simulate_population(N_POPULATION, SAMPLE_SEED))

    # Split first: the holdout never reaches the generator.
    order = np.random.default_rng([SAMPLE_SEED, 1]).permutation(N_POPULATION)
    train = population.iloc[order[:N_TRAIN]].reset_index(drop=True)
    holdout = population.iloc[order[N_TRAIN:]].reset_index(drop=True)

    metadata_dict = build_metadata(list(population.columns))
    with warnings.catch_warnings():
        # SDV >= 2 ignores computer_representation (kept in the file for SDV 1.x and other tools).
        warnings.filterwarnings("ignore", message=".*computer_representation.*")
        metadata = Metadata.load_from_dict(metadata_dict, single_table_name=TABLE)

    fit_started = time.perf_counter()
    synthesizer = GaussianCopulaSynthesizer(metadata)
    # SDV 2 takes {table name: frame}; SDV 1.x takes the frame itself.
    major = int(sdv.__version__.split(".")[0])
    synthesizer.fit({TABLE: train} if major >= 2 else train)
    synthesizer.reset_sampling()  # SDV's own fixed sampling seed
    sampled = synthesizer.sample(num_rows=N_SYNTHETIC)
    if isinstance(sampled, dict):
        sampled = sampled[TABLE]
    fit_seconds = time.perf_counter() - fit_started
    clean = to_csv_frame(sampled[list(population.columns)])
    if set(clean[ID_COLUMN]) & set(population[ID_COLUMN]):
        raise AssertionError("a synthetic person_id equals a real one")

    leaky, exact_rows, near_rows = plant_leaks(
        clean, train, np.random.default_rng([SAMPLE_SEED, 2])
    )

    texts = {
        "train.csv": csv_text(train),
        "holdout.csv": csv_text(holdout),
        "synthetic_clean.csv": csv_text(clean),
        "synthetic_leaky.csv": csv_text(leaky),
    }
    print("checking the CSV text as it will be read back:")
    check_counts("synthetic_clean vs train", texts["synthetic_clean.csv"], texts["train.csv"], 0)
    check_counts(
        "synthetic_clean vs holdout", texts["synthetic_clean.csv"], texts["holdout.csv"], 0
    )
    check_counts(
        "synthetic_leaky vs train", texts["synthetic_leaky.csv"], texts["train.csv"], N_EXACT
    )
    check_counts(
        "synthetic_leaky vs holdout", texts["synthetic_leaky.csv"], texts["holdout.csv"], 0
    )
    leaky_rows = canonical_rows(texts["synthetic_leaky.csv"])["parsed"]
    train_rows = set(canonical_rows(texts["train.csv"])["parsed"])
    matched = sorted(int(i) for i in np.flatnonzero(leaky_rows.isin(train_rows)))
    if matched != exact_rows:
        raise AssertionError("planted exact-copy rows differ from the rows found in the CSV")
    for name, expected in texts.items():
        n_rows = len(pd.read_csv(io.StringIO(expected)))
        want = {"train.csv": N_TRAIN, "holdout.csv": N_HOLDOUT}.get(name, N_SYNTHETIC)
        if n_rows != want:
            raise AssertionError(f"{name}: {n_rows} rows, expected {want}")

    manifest = {
        "seed": SAMPLE_SEED,
        "n_train": N_TRAIN,
        "n_holdout": N_HOLDOUT,
        "n_synthetic": N_SYNTHETIC,
        "exact_copies": N_EXACT,
        "near_copies": N_NEAR,
        "exact_copy_rows": exact_rows,
        "near_copy_rows": near_rows,
    }
    for name, text in texts.items():
        with (HERE / name).open("w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    for name, obj in (("metadata.json", metadata_dict), ("leak_manifest.json", manifest)):
        (HERE / name).write_text(json.dumps(obj, indent=2) + "\n", encoding="utf-8")

    for name in [*texts, "metadata.json", "leak_manifest.json"]:
        print(f"  wrote {name} ({(HERE / name).stat().st_size / 1024:.0f} KiB)")
    total = time.perf_counter() - started
    print(f"SDV {sdv.__version__}: fit + sample {fit_seconds:.1f}s; total {total:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
