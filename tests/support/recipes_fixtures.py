"""A small dataset whose right answers are known, shared by the recipe tests.

Two disjoint user groups with disjoint item sets: users ``a0..a5`` interact only with items ``A0..A4``,
users ``b0..b5`` only with ``B0..B4``. Each user has seen 3 of their group's 5 items, so the best unseen
items for an ``a`` user are the other ``A`` items. Within group A, ``mobile`` interactions go to ``A0``/``A1``
and ``desktop`` ones to ``A2``..``A4``. ``B`` items were interacted with recently (they trend), ``A`` items
long ago. The Items dataset adds ``A_new`` (category ``catA``, never interacted, created at the end) and
``B_new`` (``catB``). Every (user, item) pair yields a View, a Watch and a Purchase event.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAY = 86_400
T0 = 1_700_000_000
SEEN = {0: (0, 1, 2), 1: (1, 2, 3), 2: (2, 3, 4), 3: (0, 1, 3), 4: (0, 1, 4), 5: (0, 2, 4)}


def interactions() -> pd.DataFrame:
    rows = []
    for group, start in (("a", T0), ("b", T0 + 60 * DAY)):
        for u, items in SEEN.items():
            for step, i in enumerate(items):
                device = "mobile" if group == "a" and i in (0, 1) else "desktop"
                ts = start + (u * 3 + step) * 3600
                for k, event in enumerate(("View", "Watch", "Purchase")):
                    rows.append((f"{group}{u}", f"{group.upper()}{i}", ts + k, event, 1.0, device))
    frame = pd.DataFrame(
        rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE", "DEVICE"]
    )
    frame["TIMESTAMP"] = frame["TIMESTAMP"].astype("int64")
    return frame


def items() -> pd.DataFrame:
    ids = [f"{g}{i}" for g in "AB" for i in range(5)] + ["A_new", "B_new"]
    latest = T0 + 60 * DAY + 20 * 3600
    return pd.DataFrame(
        {
            "ITEM_ID": ids,
            "GENRES": ["catA|drama"] * 5 + ["catB|comedy"] * 5 + ["catA|drama", "catB|comedy"],
            "PRICE": [1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 20.0, 30.0, 40.0, 50.0, 2.5, 25.0],
            "CREATION_TIMESTAMP": [T0 - DAY] * 10 + [latest, latest],
        }
    )


def group_items(group: str) -> set[str]:
    return {f"{group.upper()}{i}" for i in range(5)}


def unseen(user: str) -> set[str]:
    return group_items(user[0]) - {f"{user[0].upper()}{i}" for i in SEEN[int(user[1:])]}


def top(ids: np.ndarray, scores: np.ndarray, k: int, exclude: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    order = np.argsort(-scores, kind="stable")
    return [str(ids[j]) for j in order if str(ids[j]) not in exclude and np.isfinite(scores[j])][:k]
