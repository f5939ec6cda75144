"""Tests for the simulated population and the committed sample data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthscan.datasets import (
    COLUMNS,
    EDUCATION_LEVELS,
    OCCUPATIONS,
    REGIONS,
    SAMPLE_SEED,
    simulate_population,
)

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
CSV_NAMES = ("train", "holdout", "synthetic_clean", "synthetic_leaky")


@pytest.fixture(scope="module")
def pop() -> pd.DataFrame:
    return simulate_population(20_000, seed=7)


def _spearman(a: pd.Series, b: pd.Series) -> float:
    return float(a.rank().corr(b.rank()))


# --- simulate_population -------------------------------------------------------------------


def test_columns_and_dtypes(pop: pd.DataFrame) -> None:
    assert list(pop.columns) == list(COLUMNS)
    assert len(pop) == 20_000
    for col in ("age", "years_education", "n_children", "hours_per_week"):
        assert pop[col].dtype == np.int64, col
    for col in ("income", "bmi"):
        assert pop[col].dtype == np.float64, col
    for col in ("person_id", "sex", "region", "education", "occupation", "marital_status",
                "smoker"):
        # text: object on pandas 2, the str dtype on pandas 3
        assert pop[col].dtype == object or isinstance(pop[col].dtype, pd.StringDtype), col
    assert pop["signup_date"].dtype == "datetime64[ns]"
    assert pop["has_chronic_condition"].dtype == bool


def test_value_domains(pop: pd.DataFrame) -> None:
    assert pop["age"].between(18, 105).all()
    assert set(pop["sex"]) == {"female", "male"}
    assert set(pop["region"]) == set(REGIONS)
    assert set(pop["education"]) == set(EDUCATION_LEVELS)
    assert set(pop["occupation"]) <= set(OCCUPATIONS)
    assert set(pop["marital_status"]) == {"single", "married", "divorced", "widowed"}
    assert set(pop["smoker"].dropna()) == {"yes", "no", "former"}
    assert pop["n_children"].between(0, 8).all()
    assert pop["hours_per_week"].between(0, 80).all()
    assert (pop["income"] > 0).all()
    assert np.allclose(pop["income"], pop["income"].round(2), rtol=0, atol=1e-9)
    bmi = pop["bmi"].dropna()
    assert np.allclose(bmi, bmi.round(1), rtol=0, atol=1e-9)
    dates = pop["signup_date"]
    assert dates.min() >= pd.Timestamp("2015-01-01")
    assert dates.max() <= pd.Timestamp("2024-12-31")
    assert (dates == dates.dt.normalize()).all()


def test_deterministic_for_a_seed() -> None:
    pd.testing.assert_frame_equal(simulate_population(3000, 11), simulate_population(3000, 11))


def test_differs_across_seeds() -> None:
    a, b = simulate_population(3000, 1), simulate_population(3000, 2)
    assert not set(a["person_id"]) & set(b["person_id"])
    assert not a["income"].equals(b["income"])
    assert not a["age"].equals(b["age"])


def test_generator_seed_advances() -> None:
    rng = np.random.default_rng(5)
    a, b = simulate_population(2000, rng), simulate_population(2000, rng)
    assert not set(a["person_id"]) & set(b["person_id"])
    again = simulate_population(2000, np.random.default_rng(5))
    pd.testing.assert_frame_equal(a, again)


def test_person_id_unique_and_formatted(pop: pd.DataFrame) -> None:
    assert pop["person_id"].is_unique
    assert pop["person_id"].str.fullmatch(r"P[0-9A-F]{12}").all()


def test_empty_population() -> None:
    empty = simulate_population(0)
    assert list(empty.columns) == list(COLUMNS)
    assert len(empty) == 0


def test_missing_rates(pop: pd.DataFrame) -> None:
    assert 0.03 <= pop["bmi"].isna().mean() <= 0.07
    assert 0.015 <= pop["smoker"].isna().mean() <= 0.045
    others = [c for c in COLUMNS if c not in ("bmi", "smoker")]
    assert not pop[others].isna().any().any()


def test_marginal_frequencies(pop: pd.DataFrame) -> None:
    assert 0.48 <= (pop["sex"] == "female").mean() <= 0.54
    region = pop["region"].value_counts(normalize=True)
    assert region["Islands"] < 0.04
    assert region.max() > 2 * region.drop("Islands").min()
    assert pop["age"].median() < 60
    assert (pop["age"] >= 65).mean() < (pop["age"] < 40).mean()


def test_years_education_tracks_education(pop: pd.DataFrame) -> None:
    rank = pop["education"].map({level: i for i, level in enumerate(EDUCATION_LEVELS)})
    assert _spearman(rank, pop["years_education"]) > 0.8


def test_income_rises_with_education(pop: pd.DataFrame) -> None:
    median = pop.groupby("education")["income"].median()
    assert median["doctorate"] > 2 * median["none"]
    assert median["bachelor"] > median["secondary"]


def test_retirement_tied_to_age(pop: pd.DataFrame) -> None:
    retired = pop["occupation"] == "retired"
    old, young = retired[pop["age"] >= 70].mean(), retired[pop["age"] < 40].mean()
    assert old > 0.8
    assert young < 0.02
    assert pop.loc[retired, "hours_per_week"].median() == 0


def test_education_and_age_dependencies(pop: pd.DataFrame) -> None:
    degree = pop["education"].isin(["bachelor", "master", "doctorate"])
    assert degree[pop["age"].between(27, 40)].mean() > 1.5 * degree[pop["age"] >= 75].mean()
    assert not pop.loc[pop["age"] < 21, "education"].isin(["bachelor", "master"]).any()
    widowed = pop["marital_status"] == "widowed"
    assert widowed[pop["age"] >= 75].mean() > 5 * widowed[pop["age"] < 50].mean()
    chronic = pop["has_chronic_condition"]
    assert chronic[pop["age"] >= 70].mean() > 2 * chronic[pop["age"] < 40].mean()
    assert _spearman(pop["income"], pop["hours_per_week"]) > 0.2


def test_rare_outliers_present(pop: pd.DataFrame) -> None:
    assert (pop["income"] > 10 * pop["income"].median()).any()
    assert (pop["income"] > 10 * pop["income"].median()).mean() < 0.01
    assert (pop["age"] >= 100).any()
    assert ((pop["bmi"] > 50) | (pop["bmi"] < 15)).any()


# --- committed sample data -------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(SAMPLE_DIR / f"{name}.csv") for name in CSV_NAMES}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((SAMPLE_DIR / "leak_manifest.json").read_text(encoding="utf-8"))


def _rows(df: pd.DataFrame) -> pd.Series:
    """Each row's non-id values as one string (pandas-default parsing, then str)."""
    cols = [c for c in df.columns if c != "person_id"]
    return df[cols].map(str).agg("\x1f".join, axis=1)  # map: pandas 3's astype(str) keeps NaN


def _matching(candidate: pd.DataFrame, reference: pd.DataFrame) -> np.ndarray:
    return np.flatnonzero(_rows(candidate).isin(set(_rows(reference))))


def test_sample_shapes(sample: dict[str, pd.DataFrame], manifest: dict) -> None:
    assert manifest["seed"] == SAMPLE_SEED
    expected = {
        "train": manifest["n_train"],
        "holdout": manifest["n_holdout"],
        "synthetic_clean": manifest["n_synthetic"],
        "synthetic_leaky": manifest["n_synthetic"],
    }
    assert expected == {
        "train": 4000, "holdout": 2500, "synthetic_clean": 4000, "synthetic_leaky": 4000
    }
    for name, df in sample.items():
        assert df.shape == (expected[name], len(COLUMNS)), name
        assert list(df.columns) == list(COLUMNS), name
        assert (SAMPLE_DIR / f"{name}.csv").stat().st_size < 1_000_000


def test_sample_dtypes_read_back(sample: dict[str, pd.DataFrame]) -> None:
    reference = sample["train"].dtypes
    for name, df in sample.items():
        pd.testing.assert_series_equal(df.dtypes, reference, obj=name)
        assert df["signup_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), name


def test_sample_split_is_disjoint_population(sample: dict[str, pd.DataFrame]) -> None:
    train_ids, holdout_ids = set(sample["train"]["person_id"]), set(sample["holdout"]["person_id"])
    assert not train_ids & holdout_ids
    population = simulate_population(6500, SAMPLE_SEED)
    assert train_ids | holdout_ids == set(population["person_id"]), (
        "sample data is stale: run python sample_data/make_sample_data.py"
    )
    synthetic_ids = set(sample["synthetic_clean"]["person_id"])
    assert not synthetic_ids & (train_ids | holdout_ids)


def test_manifest_rows(manifest: dict) -> None:
    exact, near = manifest["exact_copy_rows"], manifest["near_copy_rows"]
    assert manifest["exact_copies"] == len(exact) == len(set(exact)) == 200
    assert manifest["near_copies"] == len(near) == len(set(near)) == 100
    assert not set(exact) & set(near)
    assert all(0 <= i < manifest["n_synthetic"] for i in exact + near)


def test_planted_exact_copies_recount(sample: dict[str, pd.DataFrame], manifest: dict) -> None:
    train, holdout = sample["train"], sample["holdout"]
    leaky, clean = sample["synthetic_leaky"], sample["synthetic_clean"]
    found = _matching(leaky, train)
    assert len(found) == manifest["exact_copies"] == 200
    assert found.tolist() == manifest["exact_copy_rows"]
    assert len(_matching(leaky, holdout)) == 0
    assert len(_matching(clean, train)) == 0
    assert len(_matching(clean, holdout)) == 0


def test_leaky_differs_from_clean_only_at_planted_rows(
    sample: dict[str, pd.DataFrame], manifest: dict
) -> None:
    leaky, clean = sample["synthetic_leaky"], sample["synthetic_clean"]
    assert leaky["person_id"].equals(clean["person_id"])
    changed = np.flatnonzero(_rows(leaky) != _rows(clean))
    assert set(changed) == set(manifest["exact_copy_rows"]) | set(manifest["near_copy_rows"])


def test_near_copies_are_close_to_train(sample: dict[str, pd.DataFrame], manifest: dict) -> None:
    train, leaky = sample["train"], sample["synthetic_leaky"]
    near = leaky.iloc[manifest["near_copy_rows"]]
    key = [c for c in COLUMNS if c not in ("person_id", "age", "income", "bmi")]
    merged = near.merge(train, on=key, suffixes=("", "_train"))
    close = (
        ((merged["age"] - merged["age_train"]).abs() == 1)
        & ((merged["income"] / merged["income_train"] - 1).abs() < 0.15)
    )
    assert merged.loc[close, "person_id"].nunique() == len(near)


def test_sample_metadata(sample: dict[str, pd.DataFrame]) -> None:
    meta = json.loads((SAMPLE_DIR / "metadata.json").read_text(encoding="utf-8"))
    assert meta["METADATA_SPEC_VERSION"] == "SINGLE_TABLE_V1"
    assert meta["primary_key"] == "person_id"
    assert list(meta["columns"]) == list(sample["train"].columns)
    sdtypes = {c: spec["sdtype"] for c, spec in meta["columns"].items()}
    assert sdtypes["person_id"] == "id"
    assert sdtypes["income"] == sdtypes["age"] == "numerical"
    assert meta["columns"]["age"]["computer_representation"] == "Int64"
    assert meta["columns"]["bmi"]["computer_representation"] == "Float"
    assert sdtypes["education"] == "categorical"
    assert meta["columns"]["signup_date"] == {"sdtype": "datetime", "datetime_format": "%Y-%m-%d"}
    assert sdtypes["has_chronic_condition"] == "boolean"
