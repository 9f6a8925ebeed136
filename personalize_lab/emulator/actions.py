"""The Next-Best-Action state of a dataset group: its actions (Actions dataset) and action interactions.

:class:`ActionCatalog` holds the Actions table in a stable order (imported actions, then actions added with
PutActions), with the reserved columns the runtime reads as arrays: ``VALUE`` (ranks equally likely actions),
``ACTION_EXPIRATION_TIMESTAMP`` (an expired action is never recommended), ``REPEAT_FREQUENCY`` (days before a
taken action is recommended to that user again) and ``CREATION_TIMESTAMP``. Action filters compile against
it (``Actions.`` fields).

:class:`ActionHistory` holds every user's action interactions, imported and streamed with
PutActionInteractions: per event type for ``Action_Interactions.EVENT_TYPE`` filters (the newest 300 per user
and type, semantics §3.2) and the time of each user's latest TAKEN per action for repeat frequency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from personalize_lab.datasets.actions import TAKEN
from personalize_lab.emulator.filtering import FilterCatalog
from personalize_lab.emulator.history import History

__all__ = ["ACTION_HISTORY_PER_EVENT_TYPE", "ActionCatalog", "ActionHistory"]

#: Action interaction filters see a user's newest 300 action interactions per event type (semantics §3.2).
ACTION_HISTORY_PER_EVENT_TYPE = 300
SECONDS_PER_DAY = 86_400


def _column_name(key: str) -> str:
    """PutActions property keys are camelCase schema names: ``repeatFrequency`` -> ``REPEAT_FREQUENCY``."""
    out = []
    for k, ch in enumerate(key):
        if ch.isupper() and k and (key[k - 1].islower() or key[k - 1].isdigit()):
            out.append("_")
        out.append(ch.upper())
    return "".join(out)


class ActionCatalog:
    """The actions a Next-Best-Action campaign may recommend, in a stable order (see module docstring)."""

    def __init__(self, actions: pd.DataFrame) -> None:
        self.table = actions.drop_duplicates("ACTION_ID", keep="last").reset_index(drop=True)
        self.table["ACTION_ID"] = self.table["ACTION_ID"].astype(str)
        self.index: dict[str, int] = {}  # shared with ActionHistory: new actions map at once
        self._refresh()

    def _refresh(self) -> None:
        self.ids: list[str] = self.table["ACTION_ID"].tolist()
        self.index.clear()
        self.index.update({a: k for k, a in enumerate(self.ids)})
        self.filter_catalog = FilterCatalog(self.table, entity="Actions")

    def __len__(self) -> int:
        return len(self.ids)

    def numbers(self, column: str) -> np.ndarray:
        """A reserved numeric column as float64 (NaN where missing or absent)."""
        if column not in self.table.columns:
            return np.full(len(self), np.nan)
        values = pd.to_numeric(self.table[column], errors="coerce")
        return np.asarray(values, dtype=np.float64)

    def columns(self) -> list[str]:
        return [str(c) for c in self.table.columns]

    def update(self, records: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
        """PutActions: each (actionId, properties) replaces or adds a row; property keys are the camelCase
        schema names (``value`` -> VALUE); properties the schema lacks are checked by the caller."""
        rows = {a: k for k, a in enumerate(self.ids)}
        table = self.table.copy()
        for action_id, properties in records:
            values = {_column_name(k): v for k, v in properties.items()}
            position = rows.get(action_id)
            if position is None:
                position = len(table)
                table.loc[position, "ACTION_ID"] = action_id
                rows[action_id] = position
            for column, value in values.items():
                if column not in table.columns:
                    continue
                if pd.api.types.is_numeric_dtype(table[column]) and not isinstance(value, int | float):
                    value = pd.to_numeric(value, errors="coerce")
                table.loc[position, column] = value
        self.table = table.reset_index(drop=True)
        self._refresh()

    def schema_column(self, key: str) -> str | None:
        """The Actions column a PutActions property key names, or None when the dataset has no such field."""
        name = _column_name(key)
        return name if name in self.table.columns and name != "ACTION_ID" else None


class ActionHistory:
    """Users' action interactions, imported and streamed (see module docstring)."""

    def __init__(self, action_interactions: pd.DataFrame | None, catalog: ActionCatalog) -> None:
        frame = (
            action_interactions
            if action_interactions is not None
            else pd.DataFrame({"USER_ID": [], "ACTION_ID": [], "TIMESTAMP": [], "EVENT_TYPE": []})
        )
        frame = frame.assign(TIMESTAMP=pd.to_numeric(frame["TIMESTAMP"]).astype("int64"))
        self._history = History(
            frame.rename(columns={"ACTION_ID": "ITEM_ID"}),
            catalog.index,
            per_event_type=ACTION_HISTORY_PER_EVENT_TYPE,
        )
        taken = frame[frame["EVENT_TYPE"] == TAKEN]
        latest = taken.groupby([taken["USER_ID"].astype(str), taken["ACTION_ID"].astype(str)])[
            "TIMESTAMP"
        ].max()
        self._last_taken: dict[tuple[str, str], int] = {
            (str(key[0]), str(key[1])): int(ts)  # type: ignore[index]
            for key, ts in latest.items()
        }
        self.streamed: list[dict[str, Any]] = []

    def add(self, event: Mapping[str, Any]) -> None:
        """One PutActionInteractions event (canonical EVENT_TYPE); filters and repeat frequency see it."""
        user, action, ts = str(event["USER_ID"]), str(event["ACTION_ID"]), int(event["TIMESTAMP"])
        self.streamed.append(dict(event))
        self._history.add(user, action, str(event["EVENT_TYPE"]), ts)
        if event["EVENT_TYPE"] == TAKEN:
            key = (user, action)
            self._last_taken[key] = max(ts, self._last_taken.get(key, ts))

    def by_event_type(self, user_id: str) -> dict[str, np.ndarray]:
        """Lower-cased event type -> catalog positions of the user's newest action interactions of it."""
        return self._history.by_event_type(user_id)

    def last_taken(self, user_id: str, action_ids: list[str]) -> np.ndarray:
        """Per action, when the user last took it (epoch seconds; NaN for never)."""
        return np.asarray([self._last_taken.get((user_id, a), np.nan) for a in action_ids], dtype=np.float64)

    def knows(self, user_id: str) -> bool:
        return self._history.knows(user_id)

    def frame(self, user_id: str, limit: int | None = None) -> pd.DataFrame:
        """The user's action interactions newest first: ACTION_ID, EVENT_TYPE (as stored), TIMESTAMP, source."""
        out = self._history.frame(user_id, limit).rename(columns={"ITEM_ID": "ACTION_ID"})
        out["EVENT_TYPE"] = out["EVENT_TYPE"].str.upper()
        out["source"] = out["source"].replace("PutEvents", "PutActionInteractions")
        return out

    def streamed_frame(self) -> pd.DataFrame:
        """Every PutActionInteractions event, oldest first, as Action-interactions-shaped rows."""
        columns = ["EVENT_ID", "USER_ID", "SESSION_ID", "ACTION_ID", "EVENT_TYPE", "TIMESTAMP"]
        columns += ["IMPRESSION", "RECOMMENDATION_ID"]
        return pd.DataFrame(self.streamed).reindex(columns=columns)
