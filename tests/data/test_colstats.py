"""The mergeable column statistics (``data.colstats``): the statistics of a column cut into
pieces and merged decide what the whole column's statistics decide — the kind, the facts of the
real values, the number facts and the exact distinct count — whatever the cuts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthscan.data.colstats import (
    HEAD,
    Ask,
    buckets,
    decide_kind,
    distinct_count,
    kind_evidence,
    merge_facts,
    merge_kinds,
    merge_numbers,
    number_facts,
    present_values,
    real_facts,
)
from synthscan.data.infer import describe_pieces, detect_kind, settle, settle_pieces

CUTS = [[], [1], [0, 0, 3], [5, 5, 40], [59], [17, 33, 34, 58]]


def _pieces(s: pd.Series | np.ndarray, cuts: list[int]) -> list:
    bounds = [0, *[min(c, len(s)) for c in cuts], len(s)]
    return [s[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _obj(values: list) -> pd.Series:
    return pd.Series(values, dtype=object)


COLUMNS = {
    # numbers in the first 20 values, text after: each piece alone may be numeric
    "numbers_then_text": _obj([str(i) for i in range(20)] + ["a", "b"] * 20),
    "bool_text_and_bools": _obj(["true", "FALSE"] * 15 + [True, False] * 15),
    "bools_and_numbers": _obj([True, False] * 15 + ["1"] * 30),
    "dates_as_text": _obj(["2021-01-01", None, "2021-03-04T10:00:00+02:00"] * 20),
    "dates_then_junk": _obj(["2021-01-01"] * 50 + ["2021-13-45"] * 10),
    "big_in_one_place": _obj(["1", "2"] * 25 + [str(2**60), "3"] * 5),
    "big_then_text": _obj([str(2**60)] * 30 + ["x"] * 30),
    "nested_late": _obj(["a"] * 55 + [[1, 2]] * 5),
    "nested_early": _obj([None] * 30 + ["a"] * 10 + [[1]] + ["b"] * 19),
    "all_missing_first": _obj([None] * 40 + ["1.5", "2"] * 10),
    "int64_big": pd.Series([1, 2] * 29 + [2**60, 3]),
    "floats": pd.Series([np.nan] * 30 + [1.5] * 30),
    "nullable_int": pd.Series([None] * 30 + [1] * 30, dtype="Int64"),
    "categories": pd.Series(["a", "b", None] * 20, dtype="category"),
    "datetimes": pd.Series(pd.date_range("2021-01-01", periods=60, tz="UTC")),
    "empty": _obj([None] * 60),
}


@pytest.mark.parametrize("name", list(COLUMNS))
def test_kind_of_pieces_is_the_kind_of_the_whole(name: str) -> None:
    s = COLUMNS[name]
    whole = kind_evidence(s)
    for cuts in CUTS:
        merged = merge_kinds(*[kind_evidence(p) for p in _pieces(s, cuts)])
        assert decide_kind(merged) == decide_kind(whole) == detect_kind(s), cuts
        assert (merged.present, merged.nested_at) == (whole.present, whole.nested_at), cuts


def test_kind_of_a_concatenation_is_not_a_function_of_the_pieces_kinds() -> None:
    s = COLUMNS["numbers_then_text"]
    first, second = _pieces(s, [20])
    assert (detect_kind(first), detect_kind(second), detect_kind(s)) == (
        "numeric", "categorical", "categorical")
    late = COLUMNS["nested_late"]
    assert detect_kind(late[50:]) == "nested" and detect_kind(late) == "categorical"
    early = COLUMNS["nested_early"]
    assert kind_evidence(early).nested_at == 10 and detect_kind(early) == "nested"
    assert merge_kinds(kind_evidence(early[:35]), kind_evidence(early[35:])).nested_at == 10


def test_pieces_of_different_dtypes_are_refused() -> None:
    with pytest.raises(ValueError, match="dtypes"):
        merge_kinds(kind_evidence(pd.Series([1.5])), kind_evidence(pd.Series(["a"])))


REAL = {
    "text": np.array(["3", "x", None, "3", "y"] * 50 + [str(i) for i in range(60)],
                     dtype=object),
    "complete_text": np.array(["NL"] * 59 + ["BE"], dtype=object),
    "constant_text": np.array(["NL"] * 60, dtype=object),
    "floats": np.r_[np.arange(40.0), [np.nan] * 5, [-0.0, 0.0, 2.5]],
    "no_values": np.full(30, np.nan),
}


@pytest.mark.parametrize("name", list(REAL))
def test_facts_of_pieces_are_the_facts_of_the_whole(name: str) -> None:
    values = REAL[name]
    numeric = values.dtype == np.float64
    ask = Ask(ident=True, head=not numeric)
    whole = real_facts(values, numeric, ask)
    for cuts in CUTS + [[100, 250]]:
        pieces = _pieces(values, cuts)
        merged = merge_facts(*[real_facts(p, numeric, ask) for p in pieces])
        assert (merged.rows, merged.present, merged.vmin, merged.vmax, merged.whole,
                merged.few, merged.head) == (whole.rows, whole.present, whole.vmin,
                                             whole.vmax, whole.whole, whole.few, whole.head)
        assert merged.distinct_sum >= whole.distinct_sum  # an upper bound on the pooled count
        assert merged.repeats <= whole.repeats  # a repeat within a piece is one in the whole
        split = [buckets(p, numeric, 3) for p in pieces]
        exact = sum(distinct_count([s[b] for s in split], numeric) for b in range(3))
        assert exact == distinct_count([present_values(values, numeric)], numeric)
        if not numeric:
            n = merge_numbers(*[number_facts(p) for p in pieces])
            w = number_facts(values)
            assert n.numbers == w.numbers and set(n.markers) == set(w.markers)


def test_hand_worked_facts() -> None:
    values = REAL["text"]
    facts = real_facts(values, False, Ask(ident=True, head=True))
    assert (facts.rows, facts.present) == (310, 260)
    assert len(facts.head) == HEAD and facts.head[:3] == ("3", "x", "3")
    assert facts.few == ()  # a value is missing: never constant
    assert number_facts(values).numbers == 100 + 60  # "3" twice per block of five, and 0..59
    assert sorted(number_facts(values).markers) == ["x", "y"]
    floats = real_facts(REAL["floats"], True, Ask(ident=True))
    # 2.5 is not whole: repeats are not looked for
    assert (floats.vmin, floats.vmax, floats.whole, floats.repeats) == (0.0, 39.0, False, False)
    whole = real_facts(np.r_[np.arange(40.0), -0.0], True, Ask(ident=True))
    assert (whole.whole, whole.repeats) == (True, True)  # -0.0 repeats 0.0
    # 0.0 and -0.0 are one value, wherever the pieces put them
    zeros = np.array([-0.0, 1.0, 0.0])
    assert sum(distinct_count([b[i] for b in (buckets(zeros[:1], True, 4),
                                              buckets(zeros[1:], True, 4))], True)
               for i in range(4)) == 2


def test_identifier_threshold_with_repeats_only_across_pieces() -> None:
    # 40 real values; each piece has no repeat; 38 distinct is 95% (an identifier), 37 is not
    for n_distinct, role in ((38, "identifier"), (37, "categorical")):
        values = np.array([f"K{i}" for i in range(n_distinct)]
                          + [f"K{i}" for i in range(40 - n_distinct)], dtype=object)
        pieces = _pieces(values, [n_distinct])
        facts, numbers, distinct = describe_pieces("categorical", "inferred", "", pieces)
        assert facts.distinct_sum == 40 and distinct == n_distinct
        got = settle("code", "categorical", "inferred", "", facts, numbers, distinct)
        assert got[0] == role
        assert got == settle_pieces("code", "categorical", "inferred", "", [values])
    assert got == ("categorical", "")


def test_unique_integers_except_across_pieces_are_no_identifier() -> None:
    ids = np.arange(100.0, 130.0)
    pieces = [ids[:15], np.r_[ids[15:], ids[:1]]]  # 100.0 again, in the other piece
    facts, _, distinct = describe_pieces("numeric", "inferred", "", pieces)
    assert not facts.repeats and distinct == 30 and facts.present == 31
    assert settle_pieces("row_id", "numeric", "inferred", "", pieces) == ("numeric", "")
    assert settle_pieces("row_id", "numeric", "inferred", "", [ids])[0] == "identifier"
