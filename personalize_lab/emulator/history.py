"""Every user's interactions — the imported ones and those streamed with PutEvents — for filters and models.

Interaction filters look at a user's newest interactions per event type (100 by default, semantics §3.2),
and User-Personalization folds in events streamed after training on the very next request (§10). Both read
from here. Imported interactions are stored once, sorted by user and time, as flat arrays with per-user
offsets (so 1M interactions cost a few arrays, not a million Python objects); streamed events are appended
per user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class _Streamed:
    items: list[int] = field(default_factory=list)
    item_ids: list[str] = field(default_factory=list)
    event_types: list[str] = field(default_factory=list)
    timestamps: list[int] = field(default_factory=list)


class History:
    """Per-user interaction history over catalog indices.

    ``index`` maps an item id to its catalog position; interactions with items outside the catalog are kept
    for display but never reach filters or models (they cannot be recommended).
    """

    def __init__(
        self, interactions: pd.DataFrame, index: Mapping[str, int], *, per_event_type: int = 100
    ) -> None:
        self._index = index
        self.per_event_type = per_event_type
        frame = interactions
        users = frame["USER_ID"].astype(str).to_numpy()
        ts = frame["TIMESTAMP"].to_numpy(dtype=np.int64)
        order = np.lexsort((ts, users))
        self._users_sorted = users[order]
        self._item_ids = frame["ITEM_ID"].astype(str).to_numpy()[order]
        self._items = np.fromiter(
            (index.get(i, -1) for i in self._item_ids), dtype=np.int64, count=len(self._item_ids)
        )
        self._ts = ts[order]
        if "EVENT_TYPE" in frame.columns:
            self._types = frame["EVENT_TYPE"].astype(str).str.lower().to_numpy()[order]
        else:
            self._types = np.full(len(frame), "", dtype=object)
        uniq, starts = np.unique(self._users_sorted, return_index=True)
        ends = np.append(starts[1:], len(self._users_sorted))
        self._span = {u: (int(s), int(e)) for u, s, e in zip(uniq, starts, ends, strict=True)}
        self._streamed: dict[str, _Streamed] = {}

    # --- writing -------------------------------------------------------------------------------------
    def add(self, user_id: str, item_id: str, event_type: str, timestamp: int) -> None:
        """Record one streamed event (PutEvents); visible to the next request."""
        s = self._streamed.setdefault(user_id, _Streamed())
        s.items.append(self._index.get(item_id, -1))
        s.item_ids.append(item_id)
        s.event_types.append(event_type.lower())
        s.timestamps.append(int(timestamp))

    # --- reading -------------------------------------------------------------------------------------
    @property
    def users(self) -> list[str]:
        """Every user with imported or streamed interactions."""
        return sorted(set(self._span) | set(self._streamed))

    def knows(self, user_id: str) -> bool:
        return user_id in self._span or user_id in self._streamed

    def streamed_items(self, user_id: str) -> np.ndarray:
        """Catalog indices of the user's events streamed after training, oldest first (for fold-in)."""
        s = self._streamed.get(user_id)
        if s is None:
            return np.empty(0, dtype=np.int64)
        items = np.asarray(s.items, dtype=np.int64)
        return items[items >= 0]

    def by_event_type(self, user_id: str) -> dict[str, np.ndarray]:
        """Lower-cased event type -> catalog indices of the newest ``per_event_type`` interactions."""
        items, types, ts = self._all(user_id)
        if len(items) == 0:
            return {}
        order = np.argsort(-ts, kind="stable")
        items, types = items[order], types[order]
        out: dict[str, np.ndarray] = {}
        for event_type in np.unique(types):
            chosen = items[types == event_type][: self.per_event_type]
            out[str(event_type)] = chosen[chosen >= 0]
        return out

    def frame(self, user_id: str, limit: int | None = None) -> pd.DataFrame:
        """The user's interactions, newest first: ITEM_ID, EVENT_TYPE, TIMESTAMP, source."""
        s, e = self._span.get(user_id, (0, 0))
        parts = [
            pd.DataFrame(
                {
                    "ITEM_ID": self._item_ids[s:e],
                    "EVENT_TYPE": self._types[s:e],
                    "TIMESTAMP": self._ts[s:e],
                    "source": "imported",
                }
            )
        ]
        streamed = self._streamed.get(user_id)
        if streamed is not None:
            parts.append(
                pd.DataFrame(
                    {
                        "ITEM_ID": streamed.item_ids,
                        "EVENT_TYPE": streamed.event_types,
                        "TIMESTAMP": np.asarray(streamed.timestamps, dtype=np.int64),
                        "source": "PutEvents",
                    }
                )
            )
        out = pd.concat(parts, ignore_index=True).sort_values("TIMESTAMP", ascending=False, kind="stable")
        return out.head(limit).reset_index(drop=True) if limit else out.reset_index(drop=True)

    def _all(self, user_id: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        s, e = self._span.get(user_id, (0, 0))
        items, types, ts = self._items[s:e], self._types[s:e], self._ts[s:e]
        streamed = self._streamed.get(user_id)
        if streamed is not None:
            items = np.concatenate([items, np.asarray(streamed.items, dtype=np.int64)])
            types = np.concatenate([types, np.asarray(streamed.event_types, dtype=object)])
            ts = np.concatenate([ts, np.asarray(streamed.timestamps, dtype=np.int64)])
        return items, types, ts
