"""Context and user-attribute lifts: how a DEVICE=mobile request really shifts scores (semantics §7).

For a categorical column (an Interactions context column, or a Users attribute mapped onto interactions)
and a value ``v``, the lift of item ``i`` is ``log((n_vi + a) / (e_vi + a))`` where ``n_vi`` counts
interactions with that value on that item, ``e_vi = n_v · n_i / N`` is the count expected if the value did
not matter, and ``a`` is a pseudo-count prior. Rare pairs shrink towards 0; an item that mobile users
interact with twice as often as expected gets about ``log 2``. Logits are log-probabilities, so adding the
lift multiplies the softmax probability by the observed over-representation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .training import CodedColumn, TrainingData

__all__ = ["LiftTable", "context_lifts", "user_attribute_lifts"]


@dataclass(frozen=True, eq=False)
class LiftTable:
    """(value, item) counts of one categorical column; lifts are computed per request in O(n_items)."""

    lookup: dict[str, int]
    pair_counts: sp.csr_matrix  # values × items
    value_counts: np.ndarray  # float64 (n_values,)
    item_share: np.ndarray  # float64 (n_items,): n_i / N over rows with a value
    prior: float

    @classmethod
    def build(cls, column: CodedColumn, item_idx: np.ndarray, n_items: int, prior: float) -> LiftTable:
        has = column.codes >= 0
        codes, items = column.codes[has], item_idx[has]
        n_values = len(column.values)
        pairs = sp.csr_matrix(
            (np.ones(len(codes), dtype=np.float32), (codes, items)),
            shape=(n_values, n_items),
            dtype=np.float32,
        )
        pairs.sum_duplicates()
        total = max(len(codes), 1)
        item_share = np.bincount(items, minlength=n_items).astype(np.float64) / total
        value_counts = np.bincount(codes, minlength=n_values).astype(np.float64)
        return cls(column.lookup, pairs, value_counts, item_share, prior)

    def lift(self, value: str) -> np.ndarray | None:
        """Per-item log-lift for ``value`` (float32), or None for a value never seen in training."""
        k = self.lookup.get(value)
        if k is None:
            return None
        observed = self.pair_counts.getrow(k).toarray().ravel().astype(np.float64)
        expected = self.value_counts[k] * self.item_share
        return np.log((observed + self.prior) / (expected + self.prior)).astype(np.float32)


def context_lifts(data: TrainingData, prior: float) -> dict[str, LiftTable]:
    """One lift table per Interactions context column."""
    return {
        name: LiftTable.build(col, data.item_idx, data.n_items, prior) for name, col in data.context.items()
    }


def user_attribute_lifts(data: TrainingData, prior: float, max_values: int = 1000) -> dict[str, LiftTable]:
    """Lift tables of categorical Users columns, counted over their users' interactions. They make a new
    user with metadata (no interactions yet) get better than plain popular items (semantics §10). Columns
    with more than ``max_values`` distinct values (ids, free text) are skipped."""
    tables: dict[str, LiftTable] = {}
    if data.users is None or data.n_interactions == 0:
        return tables
    for name in data.users.columns:
        series = data.users[name]
        if not (series.dtype == object or str(series.dtype).startswith(("str", "string"))):
            continue
        values = series.astype("string")
        uniques = values.dropna().unique()
        if len(uniques) == 0 or len(uniques) > max_values:
            continue
        ordered = np.asarray(sorted(str(v) for v in uniques), dtype=object)
        index = {v: k for k, v in enumerate(ordered)}
        per_user = np.asarray(
            [index.get(str(v), -1) if v is not None and v is not np.nan else -1 for v in values.tolist()],
            dtype=np.int32,
        )
        column = CodedColumn(per_user[data.user_idx], ordered)
        tables[name] = LiftTable.build(column, data.item_idx, data.n_items, prior)
    return tables


def total_lift(tables: Mapping[str, LiftTable], values: Mapping[str, str] | None) -> np.ndarray | None:
    """Sum of the lifts of the known (column, value) pairs; None when none applies."""
    if not values:
        return None
    out: np.ndarray | None = None
    for key, value in values.items():
        table = tables.get(key)
        if table is None:
            continue
        lift = table.lift(str(value))
        if lift is None:
            continue
        out = lift if out is None else out + lift
    return out
