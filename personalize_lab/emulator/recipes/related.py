"""SIMS and Similar-Items: related items for a seed item (RELATED_ITEMS, no scores, semantics §1.6).

SIMS is item-item co-occurrence in user histories, cosine-normalised and shrunk for pairs seen together
only a few times. Similar-Items blends in item-metadata similarity (categorical tokens, ``|`` multi-values,
binned numbers), weighted up where co-occurrence is thin, so new and cold items get neighbours too.
Co-occurrence rows are computed per request (one sparse product over the seed's users), so fitting costs
nothing and memory stays linear in the interactions.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .base import CooccurrenceConfig, Model, RecipeSpec
from .training import TrainingData

__all__ = ["CooccurrenceModel", "item_features"]

_NUMERIC_BINS = 5
_SKIPPED_ITEM_COLUMNS = frozenset({"CREATION_TIMESTAMP"})


def item_features(items: pd.DataFrame | None, n_items: int) -> sp.csr_matrix | None:
    """Row-normalised item×token matrix: one token per categorical value (``|`` split) and per numeric
    quintile, IDF-weighted so rare shared values count more. Columns whose values are mostly unique (titles,
    ids) are skipped: they make nothing similar. None when no column qualifies."""
    if items is None or len(items.columns) == 0:
        return None
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    n_tokens = 0
    for name in items.columns:
        if name in _SKIPPED_ITEM_COLUMNS:
            continue
        series = items[name].reset_index(drop=True)  # positional rows = catalog indices
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            tokens = series.astype("string").str.split("|").explode().str.strip()
            tokens = tokens[tokens.notna() & (tokens != "")]
            if tokens.empty or tokens.nunique() > 0.5 * series.notna().sum():
                continue
            codes, _ = pd.factorize(tokens, sort=True)
            item_rows = np.asarray(tokens.index, dtype=np.int64)
        else:
            values = pd.to_numeric(series, errors="coerce")
            valid = values.notna().to_numpy()
            if valid.sum() < 2:
                continue
            ranks = values.rank(method="average", pct=True).to_numpy()
            codes = np.minimum((ranks[valid] * _NUMERIC_BINS).astype(np.int64), _NUMERIC_BINS - 1)
            item_rows = np.flatnonzero(valid)
        rows.append(item_rows)
        cols.append(codes.astype(np.int64) + n_tokens)
        n_tokens += int(codes.max()) + 1
    if not rows:
        return None
    r, c = np.concatenate(rows), np.concatenate(cols)
    feats = sp.csr_matrix((np.ones(len(r), dtype=np.float32), (r, c)), shape=(n_items, n_tokens))
    feats.data[:] = 1.0  # a token repeated in one cell counts once
    df = np.asarray((feats > 0).sum(axis=0)).ravel()
    idf = np.log((1.0 + n_items) / (1.0 + df)).astype(np.float32) + 1.0
    feats = sp.csr_matrix(feats.multiply(idf[None, :]))
    norms = np.sqrt(np.asarray(feats.multiply(feats).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ feats, dtype=np.float32)


class CooccurrenceModel(Model):
    """Co-occurrence (SIMS) with an optional metadata blend (Similar-Items)."""

    def __init__(self, spec: RecipeSpec, data: TrainingData) -> None:
        super().__init__(spec, data)
        config = spec.config
        assert isinstance(config, CooccurrenceConfig)
        self.config = config
        x = data.matrix(mask=data.event_type_mask(config.event_types))
        x.data[:] = 1.0  # a user who viewed an item five times co-views it once
        self.x = x.tocsr()
        self.xt = sp.csr_matrix(x.T)  # item -> its users
        self.item_users = np.diff(self.xt.indptr).astype(np.float64)
        self.features = item_features(data.items, data.n_items) if config.metadata_weight > 0 else None
        self._tie = (np.log1p(data.item_counts) * 1e-7).astype(np.float32)

    def relevance_for_user(
        self,
        user_id: str,
        *,
        recent_items: np.ndarray | None = None,
        context: Mapping[str, str] | None = None,
    ) -> np.ndarray:
        """Related-items recipes have no per-user ranking: popularity, as served without a seed."""
        return self.popularity_logits()

    def _cooccurrence(self, k: int) -> np.ndarray:
        users = self.xt.indices[self.xt.indptr[k] : self.xt.indptr[k + 1]]
        if len(users) == 0:
            return np.zeros(self.data.n_items, dtype=np.float64)
        counts = np.asarray(self.x[users].sum(axis=0), dtype=np.float64).ravel()
        denom = np.sqrt(self.item_users * self.item_users[k])
        denom[denom == 0] = 1.0
        return (counts / denom) * (counts / (counts + self.config.shrink))

    def relevance_for_item(self, item_id: str) -> np.ndarray | None:
        k = self.catalog.index.get(item_id)
        if k is None:
            return None
        has_cf = self.item_users[k] > 0
        has_meta = self.features is not None and self.features.indptr[k + 1] > self.features.indptr[k]
        if not has_cf and not has_meta:
            return None
        out = self._cooccurrence(k)
        out[k] = 0.0
        if has_meta:
            assert self.features is not None
            meta = np.asarray((self.features @ self.features[k].T).todense(), dtype=np.float64).ravel()
            meta[k] = 0.0
            cold = self.config.cold_item_interactions
            reliable = self.item_users / (self.item_users + cold)
            # metadata counts in units of the seed's best co-occurrence: it ranks cold items among the
            # real neighbours and breaks ties between warm ones, without drowning co-occurrence
            scale = out.max() if out.max() > 0 else 1.0
            out = out + self.config.metadata_weight * scale * meta * (1.0 - reliable * reliable[k])
        out = out.astype(np.float32) + self._tie
        out[k] = -np.inf
        return out
