"""User-Personalization and Personalized-Ranking: a real collaborative model with fold-in and context.

Two interchangeable cores behind one model, picked by ``FactorConfig.algorithm``:

- **ALS** (implicit's CPU AlternatingLeastSquares), the default: the most accurate in
  ``benchmarks/quality.py``; a user with new events gets a user factor recomputed from all known plus new
  items (the exact ALS least-squares step), so recommendations react on the next request.
- **EASE** (Steck 2019): item×item weights ``B = I - P/diag(P)``, ``P = (XᵀX + λI)⁻¹``. Closed form; fold-in
  is free (a user's scores are ``x_u·B`` for any history), with newest items weighted up.

Raw scores become logits through a per-user z-score times a temperature fitted at training time to
maximise the softmax likelihood of users' own items, so the engine's softmax gives spread, sensible
probabilities (never one item at 1.0 or all at 1/N). Context and user-attribute lifts are added to these
logits (see :mod:`.context`).
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp
from scipy.linalg import lapack
from threadpoolctl import threadpool_limits

from .base import FactorConfig, Model, RecipeSpec
from .context import LiftTable, context_lifts, total_lift, user_attribute_lifts
from .training import TrainingData

__all__ = ["FactorModel", "als_threads", "interaction_weights", "item_factor_moments", "item_norms"]

#: Users whose ALS projection (scaled user factor and offset, ~300 bytes) :meth:`FactorModel.relevance_for_user`
#: keeps: a repeat request skips the history merge, the fold-in solve of streamed events and the variance.
PROJECTION_CACHE_SIZE = 4096

#: Catalog size above which :meth:`FactorModel._fit_temperature` estimates the softmax normaliser from a
#: uniform sample of this many items instead of the whole catalog.
TEMPERATURE_SAMPLE_ITEMS = 20_000

#: Stored (user, item) cells from which the ALS fit uses every core (:func:`als_threads`).
ALS_PARALLEL_CELLS = 200_000

#: Item-factor rows converted to float64 at a time by :func:`item_factor_moments`.
MOMENT_BLOCK_ROWS = 32_768

_MISSING = object()
_Projection = tuple[np.ndarray, np.float32]
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
    """EASE weights. XᵀX + λI is symmetric positive definite, so a float32 Cholesky inverse (LAPACK
    potrf/potri) does it in a fifth of ``np.linalg.inv``'s time (relative error ~1e-7 at 2k items)."""
    gram = (x.T @ x).toarray().astype(np.float32)
    gram[np.diag_indices_from(gram)] += lam
    chol, info = lapack.spotrf(gram, lower=True, overwrite_a=True)
    if info == 0:
        p, info = lapack.spotri(chol, lower=True, overwrite_c=True)
    if info == 0:
        p = np.tril(p) + np.tril(p, -1).T
    else:  # not numerically positive definite in float32: the general inverse in float64
        gram64 = (x.T @ x).toarray().astype(np.float64)
        gram64[np.diag_indices_from(gram64)] += lam
        p = np.linalg.inv(gram64)
    b = p / (-np.diag(p))
    b[np.diag_indices_from(b)] = 0.0
    return np.ascontiguousarray(b, dtype=np.float32)


def als_threads(x: sp.csr_matrix) -> int:
    """implicit's OpenMP threads for a fit: every core (0) from :data:`ALS_PARALLEL_CELLS` cells on, one
    below. Each row's solve reads only the other side's factors, so the factors are the same bits for any
    thread count (tested); BLAS stays at one thread inside (``threadpool_limits``), so the cores are not
    oversubscribed. Small fits stay on one thread: starting the team costs more than they take."""
    return 0 if x.nnz >= ALS_PARALLEL_CELLS else 1


def item_factor_moments(
    item_factors: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(YᵀY, mean, covariance) of the item factors in float64, summed over ``rows``, the rows that are not
    zero.

    implicit's solver sets the factor of an item without interactions to exactly zero, and zero rows add
    nothing to YᵀY or to the sum, so only the live rows are read, a block at a time: at 1M items (339k
    interacted) a float64 copy of every row and ``np.cov`` cost 3–7 s, this ~0.2 s."""
    n, f = item_factors.shape
    yty, total = np.zeros((f, f)), np.zeros(f)
    for start in range(0, len(rows), MOMENT_BLOCK_ROWS):
        y = item_factors[rows[start : start + MOMENT_BLOCK_ROWS]].astype(np.float64)
        yty += y.T @ y
        total += y.sum(axis=0)
    mean = total / max(n, 1)
    return yty, mean, yty / max(n, 1) - np.outer(mean, mean)


def item_norms(item_factors: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Euclidean norm of each item factor plus 1e-9 (float32), computed for the non-zero ``rows`` only
    (a row's norm does not depend on the others, so the bits are those of the whole-matrix call)."""
    norms = np.zeros(len(item_factors), dtype=item_factors.dtype)
    norms[rows] = np.linalg.norm(item_factors[rows], axis=1)
    return norms + 1e-9


def _default_regularization(x: sp.csr_matrix, config: FactorConfig) -> float:
    """50 (measured best with alpha=10 on the demo and synthetic stores), capped at 0.2 × alpha × the mean
    user history length: the ridge term competes with a user's confidence mass, and on tiny data a fixed 50
    would shrink every user to the popularity direction."""
    users_with_items = max(int((np.diff(x.indptr) > 0).sum()), 1)
    return float(min(50.0, 0.2 * config.alpha * x.nnz / users_with_items))


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
        self.algorithm = algorithm
        self.regularization = (
            config.regularization
            if config.regularization is not None
            else _default_regularization(self.x, config)
        )
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
        # (training row, streamed items) -> ALS projection (None: no history or spread); LRU, bounded
        self._projections: OrderedDict[tuple[int | None, bytes], _Projection | None] = OrderedDict()

    # -- cores ---------------------------------------------------------------------------------------------
    def _fit_als(self) -> None:
        from implicit.cpu.als import AlternatingLeastSquares

        c = self.config
        als = AlternatingLeastSquares(
            factors=c.factors,
            regularization=self.regularization,
            alpha=c.alpha,
            iterations=c.iterations,
            num_threads=als_threads(self.x),
            random_state=c.seed,
        )
        als.fit(self.x, show_progress=False)
        self.user_factors = np.asarray(als.user_factors, dtype=np.float32)
        self.item_factors = np.asarray(als.item_factors, dtype=np.float32)
        live = np.flatnonzero(self.item_factors.any(axis=1))  # implicit zeroes items without interactions
        self._yty, self._item_mean, self._item_cov = item_factor_moments(self.item_factors, live)
        self._item_norms = item_norms(self.item_factors, live)

    def _als_user_factor(self, items: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """The ALS least-squares user step for one history (the target of implicit's conjugate-gradient
        step, solved exactly): (YᵀY + Yᵤᵀ(Cᵤ−I)Yᵤ + λI) x = Yᵤᵀ Cᵤ 1, with implicit's Cᵤ = α·w."""
        assert self.item_factors is not None
        y = self.item_factors[items].astype(np.float64)
        conf = self.config.alpha * weights.astype(np.float64)
        a = self._yty + (y.T * (conf - 1.0)) @ y + self.regularization * np.eye(y.shape[1])
        return np.linalg.solve(a, y.T @ conf).astype(np.float32)

    def _history(
        self, row: int | None, recent: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        """(items, strength, recency, changed) of a user's training row merged with streamed items."""
        items = np.zeros(0, dtype=np.int64)
        weights = np.zeros(0, dtype=np.float32)
        recency = np.zeros(0, dtype=np.float32)
        if row is not None:
            start, end = self.x.indptr[row], self.x.indptr[row + 1]
            items, weights = self.x.indices[start:end].astype(np.int64), self.x.data[start:end]
            recency = self.recency.data[start:end]
        if recent is None or len(recent) == 0:
            return items, weights, recency, False
        # streamed items become the newest distinct items; the rest move back by as many ranks
        new = np.asarray(list(dict.fromkeys(recent.astype(np.int64)[::-1].tolist())), dtype=np.int64)
        trained = dict(zip(items.tolist(), weights.tolist(), strict=True))
        new_w = np.asarray(
            [max(trained.get(i, 0.0), self.config.recent_event_weight) for i in new.tolist()], np.float32
        )
        half_life = self.config.recency_half_life
        ranks = np.arange(len(new), dtype=np.float64)
        new_r = np.ones(len(new), np.float32) if half_life is None else (0.5 ** (ranks / half_life))
        keep = ~np.isin(items, new)
        shift = 1.0 if half_life is None else 0.5 ** (len(new) / half_life)
        return (
            np.concatenate([items[keep], new]),
            np.concatenate([weights[keep], new_w]).astype(np.float32),
            np.concatenate([recency[keep] * shift, new_r]).astype(np.float32),
            True,
        )

    def _logits(self, row: int | None, recent: np.ndarray | None, temperature: float) -> np.ndarray | None:
        """``temperature`` × per-user z-scored model scores; None without history or spread.

        For ALS the mean and variance over the catalog come from precomputed item-factor moments
        (μ·f and fᵀΣf), so a request costs one matrix-vector product and one subtraction."""
        if self.item_weights is not None:
            items, weights, recency, _ = self._history(row, recent)
            if len(items) == 0:
                return None
            scores = (weights * recency) @ self.item_weights[items]
            std = float(scores.std())
            if not np.isfinite(std) or std < 1e-9:
                return None
            scores -= scores.mean()
            scores *= temperature / std
            return np.asarray(scores, dtype=np.float32)
        return self._project(self._projection(row, recent, temperature))

    def _projection(
        self, row: int | None, recent: np.ndarray | None, temperature: float
    ) -> _Projection | None:
        """ALS: the user factor times ``temperature / std`` and the mean to subtract, so the logits are one
        matrix-vector product and one subtraction; None without history or spread."""
        items, weights, _, changed = self._history(row, recent)
        if len(items) == 0:
            return None
        assert self.user_factors is not None
        factor = (
            self.user_factors[row]
            if row is not None and not changed
            else self._als_user_factor(items, weights)
        )
        f64 = factor.astype(np.float64)
        var = float(f64 @ self._item_cov @ f64)
        if not np.isfinite(var) or var < 1e-18:
            return None
        scale = temperature / np.sqrt(var)
        return factor * np.float32(scale), np.float32(scale * float(self._item_mean @ f64))

    def _project(self, projection: _Projection | None) -> np.ndarray | None:
        if projection is None:
            return None
        assert self.item_factors is not None
        vector, offset = projection
        logits = self.item_factors @ vector
        logits -= offset
        return logits

    def _fit_temperature(self) -> float:
        """The temperature that maximises the mean softmax log-likelihood of users' own items.

        On a catalog above :data:`TEMPERATURE_SAMPLE_ITEMS` items the softmax normaliser is estimated from a
        seeded uniform sample of that many items (``N/m`` times the sample's sum), so the fit costs the
        same at a million items as at 20k (it was 80% of training time at 1M items); smaller catalogs are
        scored whole, exactly as before."""
        rng = np.random.default_rng(self.config.seed)
        rows = np.flatnonzero(np.diff(self.x.indptr) > 0)
        if len(rows) == 0:
            return 1.0
        rows = rng.choice(rows, size=min(200, len(rows)), replace=False)
        n_items = self.data.n_items
        sample: np.ndarray | None = None
        log_share = 0.0
        if n_items > TEMPERATURE_SAMPLE_ITEMS and self.item_factors is not None:
            sample = np.sort(rng.choice(n_items, size=TEMPERATURE_SAMPLE_ITEMS, replace=False))
            log_share = float(np.log(n_items / TEMPERATURE_SAMPLE_ITEMS))
        totals = np.zeros(len(_TEMPERATURES))
        for r in np.sort(rows):
            own = self.x.indices[self.x.indptr[r] : self.x.indptr[r + 1]]
            if sample is None:
                z = self._logits(int(r), None, 1.0)
                if z is None:
                    continue
                z_norm, z_own = z, z[own]
            else:
                projection = self._projection(int(r), None, 1.0)
                if projection is None:
                    continue
                assert self.item_factors is not None
                vector, offset = projection
                z_norm = self.item_factors[sample] @ vector - offset
                z_own = self.item_factors[own] @ vector - offset
            logits = _TEMPERATURES[:, None] * z_norm[None, :].astype(np.float64)
            top = logits.max(axis=1, keepdims=True)
            log_norm = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1)) + log_share
            own_logits = _TEMPERATURES[:, None] * z_own[None, :].astype(np.float64)
            totals += (own_logits - log_norm[:, None]).mean(axis=1)
        return float(_TEMPERATURES[int(np.argmax(totals))])

    # -- the contract ------------------------------------------------------------------------------------
    def relevance_for_user(
        self,
        user_id: str,
        *,
        recent_items: np.ndarray | None = None,
        context: Mapping[str, str] | None = None,
    ) -> np.ndarray:
        row = self.data.user_index.get(user_id)
        personal = self._personal_logits(row, recent_items)
        logits = self.popularity_logits() if personal is None else personal
        if personal is None and row is not None and self.data.users is not None:
            attrs = self.data.users.iloc[row]
            known = {str(k): v for k, v in attrs.items() if isinstance(v, str)}
            user_lift = total_lift(self.user_tables, known)
            if user_lift is not None:
                logits = logits + user_lift
        lift = total_lift(self.context_tables, context)
        if lift is not None:
            logits = logits + self.config.context_weight * lift
        return np.asarray(logits, dtype=np.float32)

    def _personal_logits(self, row: int | None, recent: np.ndarray | None) -> np.ndarray | None:
        """:meth:`_logits` at the fitted temperature; for ALS the projection is cached per (row, streamed
        items), a pure function of the two, so a new streamed event (a different key) recomputes it."""
        if self.item_weights is not None:
            return self._logits(row, recent, self.temperature)
        recent_key = b"" if recent is None or len(recent) == 0 else np.asarray(recent, np.int64).tobytes()
        if row is None and not recent_key:
            return None  # nothing to score from: popularity
        key = (row, recent_key)
        cache = self._projections
        found = cache.get(key, _MISSING)
        if found is _MISSING:
            found = cache[key] = self._projection(row, recent, self.temperature)
            while len(cache) > PROJECTION_CACHE_SIZE:
                with contextlib.suppress(KeyError):  # another server thread may have evicted it meanwhile
                    cache.popitem(last=False)
        else:
            with contextlib.suppress(KeyError):
                cache.move_to_end(key)
        return self._project(found)  # type: ignore[arg-type]

    def relevance_for_item(self, item_id: str) -> np.ndarray | None:
        """Item-item relevance from the model itself: EASE weights or cosine of ALS item factors."""
        k = self.catalog.index.get(item_id)
        if k is None or self.popularity[k] == 0:
            return None
        if self.item_weights is not None:
            out = self.item_weights[k].copy()
        else:
            assert self.item_factors is not None
            norms = self._item_norms
            out = (self.item_factors @ self.item_factors[k]) / (norms * norms[k])
        out = out.astype(np.float32)
        out[k] = -np.inf
        return out
