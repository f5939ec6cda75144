"""Average ranks and the tie term against scipy (the oracle), and a hand-worked case."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as sps

from synthscan.stats.ranks import average_ranks, tie_term
from synthscan.stats.resampling import mann_whitney_less


def test_average_ranks_by_hand_and_against_scipy():
    # 3.0 twice spans ranks 2 and 3; 7.5 three times spans ranks 4, 5, 6
    np.testing.assert_array_equal(average_ranks(np.array([7.5, 3.0, 1.0, 7.5, 3.0, 7.5, 9.0])),
                                  [5.0, 2.5, 1.0, 5.0, 2.5, 5.0, 7.0])
    assert average_ranks(np.array([])).shape == (0,)
    rng = np.random.default_rng(0)
    for n, levels in ((1, 3), (50, 4), (2000, 40), (3001, 10**9)):
        x = rng.integers(0, levels, n).astype(np.float64)
        np.testing.assert_array_equal(average_ranks(x), sps.rankdata(x))


def test_tie_term_counts_groups_of_equal_values():
    # groups of 3, 2 and 1: (27 - 3) + (8 - 2) + 0
    assert tie_term(np.array([4, 4, 4, 1, 1, 9])) == 30.0
    assert tie_term(np.arange(10)) == 0.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mann_whitney_equals_scipy_bit_for_bit_with_ties(seed):
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(0, 1, 400), 1)
    y = np.round(rng.normal(0.1 * seed, 1, 250), 1)
    ours = mann_whitney_less(x, y)
    ref = sps.mannwhitneyu(x, y, alternative="less", method="asymptotic", use_continuity=False)
    assert ours.p_value == float(ref.pvalue)
    assert ours.u == len(x) * len(y) - float(ref.statistic)


def test_mann_whitney_with_every_value_tied_says_nothing():
    mw = mann_whitney_less(np.ones(5), np.ones(7))
    assert (mw.p_value, mw.z, mw.auc) == (0.5, 0.0, 0.5)
