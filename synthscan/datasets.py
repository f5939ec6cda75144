"""Simulated populations for demos, tests and benchmarks.

``simulate_population`` draws people with mixed column types and realistic dependencies
(education by age cohort, occupation by education and age, income by education, age, hours and
sex, ...), a little missingness and a few rare outliers. Every value is simulated: no row
describes a real person. Only numpy and pandas are used, and generation is fully vectorised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "COLUMNS",
    "EDUCATION_LEVELS",
    "OCCUPATIONS",
    "REGIONS",
    "SAMPLE_SEED",
    "simulate_population",
    "plant_copies",
    "mode_collapse",
]

#: Seed used by ``sample_data/make_sample_data.py`` for the committed sample files.
SAMPLE_SEED = 20261124

#: Output columns of :func:`simulate_population`, in order.
COLUMNS: tuple[str, ...] = (
    "person_id",
    "age",
    "sex",
    "region",
    "education",
    "years_education",
    "occupation",
    "marital_status",
    "n_children",
    "hours_per_week",
    "income",
    "bmi",
    "smoker",
    "signup_date",
    "has_chronic_condition",
)

#: Education levels, lowest first.
EDUCATION_LEVELS: tuple[str, ...] = (
    "none",
    "primary",
    "secondary",
    "vocational",
    "bachelor",
    "master",
    "doctorate",
)

REGIONS: tuple[str, ...] = (
    "North",
    "South",
    "East",
    "West",
    "Central",
    "Coast",
    "Highlands",
    "Islands",
)
_REGION_P = np.array([0.19, 0.17, 0.15, 0.14, 0.16, 0.10, 0.07, 0.02])

#: Occupations; the last three are set by age rather than by education.
OCCUPATIONS: tuple[str, ...] = (
    "manager",
    "professional",
    "technician",
    "clerical",
    "sales",
    "service",
    "craft",
    "laborer",
    "unemployed",
    "student",
    "retired",
)
# P(occupation | education) among working-age people who are neither students nor retired.
# Rows follow EDUCATION_LEVELS, columns OCCUPATIONS[:9].
_OCC_BY_EDU = np.array(
    [
        [0.01, 0.00, 0.01, 0.03, 0.07, 0.25, 0.13, 0.35, 0.15],
        [0.02, 0.01, 0.03, 0.06, 0.10, 0.24, 0.17, 0.26, 0.11],
        [0.06, 0.04, 0.09, 0.16, 0.15, 0.18, 0.13, 0.12, 0.07],
        [0.07, 0.05, 0.20, 0.10, 0.10, 0.12, 0.22, 0.08, 0.06],
        [0.16, 0.36, 0.15, 0.12, 0.08, 0.05, 0.02, 0.02, 0.04],
        [0.22, 0.50, 0.11, 0.06, 0.04, 0.02, 0.01, 0.01, 0.03],
        [0.17, 0.70, 0.05, 0.02, 0.01, 0.01, 0.01, 0.01, 0.02],
    ]
)
# Mean and standard deviation of weekly hours per occupation (retired handled separately).
_HOURS_MEAN = np.array([46, 42, 40, 37, 36, 33, 42, 41, 2, 12, 0], dtype=float)
_HOURS_SD = np.array([8, 8, 6, 6, 10, 11, 7, 9, 5, 10, 0], dtype=float)

_EDU_YOUNG = np.array([0.005, 0.03, 0.30, 0.20, 0.28, 0.15, 0.035])
_EDU_OLD = np.array([0.06, 0.30, 0.33, 0.17, 0.09, 0.04, 0.01])
_EDU_YEARS = np.array([3, 7, 12, 13, 16, 18, 21], dtype=float)
_EDU_INCOME = np.array([-0.45, -0.30, 0.0, 0.08, 0.35, 0.50, 0.65])

MARITAL_STATUSES: tuple[str, ...] = ("single", "married", "divorced", "widowed")
_CHILDREN_BY_MARITAL = np.array([0.35, 2.1, 1.7, 2.4])

SMOKER_STATUSES: tuple[str, ...] = ("no", "yes", "former")

_DATE_START = np.datetime64("2015-01-01", "D")
_N_DAYS = int((np.datetime64("2024-12-31", "D") - _DATE_START).astype(np.int64)) + 1
_HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)


def _choice_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """Draw one category index per row from a (n, k) matrix of unnormalised probabilities."""
    cum = np.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    u = rng.random(len(probs))
    idx = (u[:, None] >= cum).sum(axis=1)
    return np.minimum(idx, probs.shape[1] - 1)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _person_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct ids "P" + 12 hex digits, drawn from the generator (redrawn on collision)."""
    codes = rng.integers(0, 1 << 48, size=n, dtype=np.int64)
    while True:
        _, first = np.unique(codes, return_index=True)
        if len(first) == n:
            break
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        codes[dup] = rng.integers(0, 1 << 48, size=int(dup.sum()), dtype=np.int64)
    shifts = np.arange(44, -1, -4, dtype=np.int64)
    chars = np.empty((n, 13), dtype=np.uint8)
    chars[:, 0] = ord("P")
    chars[:, 1:] = _HEX[(codes[:, None] >> shifts) & 0xF]
    return chars.view("S13").ravel().astype("U13").astype(object)


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    """Age: flat through working ages, thinning out after ~70; ~0.1% centenarians (100-105)."""
    ages = np.arange(18, 96)
    w = _sigmoid((80.0 - ages) / 5.5) * (1.0 + 0.08 * np.exp(-(((ages - 30.0) / 8.0) ** 2)))
    age = rng.choice(ages, size=n, p=w / w.sum()).astype(np.int64)
    old = rng.random(n) < 0.001
    age[old] = rng.integers(100, 106, size=int(old.sum()))
    return age


def _education(rng: np.random.Generator, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Education level index and years: older cohorts have less; the young cannot have
    finished degrees yet."""
    t = np.clip((a - 30.0) / 55.0, 0.0, 1.0)[:, None]
    p_edu = (1.0 - t) * _EDU_YOUNG + t * _EDU_OLD
    p_edu[a < 21, 4:] = 0.0
    p_edu[a < 23, 5:] = 0.0
    p_edu[a < 27, 6] = 0.0
    edu = _choice_rows(rng, p_edu)
    years = np.clip(np.rint(_EDU_YEARS[edu] + rng.normal(0.0, 0.8, size=len(a))), 0, 26)
    return edu, years.astype(np.int64)


def _occupation(rng: np.random.Generator, a: np.ndarray, edu: np.ndarray) -> np.ndarray:
    """Occupation index: by education among workers; students young, retired tied to age."""
    p_student = 0.5 * np.exp(-(a - 18.0) / 3.5)
    p_retired = np.where(
        a >= 65,
        np.minimum(0.88 + 0.01 * (a - 65.0), 0.98),
        np.where(a >= 55, 0.02 + 0.025 * (a - 55.0), 0.001),
    )
    work = _OCC_BY_EDU[edu] / _OCC_BY_EDU[edu].sum(axis=1, keepdims=True)
    p_occ = np.column_stack(
        [work * (1.0 - p_student - p_retired)[:, None], p_student, p_retired]
    )
    return _choice_rows(rng, np.clip(p_occ, 0.0, None))


def _family(rng: np.random.Generator, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Marital status index by age, and the number of children by marital status and age."""
    p_single = 0.06 + 0.88 * np.exp(-(a - 18.0) / 9.0)
    p_divorced = 0.14 * _sigmoid((a - 35.0) / 6.0)
    p_widowed = 0.6 * _sigmoid((a - 82.0) / 6.0)
    p_married = np.clip(1.0 - p_single - p_divorced - p_widowed, 0.02, None)
    mar = _choice_rows(rng, np.column_stack([p_single, p_married, p_divorced, p_widowed]))
    lam = _CHILDREN_BY_MARITAL[mar] * np.clip((a - 18.0) / 17.0, 0.05, 1.0)
    return mar, np.minimum(rng.poisson(lam), 8).astype(np.int64)


def _hours(rng: np.random.Generator, occ: np.ndarray) -> np.ndarray:
    """Weekly hours by occupation; a few retired people work part time."""
    hours = rng.normal(_HOURS_MEAN[occ], _HOURS_SD[occ])
    part_time = (occ == OCCUPATIONS.index("retired")) & (rng.random(len(occ)) < 0.08)
    hours[part_time] = rng.normal(14.0, 6.0, size=int(part_time.sum()))
    return np.clip(np.rint(hours), 0, 80).astype(np.int64)


def _income(rng: np.random.Generator, a: np.ndarray, edu: np.ndarray, hours: np.ndarray,
            male: np.ndarray, occ: np.ndarray) -> np.ndarray:
    """Income: log-normal by education, age, hours and sex; special regimes off the labour
    market; ~0.2% of very high incomes."""
    n = len(a)
    is_student = occ == OCCUPATIONS.index("student")
    is_unemployed = occ == OCCUPATIONS.index("unemployed")
    is_retired = occ == OCCUPATIONS.index("retired")
    x = np.minimum(a, 60.0) - 18.0
    mu = (
        np.log(32000.0)
        + _EDU_INCOME[edu]
        + 0.035 * x
        - 0.0006 * x**2
        + 0.8 * np.log(np.maximum(hours, 5) / 40.0)
        - 0.13 * ~male
    )
    mu = np.where(is_student, np.log(9000.0), mu)
    mu = np.where(is_unemployed, np.log(11000.0), mu)
    mu = np.where(is_retired, np.log(21000.0) + 0.6 * _EDU_INCOME[edu], mu)
    sd = np.where(is_student | is_unemployed | is_retired, 0.4, 0.45)
    income = np.exp(mu + rng.normal(0.0, 1.0, size=n) * sd)
    rich = rng.random(n) < 0.002
    median = float(np.median(income)) if n else 0.0
    income[rich] = median * rng.uniform(10.0, 50.0, size=int(rich.sum()))
    return np.round(income, 2)


def _bmi(rng: np.random.Generator, a: np.ndarray, male: np.ndarray,
         edu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BMI (with 5% missing) and the complete BMI that drives health risk: rises with age, a
    little higher for men and lower with education; rare extremes."""
    n = len(a)
    bmi = rng.normal(
        24.5 + 0.08 * (np.minimum(a, 65.0) - 18.0) + 0.6 * male - 0.3 * np.maximum(edu - 2, 0),
        4.3,
    )
    bmi = np.clip(bmi, 15.0, 48.0)
    extreme = rng.random(n) < 0.0015
    low = rng.random(n) < 0.3
    bmi[extreme & low] = rng.uniform(12.0, 14.5, size=int((extreme & low).sum()))
    bmi[extreme & ~low] = rng.uniform(55.0, 70.0, size=int((extreme & ~low).sum()))
    bmi = np.round(bmi, 1)
    complete = bmi.copy()
    bmi[rng.random(n) < 0.05] = np.nan
    return bmi, complete


def _smoking(rng: np.random.Generator, a: np.ndarray, male: np.ndarray,
             edu: np.ndarray) -> np.ndarray:
    """Smoking status index: more among men and the less educated; former smokers accumulate
    with age."""
    p_yes = 0.22 - 0.02 * (edu - 2) + 0.04 * male - 0.0015 * np.maximum(a - 50.0, 0.0)
    p_yes = np.clip(p_yes, 0.03, None)
    p_former = np.minimum(0.05 + 0.005 * (a - 18.0), 0.40)
    p_no = np.clip(1.0 - p_yes - p_former, 0.05, None)
    return _choice_rows(rng, np.column_stack([p_no, p_yes, p_former]))


def _signup_dates(rng: np.random.Generator, a: np.ndarray) -> np.ndarray:
    """Sign-up date: younger people tend to sign up later."""
    shift = np.clip((50.0 - a) / 100.0, -0.6, 0.6) * 1.5
    u = rng.beta(2.0 + shift, 2.0 - shift)
    days = np.minimum((u * _N_DAYS).astype(np.int64), _N_DAYS - 1)
    return (_DATE_START + days).astype("datetime64[ns]")


def simulate_population(n: int, seed: int | np.random.Generator = 0) -> pd.DataFrame:
    """Simulate ``n`` people with mixed types, realistic correlations and a few rare outliers.

    Deterministic for a given integer seed; pass a ``numpy.random.Generator`` to draw from it.
    (The draws happen in a fixed order: changing it changes every simulated table.)
    """
    if n < 0:
        raise ValueError("n must be non-negative")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    person_id = _person_ids(rng, n)
    age = _ages(rng, n)
    a = age.astype(float)
    male = rng.random(n) < 0.49
    region = np.asarray(REGIONS, dtype=object)[rng.choice(len(REGIONS), size=n, p=_REGION_P)]
    edu, years_education = _education(rng, a)
    occ = _occupation(rng, a, edu)
    mar, n_children = _family(rng, a)
    hours_per_week = _hours(rng, occ)
    income = _income(rng, a, edu, hours_per_week, male, occ)
    bmi, bmi_for_risk = _bmi(rng, a, male, edu)
    smk = _smoking(rng, a, male, edu)
    smoker = np.asarray(SMOKER_STATUSES, dtype=object)[smk]
    smoker[rng.random(n) < 0.03] = None
    signup_date = _signup_dates(rng, a)
    logit = -3.2 + 0.055 * (a - 18.0) + 0.09 * (bmi_for_risk - 25.0) + 0.3 * (smk == 1)
    has_chronic_condition = rng.random(n) < _sigmoid(logit)

    return pd.DataFrame(
        {
            "person_id": person_id,
            "age": age,
            "sex": np.where(male, "male", "female").astype(object),
            "region": region,
            "education": np.asarray(EDUCATION_LEVELS, dtype=object)[edu],
            "years_education": years_education,
            "occupation": np.asarray(OCCUPATIONS, dtype=object)[occ],
            "marital_status": np.asarray(MARITAL_STATUSES, dtype=object)[mar],
            "n_children": n_children,
            "hours_per_week": hours_per_week,
            "income": income,
            "bmi": bmi,
            "smoker": smoker,
            "signup_date": signup_date,
            "has_chronic_condition": has_chronic_condition,
        },
        columns=list(COLUMNS),
    )


# ------------------------------------------------------------------------------------------
# Leak scenarios with known truth (validation, tests, demos)


def plant_copies(
    synthetic: pd.DataFrame,
    train: pd.DataFrame,
    fraction: float,
    seed: int | np.random.Generator = 0,
    jitter: float = 0.0,
    keep: tuple[str, ...] = ("person_id",),
) -> tuple[pd.DataFrame, np.ndarray]:
    """Replace a ``fraction`` of synthetic rows by copies of distinct random train rows.

    ``jitter`` > 0 makes near copies: numeric columns get Gaussian noise of ``jitter`` times the
    column's standard deviation in train. Columns in ``keep`` (ids) keep the synthetic value.
    Returns the new table and the replaced synthetic row positions.
    """
    rng = np.random.default_rng(seed)
    n = int(round(fraction * len(synthetic)))
    out = synthetic.copy()
    if n == 0:
        return out, np.zeros(0, dtype=np.int64)
    pos = np.sort(rng.choice(len(synthetic), n, replace=False))
    src = train.iloc[rng.choice(len(train), n, replace=False)].reset_index(drop=True)
    for col in out.columns:
        if col in keep:
            continue
        values = src[col].to_numpy()
        if jitter > 0 and pd.api.types.is_numeric_dtype(train[col]) and not \
                pd.api.types.is_bool_dtype(train[col]):
            sd = float(train[col].std())
            values = values.astype("float64") + rng.normal(0.0, jitter * sd, n)
            if not pd.api.types.is_float_dtype(out[col]):
                out[col] = out[col].astype("float64")
        out.iloc[pos, out.columns.get_loc(col)] = values
    return out, pos


def mode_collapse(population: pd.DataFrame, n: int, n_modes: int,
                  seed: int | np.random.Generator = 0) -> pd.DataFrame:
    """A collapsed "generator" that never saw the training data: ``n`` rows drawn from only
    ``n_modes`` rows of ``population`` (fresh records), with small numeric noise."""
    rng = np.random.default_rng(seed)
    modes = population.iloc[rng.choice(len(population), n_modes, replace=False)]
    out = modes.iloc[rng.integers(0, n_modes, n)].reset_index(drop=True)
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            sd = float(population[col].std())
            out[col] = out[col] + rng.normal(0.0, 0.05 * sd, n)
    return out
