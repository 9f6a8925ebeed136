"""Tiny long recommendation frames with the contract dtypes, shared by the analysis/plots/report tests."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
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


def demo_frame(n_users: int = 300, depth: int = 20, seed: int = 0) -> pd.DataFrame:
    """A cohort-like frame: A = plain ranking, B = a filter reshuffles it and a promotion takes 20%.

    Scores are tiny softmax-like values (log-spread); a few B items are scoreless placeholders.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    genres = np.array(["Drama", "Comedy", "Action", "Horror|Thriller", "Kids", "Documentary"])
    n_items = 400
    item_genre = genres[rng.integers(0, len(genres), n_items)]
    popularity = 1.0 / np.arange(1, n_items + 1) ** 0.9
    rows: list[tuple[object, ...]] = []
    for u in range(n_users):
        base = rng.choice(n_items, size=depth + 8, replace=False, p=popularity / popularity.sum())
        scores_a = np.sort(rng.lognormal(-7, 1.0, depth))[::-1]
        for r, item in enumerate(base[:depth], start=1):
            rows.append(
                ("A", f"user-{u}", r, f"item-{item}", float(scores_a[r - 1]), None, (), item_genre[item])
            )
        kept = [i for i in base if item_genre[i] != "Horror|Thriller"][:depth]
        order = rng.permutation(len(kept)) if rng.random() < 0.3 else np.arange(len(kept))
        for r, idx in enumerate(order, start=1):
            item = kept[idx]
            promoted = rng.random() < 0.2
            placeholder = not promoted and rng.random() < 0.05
            reason = ("Promoted item",) if promoted else ("Popular item",) if placeholder else ()
            if not promoted and not placeholder and rng.random() < 0.1:
                reason = ("Exploration",)
            score = None if placeholder else float(rng.lognormal(-6.6, 1.0))
            rows.append(
                (
                    "B",
                    f"user-{u}",
                    r,
                    f"item-{item}",
                    score,
                    "promo" if promoted else None,
                    reason,
                    item_genre[item],
                )
            )
    return rec_frame(rows)


def wide(variants: dict[str, np.ndarray], metric: str = "m") -> pd.DataFrame:
    parts = []
    for name, values in variants.items():
        idx = pd.MultiIndex.from_product(
            [[name], [f"u{i}" for i in range(len(values))]], names=["variant", "userId"]
        )
        parts.append(pd.DataFrame({metric: values}, index=idx))
    return pd.concat(parts)
