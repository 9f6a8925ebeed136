"""Two single answers whose right explanation is known (v1 and v2 shapes) for the one-list plots."""

from __future__ import annotations

#: A v1 answer: rank 3 is exploration (low score, no reason), rank 5 a promotion, rank 7 has no score.
V1_LIST = [
    ("A", "u1", 1, "a", 0.4, None, (), "x"),
    ("A", "u1", 2, "b", 0.2, None, (), "x"),
    ("A", "u1", 3, "c", 3.9e-05, None, (), "x"),
    ("A", "u1", 4, "d", 0.1, None, (), "x"),
    ("A", "u1", 5, "p", 0.3, "promo", (), "x"),
    ("A", "u1", 6, "e", 0.05, None, (), "x"),
    ("A", "u1", 7, "f", None, None, (), "x"),
]
#: A v2 answer: explored items with and without a score, a promotion, a popular placeholder.
V2_LIST = [
    ("B", "u1", 1, "a", 0.5, None, (), "x"),
    ("B", "u1", 2, "x", None, None, ("Exploration",), "x"),
    ("B", "u1", 3, "b", 0.3, None, (), "x"),
    ("B", "u1", 4, "y", 0.001, None, ("Exploration",), "x"),
    ("B", "u1", 5, "p", 0.6, "promo", ("Promoted item",), "x"),
    ("B", "u1", 6, "c", 0.2, None, (), "x"),
    ("B", "u1", 7, "q", None, None, ("Popular item",), "x"),
]
