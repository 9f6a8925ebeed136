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
- "users like this one": each user has profile tokens — the categorical Users metadata, the categorical
  Items values of the items they interacted with (the guide: NBA learns from "interactions with actions and
  items") and the actions they took. Per action, a naive-Bayes log-likelihood ratio of every token between
  takers and non-takers; a user's log-odds move by the mean ratio of their tokens;
- the user's own outcomes with the action (TAKEN minus NOT_TAKEN) move it a little more.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp

from personalize_lab.datasets.actions import NOT_TAKEN, TAKEN

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
        self._taken_rows = data.event_type_mask([TAKEN])
        assert self._taken_rows is not None
        other = data.event_type_mask([NOT_TAKEN, "VIEWED"])
        assert other is not None
        self._other_rows = other
        taken = (data.matrix(mask=self._taken_rows) > 0).astype(np.float32)
        reached = (data.user_items > 0).astype(np.float32)
        self._own = (taken - (data.matrix(mask=other & ~self._taken_rows) > 0).astype(np.float32)).tocsr()
        not_taken = (reached - reached.multiply(taken)).tocsr()
        a = self.config.smoothing
        n_pos = np.asarray(taken.sum(axis=0)).ravel()
        n_neg = np.asarray(not_taken.sum(axis=0)).ravel()
        self._base = np.log((n_pos + a) / (n_neg + a)).astype(np.float32)
        self._tokens = self._profile_tokens(taken)
        pos_tok = np.asarray((taken.T @ self._tokens).todense(), dtype=np.float64)
        neg_tok = np.asarray((not_taken.T @ self._tokens).todense(), dtype=np.float64)
        self._llr = (
            np.log((pos_tok + a) / (n_pos[:, None] + 2 * a))
            - np.log((neg_tok + a) / (n_neg[:, None] + 2 * a))
        ).astype(np.float32)
        n_actions = data.n_items  # the first tokens are "took action k": an action does not explain itself
        self._llr[np.arange(n_actions), np.arange(n_actions)] = 0.0

    def _profile_tokens(self, taken: sp.csr_matrix) -> sp.csr_matrix:
        """users × tokens (binary): categorical Users/profile values, then "took action k"."""
        blocks = [taken]
        users = self.data.users
        if users is not None:
            for column in users.columns:
                series = users[column]
                if not (pd.api.types.is_string_dtype(series) or series.dtype == object):
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
        logits = self._base.copy()
        row = self.data.user_index.get(user_id)
        if row is None:
            return logits
        tokens = self._tokens[row]
        if tokens.nnz:
            mean_llr = self._llr[:, tokens.indices].mean(axis=1)
            logits += np.float32(self.config.profile_weight) * mean_llr.astype(np.float32)
        own = self._own[row]
        if own.nnz:
            logits[own.indices] += np.float32(self.config.own_history_weight) * own.data
        return logits.astype(np.float32)
