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

_TEMPERATURES = np.asarray([0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0], dtype=np.float64)


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
        self.x = data.matrix(interaction_weights(data, config))
        # ALS works on log-damped confidences; EASE on the same damped matrix (heavy repeat users otherwise
        # dominate the Gram matrix).
        self.x.data = np.log1p(self.x.data)
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
        if row is not None:
            start, end = self.x.indptr[row], self.x.indptr[row + 1]
            items, weights = self.x.indices[start:end].astype(np.int64), self.x.data[start:end]
        fresh = recent is not None and len(recent) > 0
        if fresh:
            assert recent is not None
            extra = np.bincount(recent.astype(np.int64), minlength=self.data.n_items).astype(np.float32)
            dense = np.zeros(self.data.n_items, dtype=np.float32)
            dense[items] = np.expm1(weights)  # back to raw confidence, then damp the sum again
            dense += extra * self.config.recent_event_weight
            items = np.flatnonzero(dense)
            weights = np.log1p(dense[items])
        if len(items) == 0:
            return None
        if self.item_weights is not None:
            return np.asarray(weights @ self.item_weights[items], dtype=np.float32)
        assert self.item_factors is not None
        assert self.user_factors is not None
        if row is not None and not fresh:
            factor = self.user_factors[row]
        else:
            factor = self._als_user_factor(items, weights)
        return self.item_factors @ factor

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
