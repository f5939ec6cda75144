"""Tests for synthscan.stats.intervals.

References are either worked by hand from the textbook formulas, taken from published
examples, or computed with scipy (used here only as an independent check; the module
itself must not depend on it).
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import synthscan.stats as stats_pkg
from synthscan.stats import (
    clopper_pearson,
    holm,
    min_detectable_difference,
    newcombe_diff,
    normal_quantile,
    wilson,
)
from synthscan.stats import intervals as iv

# Any RuntimeWarning (division by zero, invalid value, overflow) is a test failure.
pytestmark = pytest.mark.filterwarnings("error")

Z975 = 1.959963984540054


def _scipy_wilson(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=1 - alpha, method="wilson")
    return float(ci.low), float(ci.high)


# --------------------------------------------------------------------------------------
# normal_quantile
# --------------------------------------------------------------------------------------


def test_normal_quantile_known_value() -> None:
    assert abs(normal_quantile(0.975) - Z975) < 1e-9
    assert abs(normal_quantile(0.025) + Z975) < 1e-9
    assert abs(normal_quantile(0.95) - 1.6448536269514722) < 1e-9
    assert normal_quantile(0.5) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("p", [0.5, 0.5000001, 0.6, 0.9, 0.975, 0.99, 1 - 2**-20, 1 - 2**-40])
def test_normal_quantile_symmetric(p: float) -> None:
    # For p >= 1/2, 1 - p is exact in floating point, so the pair is truly symmetric.
    assert normal_quantile(1.0 - p) == pytest.approx(-normal_quantile(p), rel=1e-13, abs=1e-15)


def test_normal_quantile_matches_scipy_including_tails() -> None:
    ps = np.concatenate(
        [
            np.logspace(-300, -2, 150),
            np.linspace(0.001, 0.999, 999),
            1.0 - np.logspace(-15, -2, 40),
        ]
    )
    for p in ps:
        ref = float(stats.norm.ppf(p))
        got = normal_quantile(float(p))
        assert abs(got - ref) <= 1e-9 * max(1.0, abs(ref)), p
        assert got == pytest.approx(ref, rel=1e-12, abs=1e-14), p


def test_normal_quantile_inverts_the_cdf() -> None:
    # Independent of scipy: Phi(x) = erfc(-x / sqrt 2) / 2.
    for p in [1e-12, 1e-6, 0.0125, 0.05, 0.2, 0.5, 0.7, 0.9]:
        x = normal_quantile(p)
        assert 0.5 * math.erfc(-x / math.sqrt(2.0)) == pytest.approx(p, rel=1e-13)


def test_normal_quantile_bounds_and_invalid() -> None:
    assert normal_quantile(0.0) == -math.inf
    assert normal_quantile(1.0) == math.inf
    for bad in [-0.1, 1.1, math.nan]:
        with pytest.raises(ValueError):
            normal_quantile(bad)


# --------------------------------------------------------------------------------------
# Wilson
# --------------------------------------------------------------------------------------


def test_wilson_hand_worked_81_of_263() -> None:
    k, n, z = 81, 263, Z975
    p = k / n
    # Textbook form: centre (p + z^2/2n) / (1 + z^2/n), half-width
    # z / (1 + z^2/n) * sqrt(p (1 - p) / n + z^2 / 4n^2).
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # By hand: p = 0.307985, centre = 0.310749, half = 0.055460.
    assert centre == pytest.approx(0.310749, abs=1e-6)
    assert half == pytest.approx(0.055460, abs=1e-6)
    lo, hi = wilson(k, n)
    assert lo == pytest.approx(centre - half, abs=1e-12)
    assert hi == pytest.approx(centre + half, abs=1e-12)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)


@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.1, 0.3])
def test_wilson_matches_scipy(alpha: float) -> None:
    for n in [1, 2, 3, 7, 20, 263, 5000]:
        for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            lo, hi = wilson(k, n, alpha)
            ref_lo, ref_hi = _scipy_wilson(k, n, alpha)
            assert lo == pytest.approx(ref_lo, abs=1e-12), (k, n)
            assert hi == pytest.approx(ref_hi, abs=1e-12), (k, n)


def test_wilson_edge_cases() -> None:
    assert wilson(0, 0) == (0.0, 1.0)
    lo, hi = wilson(0, 10)
    assert lo == 0.0 and 0.0 < hi < 1.0
    lo, hi = wilson(10, 10)
    assert hi == 1.0 and 0.0 < lo < 1.0
    # k = 0 upper bound, by hand: z^2 / (n + z^2) = 3.841459 / 13.841459.
    assert wilson(0, 10)[1] == pytest.approx(Z975**2 / (10 + Z975**2), rel=1e-12)


def test_wilson_narrows_with_confidence_level() -> None:
    lo99, hi99 = wilson(30, 100, alpha=0.01)
    lo95, hi95 = wilson(30, 100)
    lo80, hi80 = wilson(30, 100, alpha=0.2)
    assert lo99 < lo95 < lo80 < 0.3 < hi80 < hi95 < hi99


def test_fractional_counts_for_score_intervals_only() -> None:
    # expected counts of an equal-size comparison: Wilson is continuous in k
    lo_a, hi_a = wilson(2.5, 100)
    lo_b, _ = wilson(2, 100)
    _, hi_c = wilson(3, 100)
    assert lo_b < lo_a and hi_a < hi_c
    est, lo, hi = newcombe_diff(10.5, 1000, 2.25, 1000)
    assert lo <= est <= hi and abs(est - (0.0105 - 0.00225)) < 1e-12
    with pytest.raises(ValueError):
        clopper_pearson(1.5, 5)


def test_counts_accept_numpy_and_whole_floats() -> None:
    ref = wilson(81, 263)
    assert wilson(np.int64(81), np.int64(263)) == ref
    assert wilson(81.0, 263.0) == ref
    assert clopper_pearson(np.int32(3), np.uint16(40)) == clopper_pearson(3, 40)
    assert newcombe_diff(np.int64(56), 70, 48, np.int64(80)) == newcombe_diff(56, 70, 48, 80)


@pytest.mark.parametrize(
    "args",
    [(-1, 5), (6, 5), (0, -1), (1, 5, 0.0), (1, 5, 1.0), (1, 5, math.nan), (math.nan, 5)],
)
def test_wilson_invalid_input(args: tuple) -> None:
    with pytest.raises(ValueError):
        wilson(*args)


# --------------------------------------------------------------------------------------
# Incomplete beta helpers and Clopper-Pearson
# --------------------------------------------------------------------------------------


def test_betaincinv_round_trip() -> None:
    for a, b in [(1.0, 1.0), (0.5, 0.5), (3.0, 7.0), (50.0, 20.0), (2.0, 99_999.0)]:
        for y in [1e-10, 0.025, 0.5, 0.975]:
            x = iv._betaincinv(a, b, y)
            assert 0.0 <= x <= 1.0
            assert float(stats.beta.cdf(x, a, b)) == pytest.approx(y, rel=1e-9)
            assert x == pytest.approx(float(stats.beta.ppf(y, a, b)), rel=1e-10)
            # Upper-tail form: 1 - I_x(a, b) = y, i.e. x = 1 - (Beta(b, a) quantile at y).
            x_up = iv._betaincinv(a, b, y, upper=True)
            assert x_up == pytest.approx(1.0 - iv._betaincinv(b, a, y), abs=1e-15)
            assert x_up == pytest.approx(float(stats.beta.isf(y, a, b)), rel=1e-10)
            if x_up < 1.0 - 1e-6:  # otherwise 1 - x_up is dominated by float spacing
                assert float(stats.beta.sf(x_up, a, b)) == pytest.approx(y, rel=1e-9)
    assert iv._betaincinv(2.0, 3.0, 0.0) == 0.0
    assert iv._betaincinv(2.0, 3.0, 1.0) == 1.0
    assert iv._betaincinv(2.0, 3.0, 0.0, upper=True) == 1.0
    assert iv._betaincinv(2.0, 3.0, 1.0, upper=True) == 0.0


def test_clopper_pearson_closed_forms() -> None:
    lo, hi = clopper_pearson(0, 10)
    assert lo == 0.0
    assert hi == pytest.approx(1 - 0.025 ** (1 / 10), rel=1e-13)
    lo, hi = clopper_pearson(10, 10)
    assert hi == 1.0
    assert lo == pytest.approx(0.025 ** (1 / 10), rel=1e-13)
    # Large n: k = 0 upper = 1 - (alpha/2)^(1/n), computed stably.
    _, hi = clopper_pearson(0, 100_000)
    assert hi == pytest.approx(-math.expm1(math.log(0.025) / 100_000), rel=1e-12)


@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.2])
def test_clopper_pearson_matches_scipy_beta_ppf(alpha: float) -> None:
    for n in [1, 2, 5, 10, 15, 16, 37, 100, 1000, 12_345, 100_000]:
        for k in sorted({0, 1, 2, 3, 15, n // 3, n // 2, n - 2, n - 1, n}):
            if not 0 <= k <= n:
                continue
            lo, hi = clopper_pearson(k, n, alpha)
            ref_lo = float(stats.beta.ppf(alpha / 2, k, n - k + 1)) if k > 0 else 0.0
            ref_hi = float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k)) if k < n else 1.0
            assert lo == pytest.approx(ref_lo, rel=1e-11, abs=1e-15), (k, n)
            assert hi == pytest.approx(ref_hi, rel=1e-11, abs=1e-15), (k, n)


def test_clopper_pearson_edge_and_symmetry() -> None:
    assert clopper_pearson(0, 0) == (0.0, 1.0)
    for n in [1, 7, 50, 2000]:
        for k in range(0, n + 1, max(1, n // 7)):
            lo, hi = clopper_pearson(k, n)
            lo_c, hi_c = clopper_pearson(n - k, n)
            assert lo == pytest.approx(1 - hi_c, abs=1e-14)
            assert hi == pytest.approx(1 - lo_c, abs=1e-14)


def test_clopper_pearson_has_guaranteed_coverage() -> None:
    # Exact coverage P_p(lo(K) <= p <= hi(K)), K ~ Bin(n, p), must be >= 1 - alpha.
    n = 25
    bounds = [clopper_pearson(k, n) for k in range(n + 1)]
    for p in np.linspace(0.001, 0.999, 400):
        pmf = stats.binom.pmf(np.arange(n + 1), n, p)
        cover = sum(w for w, (lo, hi) in zip(pmf, bounds, strict=True) if lo <= p <= hi)
        assert cover >= 0.95 - 1e-12, p


def test_clopper_pearson_is_wider_than_wilson_here() -> None:
    # For moderate n and p away from 0/1 the exact interval is the more conservative one.
    lo_cp, hi_cp = clopper_pearson(81, 263)
    lo_w, hi_w = wilson(81, 263)
    assert lo_cp < lo_w and hi_w < hi_cp


# --------------------------------------------------------------------------------------
# Newcombe difference
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Newcombe (1998), Stat Med 17:873-890, Table II, method 10.
        ((56, 70, 48, 80), (0.2000, 0.0524, 0.3339)),
        ((9, 10, 3, 10), (0.6000, 0.1705, 0.8090)),
        ((5, 56, 0, 29), (0.0893, -0.0381, 0.1926)),
        ((0, 10, 0, 20), (0.0000, -0.1611, 0.2775)),
        ((0, 10, 0, 10), (0.0000, -0.2775, 0.2775)),
        ((10, 10, 0, 20), (1.0000, 0.6791, 1.0000)),
        ((10, 10, 0, 10), (1.0000, 0.6075, 1.0000)),
    ],
)
def test_newcombe_published_examples(counts: tuple, expected: tuple) -> None:
    got = newcombe_diff(*counts)
    assert tuple(round(v, 4) for v in got) == pytest.approx(expected, abs=1e-12)


def test_newcombe_matches_reconstruction_from_scipy_wilson() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        n1, n2 = (int(v) for v in rng.integers(1, 400, size=2))
        k1, k2 = int(rng.integers(0, n1 + 1)), int(rng.integers(0, n2 + 1))
        p1, p2 = k1 / n1, k2 / n2
        l1, u1 = _scipy_wilson(k1, n1)
        l2, u2 = _scipy_wilson(k2, n2)
        ref_lo = p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        ref_hi = p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
        est, lo, hi = newcombe_diff(k1, n1, k2, n2)
        assert est == pytest.approx(p1 - p2, abs=1e-15)
        assert lo == pytest.approx(ref_lo, abs=1e-12)
        assert hi == pytest.approx(ref_hi, abs=1e-12)


def test_newcombe_bounds_and_antisymmetry() -> None:
    rng = np.random.default_rng(2024)
    for _ in range(500):
        n1, n2 = (int(v) for v in rng.integers(1, 60, size=2))
        k1, k2 = int(rng.integers(0, n1 + 1)), int(rng.integers(0, n2 + 1))
        est, lo, hi = newcombe_diff(k1, n1, k2, n2)
        assert -1.0 <= lo <= est <= hi <= 1.0
        est_r, lo_r, hi_r = newcombe_diff(k2, n2, k1, n1)
        assert est_r == pytest.approx(-est, abs=1e-15)
        assert lo_r == pytest.approx(-hi, abs=1e-12)
        assert hi_r == pytest.approx(-lo, abs=1e-12)


def test_newcombe_empty_groups() -> None:
    assert newcombe_diff(0, 0, 3, 10) == (0.0, -1.0, 1.0)
    assert newcombe_diff(3, 10, 0, 0) == (0.0, -1.0, 1.0)
    assert newcombe_diff(0, 0, 0, 0) == (0.0, -1.0, 1.0)
    with pytest.raises(ValueError):
        newcombe_diff(11, 10, 3, 10)


# --------------------------------------------------------------------------------------
# Excess over control
# --------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------
# Intervals stay in range and contain the estimate
# --------------------------------------------------------------------------------------


def test_single_proportion_intervals_in_range_and_contain_estimate() -> None:
    rng = np.random.default_rng(99)
    cases = [(k, n) for n in range(0, 12) for k in range(n + 1)]
    cases += [(int(rng.integers(0, n + 1)), n) for n in rng.integers(1, 50_000, size=60)]
    for k, n in cases:
        for fn in (wilson, clopper_pearson):
            lo, hi = fn(k, n)
            assert 0.0 <= lo <= hi <= 1.0
            if n:
                assert lo <= k / n <= hi
                assert lo < hi


# --------------------------------------------------------------------------------------
# Multiple testing and power
# --------------------------------------------------------------------------------------


def test_holm_worked_example() -> None:
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_small_cases() -> None:
    assert holm([]) == []
    assert holm([0.2]) == [0.2]
    assert holm([0.5, 0.4]) == [0.8, 0.8]  # capped and monotone: 2 * 0.4, max(0.8, 0.5)
    assert holm([0.6, 0.9, 0.7]) == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError):
        holm([0.1, 1.5])


def _holm_rejections(pvalues: list[float], alpha: float) -> set[int]:
    """Step-down procedure itself: reject in order while p_(i) <= alpha / (m - i)."""
    m = len(pvalues)
    rejected: set[int] = set()
    for rank, idx in enumerate(sorted(range(m), key=lambda i: pvalues[i])):
        if pvalues[idx] > alpha / (m - rank):
            break
        rejected.add(idx)
    return rejected


def test_holm_agrees_with_step_down_procedure() -> None:
    rng = np.random.default_rng(31)
    for _ in range(300):
        m = int(rng.integers(1, 12))
        ps = [float(v) for v in rng.uniform(0, 0.2, size=m) ** 2]
        adjusted = holm(ps)
        assert all(0.0 <= a <= 1.0 and a >= p for a, p in zip(adjusted, ps, strict=True))
        order = np.argsort(ps, kind="stable")
        assert all(np.diff([adjusted[i] for i in order]) >= 0)
        for alpha in [0.001, 0.01, 0.05, 0.1]:
            via_adjusted = {i for i, a in enumerate(adjusted) if a <= alpha}
            assert via_adjusted == _holm_rejections(ps, alpha)


def test_min_detectable_difference_hand_worked() -> None:
    # (z_0.95 + z_0.8) * sqrt(0.1 * 0.9 * (1/1000 + 1/1000))
    # = (1.644854 + 0.841621) * 0.0134164 = 0.033360
    mdd = min_detectable_difference(1000, 1000, 0.1)
    assert mdd == pytest.approx(0.033360, abs=1e-6)
    ref = (stats.norm.ppf(0.95) + stats.norm.ppf(0.8)) * math.sqrt(0.1 * 0.9 * 0.002)
    assert mdd == pytest.approx(ref, rel=1e-12)
    ref = (stats.norm.ppf(0.99) + stats.norm.ppf(0.9)) * math.sqrt(0.3 * 0.7 * (1 / 50 + 1 / 200))
    assert min_detectable_difference(50, 200, 0.3, alpha=0.01, power=0.9) == pytest.approx(
        ref, rel=1e-12
    )


def test_min_detectable_difference_behaviour() -> None:
    assert min_detectable_difference(0, 100, 0.2) == math.inf
    assert min_detectable_difference(100, 0, 0.2) == math.inf
    assert min_detectable_difference(100, 100, 0.0) == 0.0
    sizes = [10, 100, 1000, 10_000]
    values = [min_detectable_difference(n, n, 0.2) for n in sizes]
    assert all(a > b for a, b in zip(values, values[1:], strict=False))
    # Quadrupling both groups halves the detectable difference.
    assert values[0] / min_detectable_difference(40, 40, 0.2) == pytest.approx(2.0)
    assert min_detectable_difference(100, 100, 0.2, power=0.9) > values[1]


# --------------------------------------------------------------------------------------
# Package surface
# --------------------------------------------------------------------------------------


def test_package_reexports() -> None:
    expected = {
        "clopper_pearson",
        "holm",
        "min_detectable_difference",
        "newcombe_diff",
        "normal_quantile",
        "wilson",
    }
    assert set(stats_pkg.__all__) == expected
    for name in expected:
        assert getattr(stats_pkg, name) is getattr(iv, name)


def test_scipy_is_imported_lazily() -> None:
    """The special functions come from scipy.special, imported inside the functions: a plain
    ``import synthscan`` (CLI start-up, reading results) must not pay for scipy."""
    import subprocess
    import sys

    tree = ast.parse(Path(iv.__file__).read_text(encoding="utf-8"))
    top_level = {alias.name.split(".")[0] for node in tree.body
                 if isinstance(node, (ast.Import, ast.ImportFrom))
                 for alias in (node.names if isinstance(node, ast.Import)
                               else [ast.alias(node.module or "")])}
    assert "scipy" not in top_level
    code = ("import sys, synthscan, synthscan.stats, synthscan.result; "
            "print('scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"
