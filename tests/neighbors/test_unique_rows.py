"""``unique_rows`` (hash, sort, verify) gives the exact sort of the rows' bytes up to the order of
the points: the same partition of the rows and the same point values, -0.0 equal to 0.0; a
forced hash collision takes the exact fallback."""

from __future__ import annotations

import numpy as np
import pytest

from synthscan.neighbors import unique
from synthscan.neighbors.unique import unique_rows


def _byte_sort(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The oracle: rows as void bytes (after -0.0 -> 0.0), sorted and deduplicated."""
    a = np.ascontiguousarray(a) + np.zeros(1, dtype=a.dtype)
    void = a.view(np.dtype((np.void, a.dtype.itemsize * a.shape[1]))).ravel()
    _, first, inverse = np.unique(void, return_index=True, return_inverse=True)
    return a[first], inverse.ravel().astype(np.int64)


def _bits(x: np.ndarray) -> np.ndarray:
    return x.view(np.dtype(f"u{x.dtype.itemsize}"))


def _assert_same_partition(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    points, inverse = unique_rows(a)
    want_points, want_inverse = _byte_sort(a)
    assert points.dtype == a.dtype and inverse.dtype == np.int64
    assert points.shape == want_points.shape and inverse.shape == (len(a),)
    # every row sits on the point holding its values, bit for bit (-0.0 as 0.0)
    assert np.array_equal(_bits(points[inverse]), _bits(want_points[want_inverse]))
    # the same partition: the two labellings correspond one to one
    pairs = np.unique(np.stack([inverse, want_inverse]), axis=1)
    assert pairs.shape[1] == len(points) == len(want_points)
    return points, inverse


def _encoded(n: int, d: int, seed: int) -> np.ndarray:
    """Rows like the scan's encoding: a few continuous columns, one-hot blocks, many copies."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, d), dtype=np.float32)
    x[:, :3] = np.round(rng.normal(size=(n, 3)), 1)
    x[np.arange(n), 3 + rng.integers(0, d - 3, n)] = 1.0
    if n > 1:
        x[n // 2:] = x[rng.integers(0, n // 2, n - n // 2)]
    return x


@pytest.mark.parametrize("shape", [(500, 37), (400, 8), (300, 1), (1, 5), (0, 4)])
def test_same_partition_and_values_as_the_byte_sort(shape: tuple[int, int]) -> None:
    n, d = shape
    a = _encoded(n, d, seed=d) if d > 3 else np.round(
        np.random.default_rng(d).normal(size=shape), 0).astype(np.float32)
    _assert_same_partition(a)


@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.int32, np.int8, np.bool_])
def test_other_types(dtype: type) -> None:
    rng = np.random.default_rng(5)
    a = rng.integers(0, 2, size=(300, 7)).astype(dtype)  # few distinct rows: many groups > 1
    _, inverse = _assert_same_partition(a)
    assert len(np.unique(inverse)) < 128


def test_minus_zero_is_zero_and_the_point_holds_zero() -> None:
    a = np.array([[0.0, 1.0], [-0.0, 1.0], [0.0, -0.0], [-0.0, 0.0], [1.0, 1.0]],
                 dtype=np.float32)
    points, inverse = _assert_same_partition(a)
    assert len(points) == 3
    assert inverse[0] == inverse[1] and inverse[2] == inverse[3] != inverse[0]
    assert not np.signbit(points).any()


def test_empty_columns_are_one_point() -> None:
    points, inverse = unique_rows(np.zeros((6, 0), dtype=np.float32))
    assert points.shape == (1, 0) and inverse.tolist() == [0] * 6
    points, inverse = unique_rows(np.zeros((0, 0), dtype=np.float32))
    assert points.shape == (0, 0) and inverse.shape == (0,)


def test_the_hash_path_is_verified_and_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    verified: list[bool] = []
    real = unique._rows_equal

    def spy(a: np.ndarray, rows: np.ndarray, others: np.ndarray) -> bool:
        verified.append(real(a, rows, others))
        return verified[-1]

    monkeypatch.setattr(unique, "_rows_equal", spy)
    _assert_same_partition(_encoded(2000, 40, seed=1))
    assert verified == [True]


@pytest.mark.parametrize("bucket_mask", [0, 1])
def test_a_hash_collision_takes_the_exact_fallback(monkeypatch: pytest.MonkeyPatch,
                                                   bucket_mask: int) -> None:
    """Every row hashed into one or two buckets: the rows of a bucket differ, the verification
    sees it, and the answer is the byte sort's, in its order."""
    real = unique._row_hashes

    def colliding(a: np.ndarray) -> np.ndarray | None:
        h = real(a)
        return None if h is None else h & np.uint64(bucket_mask)

    monkeypatch.setattr(unique, "_row_hashes", colliding)
    a = _encoded(600, 21, seed=2)
    a[5] = -0.0
    a[6] = 0.0
    points, inverse = _assert_same_partition(a)
    want_points, want_inverse = _byte_sort(a)
    assert np.array_equal(_bits(points), _bits(want_points))
    assert np.array_equal(inverse, want_inverse)
    assert inverse[5] == inverse[6]
