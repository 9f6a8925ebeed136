"""User-Personalization and Personalized-Ranking: a real collaborative model with fold-in and context.

Two interchangeable cores behind one model, picked by ``FactorConfig.algorithm``:

- **EASE** (Steck 2019): item×item weights ``B = I - P/diag(P)``, ``P = (XᵀX + λI)⁻¹``. Closed form, the most
  accurate model on the demo store, fold-in is free (a user's scores are ``x_u·B`` for any history).
- **ALS** (implicit's CPU AlternatingLeastSquares) for large catalogs; a user with new events gets a user
  factor recomputed from all known plus new items (the exact ALS least-squares step).

Raw scores become logits through a per-user z-score times a temperature fitted at training time to
maximise the softmax likelihood of users' own items, so the engine's softmax gives spread, sensible
probabilities (never one item at 1.0 or all at 1/N). Context and user-attribute lifts are added to these
logits (see :mod:`.context`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from .base import FactorConfig, Model, RecipeSpec
from .context import LiftTable, context_lifts, total_lift, user_attribute_lifts
from .training import TrainingData

__all__ = ["FactorModel", "interaction_weights"]

_TEMPERATURES = np.asarray([0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0], dtype=np.float64)


def interaction_weights(data: TrainingData, config: FactorConfig) -> np.ndarray:
    """Confidence of each interaction: its event type's weight, times EVENT_VALUE when asked and positive."""
    weights = np.ones(data.n_interactions, dtype=np.float32)
    if data.event_type is not None:
        table = dict(config.event_weights)
        per_type = np.asarray([table.get(v.lower(), 1.0) for v in data.event_type.values] + [1.0], np.float32)
        weights = per_type[data.event_type.codes]  # code -1 (missing) hits the trailing 1.0
    if config.use_event_value and data.event_value is not None:
        value = data.event_value
        weights = weights * np.where(np.isfinite(value) & (value > 0), value, 1.0).astype(np.float32)
    return weights


def user_item_cells(
    data: TrainingData, weights: np.ndarray, half_life: float | None
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """(strength, recency) users×items CSR matrices with the same pattern.

    Strength of a (user, item) cell: the largest weight among its interactions (1.0 = presence; repeats do
    not add up, so a user who viewed an item ten times does not outweigh ten items). Recency: ``0.5 **
    (rank / half_life)`` where rank 0 is the user's most recently touched distinct item (1.0 everywhere
    when ``half_life`` is None). Interactions are time-sorted, so the last occurrence is the newest.
    """
    n_items = data.n_items
    key = data.user_idx.astype(np.int64) * n_items + data.item_idx.astype(np.int64)
    by_key = np.lexsort((weights, key))  # within a cell, the largest weight comes last
    sorted_keys = key[by_key]
    last_of_cell = np.flatnonzero(np.append(sorted_keys[1:] != sorted_keys[:-1], True)) if len(key) else key
    cells = sorted_keys[last_of_cell]
    strength = weights[by_key[last_of_cell]].astype(np.float32)
    # newest position of each cell: unique over the reversed sequence finds last occurrences
    _, first_in_reversed = np.unique(key[::-1], return_index=True)
    newest = len(key) - 1 - first_in_reversed  # aligned with the sorted unique cells
    users, items = cells // n_items, cells % n_items
    recency = np.ones(len(cells), dtype=np.float32)
    if half_life is not None and len(cells):
        order = np.lexsort((-newest, users))  # per user, newest first
        starts = np.flatnonzero(np.append(True, users[order][1:] != users[order][:-1]))
        group_start = np.repeat(starts, np.diff(np.append(starts, len(order))))
        rank = np.empty(len(cells), dtype=np.float64)
        rank[order] = np.arange(len(order)) - group_start
        recency = (0.5 ** (rank / half_life)).astype(np.float32)
    shape = (data.n_users, n_items)
    x = sp.csr_matrix((strength, (users, items)), shape=shape, dtype=np.float32)
    r = sp.csr_matrix((recency, (users, items)), shape=shape, dtype=np.float32)
    return x, r


def _ease(x: sp.csr_matrix, lam: float) -> np.ndarray:
    gram = (x.T @ x).toarray().astype(np.float64)
    gram[np.diag_indices_from(gram)] += lam
    p = np.linalg.inv(gram)
    b = p / (-np.diag(p))
    b[np.diag_indices_from(b)] = 0.0
    return b.astype(np.float32)


class FactorModel(Model):
    """EASE or ALS scores for users, with fold-in of streamed events, context lifts and cold start."""

    def __init__(self, spec: RecipeSpec, data: TrainingData) -> None:
        super().__init__(spec, data)
        config = spec.config
        assert isinstance(config, FactorConfig)
        self.config = config
        self.x, self.recency = user_item_cells(
            data, interaction_weights(data, config), config.recency_half_life
        )
        algorithm = config.algorithm
        if algorithm == "auto":
            algorithm = "ease" if data.n_items <= config.ease_max_items else "als"
        self.algorithm = algorithm
        self.item_weights: np.ndarray | None = None
        self.user_factors: np.ndarray | None = None
        self.item_factors: np.ndarray | None = None
        if algorithm == "als":
            # Import before limiting threads: the import may load another OpenBLAS that the limit must see.
            import implicit.cpu.als  # noqa: F401
        with threadpool_limits(1, "blas"):
            if algorithm == "ease":
                self.item_weights = _ease(self.x, config.ease_lambda)
            else:
                self._fit_als()
        self.context_tables: dict[str, LiftTable] = context_lifts(data, config.context_prior)
        self.user_tables: dict[str, LiftTable] = user_attribute_lifts(data, config.context_prior)
        self.temperature = self._fit_temperature()

    # -- cores ---------------------------------------------------------------------------------------------
    def _fit_als(self) -> None:
        from implicit.cpu.als import AlternatingLeastSquares

        c = self.config
        als = AlternatingLeastSquares(
            factors=c.factors,
            regularization=c.regularization,
            alpha=c.alpha,
            iterations=c.iterations,
            num_threads=1,
            random_state=c.seed,
        )
        als.fit(self.x, show_progress=False)
        self.user_factors = np.asarray(als.user_factors, dtype=np.float32)
        self.item_factors = np.asarray(als.item_factors, dtype=np.float32)
        y = self.item_factors.astype(np.float64)
        self._yty = y.T @ y

    def _als_user_factor(self, items: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """The ALS least-squares user step for one history (the target of implicit's conjugate-gradient
        step, solved exactly): (YᵀY + Yᵤᵀ(Cᵤ−I)Yᵤ + λI) x = Yᵤᵀ Cᵤ 1, with implicit's Cᵤ = α·w."""
        assert self.item_factors is not None
        y = self.item_factors[items].astype(np.float64)
        conf = self.config.alpha * weights.astype(np.float64)
        a = self._yty + (y.T * (conf - 1.0)) @ y + self.config.regularization * np.eye(y.shape[1])
        return np.linalg.solve(a, y.T @ conf).astype(np.float32)

    def _raw_scores(self, row: int | None, recent: np.ndarray | None) -> np.ndarray | None:
        """Model scores of a user's history (training row and/or streamed items); None when both are empty."""
        items = np.zeros(0, dtype=np.int64)
        weights = np.zeros(0, dtype=np.float32)
        recency = np.zeros(0, dtype=np.float32)
        if row is not None:
            start, end = self.x.indptr[row], self.x.indptr[row + 1]
            items, weights = self.x.indices[start:end].astype(np.int64), self.x.data[start:end]
            recency = self.recency.data[start:end]
        fresh = recent is not None and len(recent) > 0
        if fresh:
            assert recent is not None
            items, weights, recency = self._with_recent(items, weights, recency, recent.astype(np.int64))
        if len(items) == 0:
            return None
        if self.item_weights is not None:
            return np.asarray((weights * recency) @ self.item_weights[items], dtype=np.float32)
        assert self.item_factors is not None
        assert self.user_factors is not None
        if row is not None and not fresh:
            factor = self.user_factors[row]
        else:
            factor = self._als_user_factor(items, weights)
        return self.item_factors @ factor

    def _with_recent(
        self, items: np.ndarray, weights: np.ndarray, recency: np.ndarray, recent: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Merge streamed items (newest last) into a history: they become the newest distinct items, with
        strength ``recent_event_weight`` (or the item's training strength if larger)."""
        n = self.data.n_items
        strength = np.zeros(n, dtype=np.float32)
        strength[items] = weights
        new_order = list(dict.fromkeys(recent[::-1].tolist()))  # distinct, newest first
        strength[new_order] = np.maximum(strength[new_order], self.config.recent_event_weight)
        rank = np.full(n, np.inf)
        half_life = self.config.recency_half_life
        if half_life is not None and len(items):
            # training ranks are recovered from the stored weights, then pushed behind the new items
            old_rank = np.log2(np.maximum(recency, 1e-30)) * -half_life
            rank[items] = old_rank + len(new_order)
        rank[new_order] = np.arange(len(new_order))
        merged = np.flatnonzero(strength > 0)
        fresh_recency = (
            np.ones(len(merged), dtype=np.float32)
            if half_life is None
            else (0.5 ** (rank[merged] / half_life)).astype(np.float32)
        )
        return merged, strength[merged], fresh_recency

    def _fit_temperature(self) -> float:
        """The temperature that maximises the mean softmax log-likelihood of users' own items."""
        rng = np.random.default_rng(self.config.seed)
        rows = np.flatnonzero(np.diff(self.x.indptr) > 0)
        if len(rows) == 0:
            return 1.0
        rows = rng.choice(rows, size=min(200, len(rows)), replace=False)
        totals = np.zeros(len(_TEMPERATURES))
        for r in np.sort(rows):
            z = self._zscore(self._raw_scores(int(r), None))
            if z is None:
                continue
            own = self.x.indices[self.x.indptr[r] : self.x.indptr[r + 1]]
            logits = _TEMPERATURES[:, None] * z[None, :].astype(np.float64)
            top = logits.max(axis=1, keepdims=True)
            log_norm = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
            totals += (logits[:, own] - log_norm[:, None]).mean(axis=1)
        return float(_TEMPERATURES[int(np.argmax(totals))])

    @staticmethod
    def _zscore(scores: np.ndarray | None) -> np.ndarray | None:
        if scores is None:
            return None
        std = float(scores.std())
        if not np.isfinite(std) or std < 1e-12:
            return None
        return ((scores - scores.mean()) / std).astype(np.float32)

    # -- the contract ------------------------------------------------------------------------------------
    def relevance_for_user(
        self,
        user_id: str,
        *,
        recent_items: np.ndarray | None = None,
        context: Mapping[str, str] | None = None,
    ) -> np.ndarray:
        row = self.data.user_index.get(user_id)
        z = self._zscore(self._raw_scores(row, recent_items))
        logits = self.popularity_logits() if z is None else self.temperature * z
        if z is None and row is not None and self.data.users is not None:
            attrs = self.data.users.iloc[row]
            known = {str(k): v for k, v in attrs.items() if isinstance(v, str)}
            user_lift = total_lift(self.user_tables, known)
            if user_lift is not None:
                logits = logits + user_lift
        lift = total_lift(self.context_tables, context)
        if lift is not None:
            logits = logits + self.config.context_weight * lift
        return np.asarray(logits, dtype=np.float32)

    def relevance_for_item(self, item_id: str) -> np.ndarray | None:
        """Item-item relevance from the model itself: EASE weights or cosine of ALS item factors."""
        k = self.catalog.index.get(item_id)
        if k is None or self.popularity[k] == 0:
            return None
        if self.item_weights is not None:
            out = self.item_weights[k].copy()
        else:
            assert self.item_factors is not None
            norms = np.linalg.norm(self.item_factors, axis=1) + 1e-9
            out = (self.item_factors @ self.item_factors[k]) / (norms * norms[k])
        out = out.astype(np.float32)
        out[k] = -np.inf
        return out
