"""Integer-coded training data: the one place where Personalize-shaped frames become arrays for the models.

Every recipe trains on a :class:`TrainingData`, so users, items, event types and context values are coded
once, the catalog order is the same for every model of a dataset group, and the user×item matrix is built
once. The catalog is what the service's models score: every item of the Items dataset plus every interacted
item (semantics §2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from personalize_lab.errors import DataError
from personalize_lab.fields import REQUIRED, RESERVED

__all__ = ["RESERVED_INTERACTION_COLUMNS", "Catalog", "CodedColumn", "TrainingData"]

SECONDS_PER_DAY = 86_400.0

#: Interactions columns that are never context (semantics §8 reserved fields).
RESERVED_INTERACTION_COLUMNS = frozenset(
    {*REQUIRED["Interactions"], *RESERVED["Interactions"], "EVENT_ID", "SESSION_ID"}  # + PutEvents' own ids
)


@dataclass(frozen=True, eq=False)
class Catalog:
    """The items a model scores, in a stable order: Items-dataset order first, then other interacted items
    sorted by id. ``item_ids[k]`` is the item of catalog index ``k``; ``index`` maps back."""

    item_ids: np.ndarray  # object array of str, shape (n_items,)
    index: dict[str, int]

    def __len__(self) -> int:
        return len(self.item_ids)

    @cached_property
    def id_strings(self) -> list[str]:
        """``item_ids`` as a list of str, so an answer's ids are plain list lookups (no numpy round trip)."""
        return [str(i) for i in self.item_ids.tolist()]

    def indices(self, item_ids: Iterable[str]) -> np.ndarray:
        """Catalog indices of the known ids among ``item_ids`` (unknown ids are skipped), as int64."""
        idx = [self.index[i] for i in item_ids if i in self.index]
        return np.asarray(idx, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class CodedColumn:
    """A categorical column as integer codes into ``values`` (code -1 = missing)."""

    codes: np.ndarray  # int32, one per row
    values: np.ndarray  # object array of str

    @cached_property
    def lookup(self) -> dict[str, int]:
        return {str(v): k for k, v in enumerate(self.values)}


def _code(series: pd.Series) -> CodedColumn:
    codes, uniques = pd.factorize(series, use_na_sentinel=True, sort=True)
    return CodedColumn(codes.astype(np.int32), np.asarray([str(u) for u in uniques], dtype=object))


def _require(frame: pd.DataFrame, name: str, columns: Sequence[str]) -> None:
    for col in columns:
        if col not in frame.columns:
            raise DataError(
                f"the {name} frame has no {col} column (columns: {list(frame.columns)})",
                column=col,
                rule=f"the {name} dataset requires {col}",
                fix=f"add a {col} column",
            )


@dataclass(frozen=True, eq=False)
class TrainingData:
    """Coded interactions plus catalog, item creation times and the user×item count matrix.

    Arrays are per interaction (``user_idx``, ``item_idx``, ``timestamp``, ``event_type``, ``event_value``,
    ``context[col]``), sorted by timestamp (stable), or per catalog item (``item_creation_timestamp``,
    ``item_counts``). ``items``/``users`` keep the metadata frames re-indexed to catalog/user order.
    """

    catalog: Catalog
    user_ids: np.ndarray  # object array: interacted users first (sorted), then Users-only users
    user_index: dict[str, int]
    user_idx: np.ndarray  # int32 (n_interactions,)
    item_idx: np.ndarray  # int32 (n_interactions,)
    timestamp: np.ndarray  # int64 (n_interactions,)
    event_type: CodedColumn | None
    event_value: np.ndarray | None  # float32, NaN where missing
    context: dict[str, CodedColumn]
    item_creation_timestamp: np.ndarray  # int64 (n_items,)
    item_counts: np.ndarray  # int64 (n_items,)
    latest_timestamp: int
    items: pd.DataFrame | None = field(default=None)  # catalog order, ITEM_ID as index
    users: pd.DataFrame | None = field(default=None)  # user order, USER_ID as index

    @property
    def n_items(self) -> int:
        return len(self.catalog)

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_interactions(self) -> int:
        return len(self.user_idx)

    @cached_property
    def user_items(self) -> sp.csr_matrix:
        """users × catalog CSR of interaction counts (float32), built once."""
        return self.matrix()

    def matrix(self, weights: np.ndarray | None = None, mask: np.ndarray | None = None) -> sp.csr_matrix:
        """users × catalog CSR summing ``weights`` (default 1 per interaction) over rows kept by ``mask``."""
        u, i = self.user_idx, self.item_idx
        w = np.ones(len(u), dtype=np.float32) if weights is None else weights.astype(np.float32)
        if mask is not None:
            u, i, w = u[mask], i[mask], w[mask]
        m = sp.csr_matrix((w, (u, i)), shape=(self.n_users, self.n_items), dtype=np.float32)
        m.sum_duplicates()
        return m

    def event_type_mask(self, event_types: Iterable[str] | None) -> np.ndarray | None:
        """Rows whose EVENT_TYPE is one of ``event_types`` (case-insensitive, as the service matches them);
        None when ``event_types`` is None (keep everything)."""
        if event_types is None:
            return None
        wanted = {e.lower() for e in event_types}
        if self.event_type is None:
            return np.zeros(self.n_interactions, dtype=bool)
        hit = np.asarray([v.lower() in wanted for v in self.event_type.values], dtype=bool)
        codes = self.event_type.codes
        return np.where(codes >= 0, hit[np.maximum(codes, 0)], False)

    def item_age_days(self) -> np.ndarray:
        """Days from each item's creation to the latest interaction of the dataset (float32, ≥ 0 for old
        items). ``explorationItemAgeCutOff`` compares against this (semantics §5)."""
        age = (self.latest_timestamp - self.item_creation_timestamp) / SECONDS_PER_DAY
        return age.astype(np.float32)

    @classmethod
    def from_frames(
        cls,
        interactions: pd.DataFrame,
        items: pd.DataFrame | None = None,
        users: pd.DataFrame | None = None,
        *,
        context_columns: Sequence[str] | None = None,
    ) -> TrainingData:
        """Code Personalize-shaped frames. ``context_columns`` default: every non-reserved string column of
        ``interactions``. Item creation time: CREATION_TIMESTAMP; else the item's oldest interaction; an
        item with neither counts as created at the latest interaction (a new item)."""
        inter = _time_sorted(interactions)
        timestamp = inter["TIMESTAMP"].to_numpy(dtype=np.int64)
        catalog, item_idx = _catalog(inter, items)
        user_ids, user_index, user_idx = _users(inter, users)
        item_counts = np.bincount(item_idx, minlength=len(catalog)).astype(np.int64)
        latest = int(timestamp.max()) if len(timestamp) else 0
        items_frame = _metadata(items, "ITEM_ID", catalog.item_ids)
        return cls(
            catalog=catalog,
            user_ids=user_ids,
            user_index=user_index,
            user_idx=user_idx,
            item_idx=item_idx,
            timestamp=timestamp,
            event_type=_code(inter["EVENT_TYPE"].astype("string")) if "EVENT_TYPE" in inter else None,
            event_value=_event_values(inter),
            context=_context(inter, context_columns),
            item_creation_timestamp=_creation_times(item_idx, timestamp, item_counts, latest, items_frame),
            item_counts=item_counts,
            latest_timestamp=latest,
            items=items_frame,
            users=_metadata(users, "USER_ID", user_ids),
        )


def _time_sorted(interactions: pd.DataFrame) -> pd.DataFrame:
    """The interactions with the required columns, sorted by TIMESTAMP (stable), which must be numeric."""
    _require(interactions, "Interactions", ("USER_ID", "ITEM_ID", "TIMESTAMP"))
    ts_raw = interactions["TIMESTAMP"].to_numpy()
    if not np.issubdtype(ts_raw.dtype, np.number):
        raise DataError(
            f"TIMESTAMP has dtype {interactions['TIMESTAMP'].dtype}",
            column="TIMESTAMP",
            rule="TIMESTAMP is a long of epoch seconds",
            fix="convert it, e.g. pd.to_datetime(col).astype('int64') // 10**9",
        )
    order = np.argsort(ts_raw, kind="stable")
    return interactions.iloc[order].reset_index(drop=True)


def _catalog(inter: pd.DataFrame, items: pd.DataFrame | None) -> tuple[Catalog, np.ndarray]:
    """The catalog (Items-dataset order first, then interacted-only items sorted by id) and each
    interaction's catalog index (int32)."""
    item_codes, item_uniques = pd.factorize(inter["ITEM_ID"].astype(str), sort=True)
    inter_items = np.asarray(item_uniques, dtype=object)
    if items is not None:
        _require(items, "Items", ("ITEM_ID",))
        listed = pd.unique(items["ITEM_ID"].astype(str).to_numpy()).tolist()
        listed_set = set(listed)
        extra = [i for i in inter_items.tolist() if i not in listed_set]
        item_ids = np.asarray([*listed, *extra], dtype=object)
    else:
        item_ids = inter_items
    index = {str(i): k for k, i in enumerate(item_ids)}
    remap = np.asarray([index[i] for i in inter_items.tolist()], dtype=np.int32)
    item_idx = remap[item_codes] if len(item_codes) else np.zeros(0, dtype=np.int32)
    return Catalog(item_ids, index), item_idx.astype(np.int32)


def _users(inter: pd.DataFrame, users: pd.DataFrame | None) -> tuple[np.ndarray, dict[str, int], np.ndarray]:
    """User ids (interacted users sorted, then Users-dataset users without interactions), their index and
    each interaction's user index (int32)."""
    user_codes, user_uniques = pd.factorize(inter["USER_ID"].astype(str), sort=True)
    user_list = [str(u) for u in user_uniques]
    if users is not None:
        _require(users, "Users", ("USER_ID",))
        known = set(user_list)
        user_list += [u for u in pd.unique(users["USER_ID"].astype(str).to_numpy()) if u not in known]
    user_index = {u: k for k, u in enumerate(user_list)}
    return np.asarray(user_list, dtype=object), user_index, user_codes.astype(np.int32)


def _event_values(inter: pd.DataFrame) -> np.ndarray | None:
    """EVENT_VALUE as float32, NaN where missing or not a number; None without the column."""
    if "EVENT_VALUE" not in inter:
        return None
    return pd.to_numeric(inter["EVENT_VALUE"], errors="coerce").to_numpy(dtype=np.float32, na_value=np.nan)


def _context(inter: pd.DataFrame, columns: Sequence[str] | None) -> dict[str, CodedColumn]:
    """The context columns coded; default: every non-reserved string column of the interactions."""
    if columns is None:
        columns = [
            c
            for c in inter.columns
            if c not in RESERVED_INTERACTION_COLUMNS
            and (pd.api.types.is_string_dtype(inter[c]) or inter[c].dtype == object)
        ]
    return {c: _code(inter[c].astype("string")) for c in columns if c in inter.columns}


def _creation_times(
    item_idx: np.ndarray,
    timestamp: np.ndarray,
    item_counts: np.ndarray,
    latest: int,
    items_frame: pd.DataFrame | None,
) -> np.ndarray:
    """Per catalog item: CREATION_TIMESTAMP where given, else its oldest interaction, else ``latest``."""
    creation = np.full(len(item_counts), latest, dtype=np.int64)
    if len(item_idx):
        first_seen = np.full(len(item_counts), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_seen, item_idx, timestamp)
        seen = item_counts > 0
        creation[seen] = first_seen[seen]
    if items_frame is not None and "CREATION_TIMESTAMP" in items_frame.columns:
        ct = pd.to_numeric(items_frame["CREATION_TIMESTAMP"], errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        ok = ~np.isnan(ct)
        creation[ok] = ct[ok].astype(np.int64)
    return creation


def _metadata(frame: pd.DataFrame | None, id_column: str, ids: np.ndarray) -> pd.DataFrame | None:
    """A metadata frame indexed by id (first row per id) and re-indexed to ``ids``' order."""
    if frame is None:
        return None
    kept = frame.drop_duplicates(id_column)
    kept = kept.set_index(frame[id_column].drop_duplicates().astype(str))
    return kept.drop(columns=[id_column]).reindex(ids)
