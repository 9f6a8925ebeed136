"""Tiny long recommendation frames with the contract dtypes, shared by the analysis/plots/report tests."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

COLUMNS = ["variant", "userId", "rank", "itemId", "score", "promotionName", "reason", "genre"]
DTYPES = {
    "variant": "str",
    "userId": "str",
    "rank": "Int64",
    "itemId": "string",
    "score": "Float64",
    "promotionName": "string",
    "genre": "string",
}


def rec_frame(rows: Iterable[tuple[object, ...]]) -> pd.DataFrame:
    """Rows of (variant, userId, rank, itemId, score, promotionName, reason, genre)."""
    frame = pd.DataFrame(list(rows), columns=COLUMNS).astype(DTYPES)
    frame["reason"] = [tuple(r) for r in frame["reason"]]
    return frame


P, E, POP = "Promoted item", "Exploration", "Popular item"

#: The frame most hand-computed expectations in the tests refer to.
SMALL = [
    ("A", "u1", 1, "a", 0.5, None, (), "x"),
    ("A", "u1", 2, "b", 0.3, None, (), "y"),
    ("A", "u1", 3, "c", None, None, (POP,), "x"),
    ("B", "u1", 1, "b", 0.4, "promo", (P,), "y"),
    ("B", "u1", 2, "a", 0.2, None, (E,), "x|z"),
    ("A", "u2", 1, "d", 0.1, None, (), "z"),
    ("B", "u2", 1, "e", 0.6, None, (), "z"),
]


def small_frame() -> pd.DataFrame:
    return rec_frame(SMALL)
