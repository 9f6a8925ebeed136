"""The per-user temporal split a simulation needs: train on each shopper's past, shop from their future.

The newest ``fraction`` of each user's interactions (by TIMESTAMP, ties kept in file order; at least one
for every user with ``min_interactions`` or more) is held out; the local Personalize is trained on the
rest. The held-out rows say what each simulated shopper will want next: an item in them is *relevant* to
that shopper (see :mod:`personalize_lab.simulation.clicks`). Items the user already had in training are
not relevant again (a recommender should not get credit for repeating the past).
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from personalize_lab.errors import ValidationError

__all__ = ["HoldoutSplit", "holdout_split", "relevant_items"]

REQUIRED = ("USER_ID", "ITEM_ID", "TIMESTAMP")


class HoldoutSplit(NamedTuple):
    """``train`` (the same type as the data given, to build the local Personalize from) and ``future``
    (the held-out Interactions rows: the simulated shoppers and what they will want)."""

    train: Any
    future: pd.DataFrame


def _check_fraction(fraction: float) -> float:
    if isinstance(fraction, bool) or not isinstance(fraction, int | float) or not 0 < fraction < 1:
        raise ValidationError(
            field="fraction",
            value=fraction,
            rule="the share of each user's newest interactions to hold out lies strictly between 0 and 1",
            fix="e.g. fraction=0.1 (the newest 10%)",
        )
    return float(fraction)


def holdout_split(data: Any, fraction: float = 0.1, *, min_interactions: int = 5) -> HoldoutSplit:
    """Split ``data`` per user in time: the newest ``fraction`` of each user's interactions held out.

    ``data`` is a :class:`~personalize_lab.PersonalizeData` (``pl.demo_store()``, ``pl.load_dir(...)``) —
    ``train`` is then the same data with only the older interactions (items, users, schemas and config
    kept), ready for ``pl.LocalPersonalize(train)`` — or an Interactions DataFrame (``train`` is a frame).
    Users with fewer than ``min_interactions`` interactions stay whole in training.
    """
    fraction = _check_fraction(fraction)
    if isinstance(min_interactions, bool) or not isinstance(min_interactions, int) or min_interactions < 2:
        raise ValidationError(
            field="min_interactions",
            value=min_interactions,
            rule="an integer >= 2 (a user needs a past to train on and a future to hold out)",
            fix="e.g. min_interactions=5",
        )
    frame = data if isinstance(data, pd.DataFrame) else getattr(data, "interactions", None)
    if not isinstance(frame, pd.DataFrame):
        raise ValidationError(
            field="data",
            value=type(data).__name__,
            rule="an Interactions DataFrame or a PersonalizeData (with .interactions)",
            fix="pass pl.demo_store(), pl.load_dir(folder) or a frame with USER_ID, ITEM_ID, TIMESTAMP",
        )
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ValidationError(
            field="data",
            value=missing,
            rule="a temporal split needs the Interactions columns USER_ID, ITEM_ID and TIMESTAMP",
            fix="load the interactions with their TIMESTAMP column",
        )
    order = frame.sort_values(["USER_ID", "TIMESTAMP"], kind="stable")
    users = order.groupby("USER_ID", sort=False)["ITEM_ID"]
    size = users.transform("size").to_numpy()
    position = users.cumcount().to_numpy()
    held = np.maximum(1, np.ceil(size * fraction)).astype(int)
    future_mask = (size >= min_interactions) & (position >= size - held)
    future_index = order.index[future_mask]
    train_frame = frame.drop(index=future_index)
    future = (
        frame.loc[future_index].sort_values(["USER_ID", "TIMESTAMP"], kind="stable").reset_index(drop=True)
    )
    train_frame = train_frame.reset_index(drop=True)
    train = (
        train_frame if isinstance(data, pd.DataFrame) else dataclasses.replace(data, interactions=train_frame)
    )
    return HoldoutSplit(train, future)


def relevant_items(future: pd.DataFrame, known: pd.DataFrame | None = None) -> dict[str, frozenset[str]]:
    """Each held-out shopper's relevant items: their held-out items, minus those ``known`` (training
    interactions) already has for them. Shoppers left with none are dropped."""
    missing = [c for c in ("USER_ID", "ITEM_ID") if c not in future.columns]
    if missing:
        raise ValidationError(
            field="future",
            value=missing,
            rule="the held-out interactions need USER_ID and ITEM_ID",
            fix="pass the future of pl.simulation.holdout_split(data)",
        )
    users = future["USER_ID"].astype(str)
    items = future["ITEM_ID"].astype(str)
    wanted = pd.Series(items.to_numpy(), index=users.to_numpy()).groupby(level=0).agg(frozenset)
    if known is not None and len(known):
        seen = known["ITEM_ID"].astype(str).groupby(known["USER_ID"].astype(str).to_numpy()).agg(frozenset)
        wanted = pd.Series({u: s - seen.get(u, frozenset()) for u, s in wanted.items()}, dtype=object)
    return {str(u): frozenset(s) for u, s in wanted.items() if s}
