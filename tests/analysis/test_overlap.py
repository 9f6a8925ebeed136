"""Overlap between variants: RBO against hand-computed values and a brute-force reference, churn per user."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personalize_lab.analysis import compare, rbo
from personalize_lab.errors import ValidationError
from tests.support.analysis_frames import rec_frame


def rbo_bruteforce(s_list: list[str], l_list: list[str], p: float) -> float:
    """Webber et al. (2010) eq. (32), written out depth by depth with sets."""
    if len(s_list) > len(l_list):
        s_list, l_list = l_list, s_list
    s, ln = len(s_list), len(l_list)
    if ln == 0:
        return 1.0
    if s == 0:
        return 0.0

    def x(d: int) -> int:
        return len(set(s_list[: min(d, s)]) & set(l_list[:d]))

    total = sum(x(d) / d * p**d for d in range(1, ln + 1))
    total += sum(x(s) * (d - s) / (s * d) * p**d for d in range(s + 1, ln + 1))
    return (1 - p) / p * total + ((x(ln) - x(s)) / ln + x(s) / s) * p**ln


def test_rbo_hand_computed_values() -> None:
    # identical lists → 1, disjoint → 0
    assert rbo(["a", "b", "c"], ["a", "b", "c"]) == pytest.approx(1.0)
    assert rbo(["a", "b", "c"], ["d", "e", "f"]) == 0.0
    # swap of ranks 2 and 3: X = 1, 1, 3 → (0.1/0.9)(0.9 + 0.405 + 0.729) + 1·0.729 = 0.955
    assert rbo(["a", "b", "c"], ["a", "c", "b"]) == pytest.approx(0.955)
    # unequal lengths (s=2, l=3): X = 0, 2, 2 → (0.1/0.9)(0.81 + 0.486 + 0.243) + 1·0.729 = 0.9
    assert rbo(["a", "b", "c"], ["b", "a"]) == pytest.approx(0.9)
    # persistence p=0.5, [a,b] vs [b,a]: X = 0, 2 → (0.5/0.5)(0.25·1) + 1·0.25 = 0.5
    assert rbo(["a", "b"], ["b", "a"], p=0.5) == pytest.approx(0.5)


def test_rbo_empty_lists() -> None:
    assert rbo([], []) == 1.0
    assert rbo(["a"], []) == 0.0
    assert rbo([], ["a"]) == 0.0


def test_rbo_matches_bruteforce_on_random_lists() -> None:
    rng = np.random.default_rng(7)
    for _ in range(300):
        universe = [f"i{j}" for j in range(15)]
        a = list(rng.permutation(universe)[: rng.integers(0, 12)])
        b = list(rng.permutation(universe)[: rng.integers(0, 12)])
        p = float(rng.choice([0.5, 0.8, 0.9, 0.98]))
        assert rbo(a, b, p=p) == pytest.approx(rbo_bruteforce(a, b, p), abs=1e-12), (a, b, p)


def test_rbo_rejects_bad_persistence() -> None:
    with pytest.raises(
        ValidationError, match=r"p=1\.0: the RBO persistence must lie strictly between 0 and 1"
    ):
        rbo(["a"], ["a"], p=1.0)


def test_pairwise_overlap_per_user() -> None:
    frame = rec_frame(
        [
            ("A", "u1", 1, "a", 0.5, None, (), "x"),
            ("A", "u1", 2, "b", 0.3, None, (), "x"),
            ("A", "u1", 3, "c", 0.1, None, (), "x"),
            ("B", "u1", 1, "b", 0.5, None, (), "x"),
            ("B", "u1", 2, "a", 0.3, None, (), "x"),
            ("B", "u1", 3, "d", 0.1, None, (), "x"),
            ("A", "u2", 1, "x", 0.5, None, (), "x"),
        ]
    )
    ov = compare(frame, n_resamples=50).overlap().set_index("userId")
    u1, u2 = ov.loc["u1"], ov.loc["u2"]
    assert (u1["variant_a"], u1["variant_b"]) == ("A", "B")
    assert u1["shared"] == 2
    assert u1["gained"] == 1
    assert u1["lost"] == 1
    assert u1["overlap@k"] == pytest.approx(2 / 3)
    assert u1["jaccard"] == pytest.approx(2 / 4)
    # X = 0, 2, 2 at depth 3: (0.1/0.9)(0.81 + 2/3·0.729) + 2/3·0.729 = 0.144 + 0.486
    assert u1["rbo"] == pytest.approx(0.630)
    assert u1["mean_rank_shift"] == 0.0  # a moved down one, b up one
    assert u1["mean_abs_rank_shift"] == 1.0
    # u2 has no list in B: an empty list there
    assert (u2["shared"], u2["gained"], u2["lost"]) == (0, 0, 1)
    assert u2["jaccard"] == 0.0
    assert u2["rbo"] == 0.0
    assert u2["overlap@k"] == 0.0
    assert math.isnan(u2["mean_rank_shift"])


def test_vectorised_rbo_equals_single_pair_rbo_on_a_cohort() -> None:
    rng = np.random.default_rng(3)
    rows = []
    lists: dict[tuple[str, str], list[str]] = {}
    for u in range(60):
        for v in ("A", "B"):
            items = [f"i{j}" for j in rng.permutation(30)[: rng.integers(0, 10)]]
            lists[(v, f"u{u}")] = items
            rows += [(v, f"u{u}", r + 1, it, 0.1, None, (), "x") for r, it in enumerate(items)]
    ov = compare(rec_frame(rows), n_resamples=20).overlap().set_index("userId")
    for u in ov.index:
        expected = rbo(lists[("A", u)], lists[("B", u)])
        assert ov.loc[u, "rbo"] == pytest.approx(expected, abs=1e-12)


@given(
    a=st.lists(st.sampled_from("abcdefghij"), max_size=10, unique=True),
    b=st.lists(st.sampled_from("abcdefghij"), max_size=10, unique=True),
    p=st.floats(0.05, 0.95),
)
@settings(max_examples=200, deadline=None)
def test_rbo_is_symmetric_and_bounded(a: list[str], b: list[str], p: float) -> None:
    value = rbo(a, b, p=p)
    assert 0.0 <= value <= 1.0
    assert value == pytest.approx(rbo(b, a, p=p), abs=1e-12)
    assert value == pytest.approx(rbo_bruteforce(a, b, p), abs=1e-12)
