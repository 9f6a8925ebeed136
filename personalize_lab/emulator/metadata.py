"""Item and user metadata of a dataset group: what filters, metadata columns and CurrentUser conditions read.

:class:`ItemMetadata` keeps the Items dataset aligned to the catalog (one row per catalog position) and
answers metadataColumns the way the service does (strings; integral numbers without ``.0``).
:class:`UserMetadata` keeps the Users dataset by user id. PutItems and PutUsers update both in place
(the service takes up to 20 minutes; the emulator is immediate). Wire ``properties`` keys are camelCase
(``numRatings``) for schema fields in UPPER_SNAKE (``NUM_RATINGS``): keys match columns ignoring case and
underscores; a key that matches none becomes a new upper-case column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from personalize_lab.emulator.filtering import FilterCatalog


def is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def column_for(key: str, columns: Iterable[str]) -> str:
    """The column a wire ``properties`` key names (case and underscores ignored), else ``KEY`` upper-cased."""
    wanted = key.replace("_", "").lower()
    for column in columns:
        if column.replace("_", "").lower() == wanted:
            return column
    return key.upper()


class ItemMetadata:
    """The Items dataset in catalog order (``ITEM_ID`` plus metadata columns) and its filter view."""

    def __init__(
        self, items: pd.DataFrame | None, item_ids: np.ndarray | Sequence[Any], *, omit_missing: bool = True
    ) -> None:
        self.table = _aligned(items, item_ids)
        self.omit_missing = omit_missing
        self.filter_catalog = FilterCatalog(self.table)
        self._columns: set[str] | None = None
        self._strings: dict[str, np.ndarray] = {}

    def columns(self) -> set[str]:
        """The metadata columns a request may ask for (every column but ``ITEM_ID``)."""
        if self._columns is None:
            self._columns = {c for c in self.table.columns if c != "ITEM_ID"}
        return self._columns

    def values(self, index: int, columns: list[str]) -> dict[str, str]:
        """One item's ``metadata`` member: the asked columns as strings (missing ones left out or "")."""
        out: dict[str, str] = {}
        for column in columns:
            value = self._column_strings(column)[index]
            if value is not None:
                out[column] = value
            elif not self.omit_missing:
                out[column] = ""
        return out

    def row(self, index: int | None) -> dict[str, Any] | None:
        """An item's non-missing metadata by column (what CurrentItem conditions read)."""
        if index is None:
            return None
        return {str(k): v for k, v in self.table.iloc[index].items() if not is_missing(v)}

    def update(self, records: Iterable[tuple[int | None, Mapping[str, Any]]]) -> None:
        """PutItems: (catalog index or None for an item new to the catalog, properties) pairs.

        Items new to the catalog are recorded nowhere (they cannot be recommended until retraining), but
        their keys still add columns, as the dataset's schema does."""
        table = self.table
        for index, properties in records:
            for key, value in properties.items():
                column = column_for(key, table.columns)
                if column not in table.columns:
                    table[column] = pd.Series([None] * len(table), dtype=object)
                if index is None:
                    continue
                if pd.api.types.is_numeric_dtype(table[column].dtype) and not isinstance(value, int | float):
                    table[column] = table[column].astype(object)
                table.loc[index, column] = value
        self._columns = None
        self._strings.clear()
        self.filter_catalog = FilterCatalog(table)

    def _column_strings(self, column: str) -> np.ndarray:
        strings = self._strings.get(column)
        if strings is None:
            strings = self._strings[column] = _as_strings(self.table[column])
        return strings


class UserMetadata:
    """The Users dataset by ``USER_ID`` (None until there is one: no Users dataset and no PutUsers yet)."""

    def __init__(self, users: pd.DataFrame | None) -> None:
        self.table: pd.DataFrame | None = (
            users.drop_duplicates("USER_ID", keep="last").set_index("USER_ID") if users is not None else None
        )

    def ids(self) -> set[str]:
        return set() if self.table is None else set(map(str, self.table.index))

    def row(self, user_id: str | None) -> dict[str, Any] | None:
        """A user's non-missing metadata by column (what CurrentUser conditions read)."""
        if not user_id or self.table is None or user_id not in self.table.index:
            return None
        return {str(k): v for k, v in self.table.loc[user_id].items() if not is_missing(v)}

    def update(self, records: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
        """PutUsers: (user id, properties) pairs; new users and new columns are added."""
        if self.table is None:
            self.table = pd.DataFrame(index=pd.Index([], name="USER_ID", dtype=object))
        table = self.table
        for user_id, properties in records:
            for key, value in properties.items():
                column = column_for(key, table.columns)
                if column not in table.columns:
                    table[column] = pd.Series(dtype=object)
                table.loc[user_id, column] = value


def _aligned(items: pd.DataFrame | None, item_ids: np.ndarray | Sequence[Any]) -> pd.DataFrame:
    ids = pd.Series(item_ids, name="ITEM_ID", dtype=object).astype(str)
    if items is None:
        return pd.DataFrame({"ITEM_ID": ids})
    table = items.drop_duplicates("ITEM_ID", keep="last").set_index("ITEM_ID")
    aligned = table.reindex(ids.to_numpy())
    aligned.index.name = "ITEM_ID"
    return aligned.reset_index()


def _as_strings(column: pd.Series) -> np.ndarray:
    """Metadata values as the service returns them: strings; integral numbers without a trailing .0."""
    out = np.empty(len(column), dtype=object)
    numeric = pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype)
    integral = numeric and bool(((column.dropna() % 1) == 0).all())
    for i, value in enumerate(column.to_numpy(dtype=object)):
        if is_missing(value):
            out[i] = None
        elif integral:
            out[i] = str(int(value))
        else:
            out[i] = str(value)
    return out
