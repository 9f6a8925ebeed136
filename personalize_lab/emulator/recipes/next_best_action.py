"""Next-Best-Action (``aws-next-best-action``): the probability that a user takes each action.

The model is trained on a :class:`TrainingData` whose catalog is the Actions dataset and whose interactions
are the action interactions (:func:`action_training_data` builds it). Its ``relevance_for_user`` gives
action-length log-odds; the engine turns them into the scores GetActionRecommendations returns
(``sigmoid``: a propensity between 0 and 1, not a softmax share) and applies what the service decides at
request time — 0.0 for actions without enough data, expiration, repeat frequency, VALUE as the tie-breaker,
exploration (:mod:`personalize_lab.emulator.action_serving`).

How a user's propensity is estimated (the emulator's own model; the service's is not published):

- an action's base rate is its smoothed TAKEN share among the users it reached (TAKEN, NOT_TAKEN or
  VIEWED);
- "users like this one": each user has profile tokens — the categorical Users metadata (numeric columns
  by quartile), the categorical Items values of the items they interacted with (the guide: NBA learns from
  "interactions with actions and items") and the other actions they took. Per action, an L2-regularised
  logistic regression of TAKEN on those tokens over the users the action reached;
- the user's own outcomes with the action (TAKEN minus NOT_TAKEN) move it a little more.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp

from personalize_lab.datasets.actions import NOT_TAKEN, TAKEN, VIEWED

from .base import Model, NextBestActionConfig, RecipeSpec
from .training import SECONDS_PER_DAY, TrainingData

__all__ = ["ActionModel", "action_training_data", "item_profiles"]

#: Items columns with more distinct values than this are ids or titles, not tastes: left out of profiles.
MAX_PROFILE_VALUES = 200


def item_profiles(interactions: pd.DataFrame, items: pd.DataFrame | None) -> pd.DataFrame | None:
    """Per user, the ``|``-joined values of every categorical Items column over the items they interacted
    with, as Users-shaped columns ``ITEMS_<COLUMN>`` (None without an Items frame or such columns)."""
    if items is None or not len(interactions):
        return None
    columns = [
        c
        for c in items.columns
        if c != "ITEM_ID"
        and (pd.api.types.is_string_dtype(items[c]) or items[c].dtype == object)
        and 0 < items[c].nunique() <= MAX_PROFILE_VALUES
    ]
    if not columns:
        return None
    pairs = interactions[["USER_ID", "ITEM_ID"]].drop_duplicates()
    joined = pairs.merge(items[["ITEM_ID", *columns]], on="ITEM_ID", how="inner")
    out = pd.DataFrame({"USER_ID": pd.unique(joined["USER_ID"].astype(str))})
    for column in columns:
        values = joined[["USER_ID", column]].dropna()
        values = values.assign(**{column: values[column].astype(str).str.split("|")}).explode(column)
        grouped = values.drop_duplicates().groupby("USER_ID")[column].agg(lambda v: "|".join(sorted(v)))
        out[f"ITEMS_{column}"] = out["USER_ID"].map(grouped)
    return out


def action_training_data(
    actions: pd.DataFrame,
    action_interactions: pd.DataFrame | None,
    *,
    interactions: pd.DataFrame | None = None,
    items: pd.DataFrame | None = None,
    users: pd.DataFrame | None = None,
) -> TrainingData:
    """The TrainingData Next-Best-Action fits on: catalog = the Actions dataset, interactions = the action
    interactions (canonical EVENT_TYPE), users = Users metadata plus the item-interaction profiles."""
    acted = (
        action_interactions
        if action_interactions is not None
        else pd.DataFrame({"USER_ID": [], "ACTION_ID": [], "TIMESTAMP": [], "EVENT_TYPE": []})
    )
    frame = acted.rename(columns={"ACTION_ID": "ITEM_ID"})
    frame = frame.assign(TIMESTAMP=pd.to_numeric(frame["TIMESTAMP"]).astype("int64"))
    profile = item_profiles(interactions, items) if interactions is not None else None
    people = users
    if profile is not None:
        people = profile if users is None else users.merge(profile, on="USER_ID", how="outer")
    return TrainingData.from_frames(
        frame, actions.rename(columns={"ACTION_ID": "ITEM_ID"}), people, context_columns=[]
    )


class ActionModel(Model):
    """Propensity log-odds per action for a user; see the module docstring for the estimate."""

    def __init__(self, spec: RecipeSpec, data: TrainingData) -> None:
        super().__init__(spec, data)
        config = spec.config
        self.config = config if isinstance(config, NextBestActionConfig) else NextBestActionConfig()
        self._taken_rows = self._rows(data, TAKEN)
        self._other_rows = self._rows(data, NOT_TAKEN, VIEWED)
        taken = (data.matrix(mask=self._taken_rows) > 0).astype(np.float32)
        reached = (data.user_items > 0).astype(np.float32)
        refused = data.matrix(mask=self._rows(data, NOT_TAKEN))
        self._own = (taken - ((refused > 0).astype(np.float32) - (refused > 0).multiply(taken))).tocsr()
        a = self.config.smoothing
        n_pos = np.asarray(taken.sum(axis=0)).ravel()
        n_reached = np.asarray(reached.sum(axis=0)).ravel()
        self._base = np.log((n_pos + a) / (n_reached - n_pos + a)).astype(np.float32)
        tokens = self._profile_tokens(taken)
        counts = np.asarray(tokens.sum(axis=1)).ravel()
        scale = 1.0 / np.sqrt(np.maximum(counts, 1.0))
        self._tokens = sp.diags(scale.astype(np.float32)) @ tokens  # unit rows: one step size fits all users
        self._weights, self._intercept = self._fit(taken.toarray(), reached.toarray())

    @staticmethod
    def _rows(data: TrainingData, *event_types: str) -> np.ndarray:
        """bool[interactions]: rows of these event types (never None: event types are given)."""
        mask = data.event_type_mask(event_types)
        return mask if mask is not None else np.zeros(data.n_interactions, dtype=bool)

    def _fit(self, taken: np.ndarray, reached: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per action, L2-regularised logistic regression of TAKEN on the profile tokens over the users the
        action reached (full-batch gradient descent; deterministic)."""
        n_actions = taken.shape[1]
        x = self._tokens
        weights = np.zeros((x.shape[1], n_actions))
        intercept = self._base.astype(np.float64).copy()
        seen = np.maximum(reached.sum(axis=0), 1.0)
        self_tokens = np.arange(n_actions)  # "took action k" must not explain action k
        for _ in range(self.config.iterations):
            z = np.asarray(x @ weights) + intercept
            error = (1.0 / (1.0 + np.exp(-z)) - taken) * reached
            weights -= self.config.step * (np.asarray(x.T @ error) + self.config.l2 * weights) / seen
            intercept -= self.config.step * error.sum(axis=0) / seen
            weights[self_tokens, self_tokens] = 0.0
        return weights.astype(np.float32), intercept.astype(np.float32)

    def _profile_tokens(self, taken: sp.csr_matrix) -> sp.csr_matrix:
        """users × tokens (binary): "took action k", then categorical Users/profile values and the quartiles
        of numeric Users columns."""
        blocks = [taken]
        users = self.data.users
        if users is not None:
            for column in users.columns:
                series = users[column]
                if pd.api.types.is_numeric_dtype(series) and series.nunique() > 4:
                    series = pd.qcut(series, 4, duplicates="drop").astype(str)  # quartiles as tokens
                elif not (pd.api.types.is_string_dtype(series) or series.dtype == object):
                    continue
                split = series.dropna().astype(str).str.split("|").explode()
                if split.empty:
                    continue
                codes, uniques = pd.factorize(split)
                rows = np.asarray([self.data.user_index[str(u)] for u in split.index], dtype=np.int64)
                block = sp.csr_matrix(
                    (np.ones(len(codes), dtype=np.float32), (rows, codes)),
                    shape=(self.data.n_users, len(uniques)),
                )
                blocks.append((block > 0).astype(np.float32))
        return sp.hstack(blocks, format="csr")

    def recent_counts(self, days: float) -> tuple[np.ndarray, np.ndarray]:
        """Per action: TAKEN and NOT_TAKEN/VIEWED interactions within ``days`` of the newest one."""
        recent = self.data.timestamp >= self.latest_timestamp - days * SECONDS_PER_DAY
        n = self.data.n_items
        idx = self.data.item_idx
        taken = np.bincount(idx[recent & self._taken_rows], minlength=n)
        other = np.bincount(idx[recent & self._other_rows], minlength=n)
        return taken, other

    def relevance_for_user(
        self,
        user_id: str,
        *,
        recent_items: np.ndarray | None = None,
        context: Mapping[str, str] | None = None,
    ) -> np.ndarray:
        """Action-length float32 log-odds that ``user_id`` takes each action (an unknown user: base rates)."""
        row = self.data.user_index.get(user_id)
        if row is None:
            return self._base.copy()
        tokens = self._tokens[row]
        logits = self._intercept + np.asarray(tokens @ self._weights).ravel().astype(np.float32)
        own = self._own[row]
        if own.nnz:
            logits[own.indices] += np.float32(self.config.own_history_weight) * own.data
        return logits.astype(np.float32)
