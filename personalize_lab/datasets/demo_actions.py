"""The demo shop's Next-Best-Action data: store actions and how its shoppers responded to them.

Eight actions a shop asks of its customers — join the loyalty program, download the app, apply for the store
card … — each with a VALUE, some with a REPEAT_FREQUENCY, one already expired (the summer sale sign-up) and
one brand new without any interactions (the holiday gift guide: exploration scores it 0.0). Every shopper
was shown some actions over the last five weeks (VIEWED) and took each (TAKEN) or not (NOT_TAKEN) with a
probability that follows who they are — frequent buyers join the loyalty program, mobile shoppers download
the app, big spenders and premium members apply for the card, older shoppers subscribe to the newsletter,
younger ones refer friends — so a personal propensity model beats the actions' base rates.

Built from the demo's Users and Interactions frames with its own random stream, so adding actions changes
nothing else of the demo store.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from personalize_lab.datasets.schema import Field, Schema

__all__ = ["ACTION_SCHEMAS", "demo_actions"]

DAY = 86_400
EXPOSED_DAYS = 35  # action interactions fall in the last five weeks (within the service's six)
EXPOSURE_RATE = 0.4  # share of (shopper, action) pairs shown

ACTION_SCHEMAS: dict[str, Schema] = {
    "Actions": Schema(
        "Actions",
        (
            Field("ACTION_ID", "string"),
            Field("ACTION_NAME", "string"),  # plain string: shown, not filtered
            Field("GOAL", "string", categorical=True),  # engagement / revenue
            Field("VALUE", "int"),
            Field("CREATION_TIMESTAMP", "long"),
            Field("REPEAT_FREQUENCY", "int", nullable=True),
            Field("ACTION_EXPIRATION_TIMESTAMP", "long", nullable=True),
        ),
    ),
    "ActionInteractions": Schema(
        "ActionInteractions",
        (
            Field("USER_ID", "string"),
            Field("ACTION_ID", "string"),
            Field("TIMESTAMP", "long"),
            Field("EVENT_TYPE", "string"),
        ),
    ),
}

# id, name, goal, value, repeat days, base log-odds; features weights: buys, mobile, spend, age, premium
_ACTIONS = (
    ("join-loyalty-program", "Join the loyalty program", "engagement", 50, None, -1.6, (1.2, 0, 0, 0, -0.8)),
    ("download-app", "Download the app", "engagement", 20, None, -1.4, (0, 2.0, 0, -0.3, 0)),
    (
        "subscribe-newsletter",
        "Subscribe to the newsletter",
        "engagement",
        5,
        None,
        -1.2,
        (0, -0.5, 0, 1.0, 0),
    ),
    ("apply-store-card", "Apply for the store card", "revenue", 80, None, -2.2, (0.5, 0, 1.2, 0.2, 0.9)),
    ("write-a-review", "Review your last purchase", "engagement", 2, 7, -1.0, (1.0, 0, 0, 0.3, 0)),
    ("refer-a-friend", "Refer a friend", "revenue", 30, 30, -1.8, (0.3, 0.6, 0, -1.0, 0.3)),
    ("summer-sale-signup", "Sign up for the summer sale", "revenue", 10, None, -1.3, (0, 0, 0.5, 0, 0)),
)
NEW_ACTION = ("holiday-gift-guide", "Get the holiday gift guide", "revenue", 15)


def demo_actions(
    users: pd.DataFrame, interactions: pd.DataFrame, end: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(actions, action interactions) for the demo shop whose data ends at ``end`` (epoch seconds)."""
    rng = np.random.default_rng([seed, 13])
    actions = pd.DataFrame(
        {
            "ACTION_ID": [a[0] for a in _ACTIONS] + [NEW_ACTION[0]],
            "ACTION_NAME": [a[1] for a in _ACTIONS] + [NEW_ACTION[1]],
            "GOAL": [a[2] for a in _ACTIONS] + [NEW_ACTION[2]],
            "VALUE": np.asarray([a[3] for a in _ACTIONS] + [NEW_ACTION[3]], dtype=np.int64),
            "CREATION_TIMESTAMP": np.asarray([end - 120 * DAY] * len(_ACTIONS) + [end - DAY], dtype=np.int64),
            "REPEAT_FREQUENCY": pd.array([a[4] for a in _ACTIONS] + [None], dtype="Int64"),
            "ACTION_EXPIRATION_TIMESTAMP": pd.array(
                [None] * (len(_ACTIONS) - 1) + [end - 10 * DAY, None], dtype="Int64"
            ),
        }
    )
    features = _features(users, interactions)
    n_users = len(users)
    frames = []
    for k, (action_id, *_rest, base, weights) in enumerate(_ACTIONS):
        shown = np.flatnonzero(rng.random(n_users) < EXPOSURE_RATE)
        logit = base + features[shown] @ np.asarray(weights, dtype=np.float64)
        taken = rng.random(len(shown)) < 1.0 / (1.0 + np.exp(-logit))
        latest = end - 12 * DAY if action_id == "summer-sale-signup" else end  # it ran until it expired
        seen = latest - rng.integers(DAY, EXPOSED_DAYS * DAY, size=len(shown))
        acted = seen + rng.integers(60, DAY, size=len(shown))
        ids = users["USER_ID"].to_numpy()[shown]
        frames.append(pd.DataFrame({"USER_ID": ids, "TIMESTAMP": seen, "EVENT_TYPE": "VIEWED", "_k": k}))
        frames.append(
            pd.DataFrame(
                {
                    "USER_ID": ids,
                    "TIMESTAMP": acted,
                    "EVENT_TYPE": np.where(taken, "TAKEN", "NOT_TAKEN"),
                    "_k": k,
                }
            )
        )
    events = pd.concat(frames, ignore_index=True)
    events["ACTION_ID"] = np.asarray([a[0] for a in _ACTIONS], dtype=object)[events.pop("_k").to_numpy()]
    events = events.sort_values(["TIMESTAMP", "USER_ID"], kind="stable").reset_index(drop=True)
    events["USER_ID"] = events["USER_ID"].astype("str")
    events["EVENT_TYPE"] = events["EVENT_TYPE"].astype("str")
    return actions, events[["USER_ID", "ACTION_ID", "TIMESTAMP", "EVENT_TYPE"]]


def _features(users: pd.DataFrame, interactions: pd.DataFrame) -> np.ndarray:
    """Per user (in ``users`` order), standardised: purchases, mobile share, spend level, age, premium."""
    by_user = interactions.groupby("USER_ID")
    purchases = (interactions["EVENT_TYPE"] == "Purchase").groupby(interactions["USER_ID"]).sum()
    mobile = (interactions["DEVICE"] == "mobile").groupby(interactions["USER_ID"]).mean()
    spend = by_user["EVENT_VALUE"].sum() if "EVENT_VALUE" in interactions else purchases * 0
    ids = users["USER_ID"].astype(str)
    columns = [
        np.log1p(ids.map(purchases).fillna(0).to_numpy(dtype=np.float64)),
        ids.map(mobile).fillna(0).to_numpy(dtype=np.float64),
        np.log1p(ids.map(spend).fillna(0).to_numpy(dtype=np.float64)),
        users["AGE"].to_numpy(dtype=np.float64),
        (users["MEMBERSHIP"].astype(str) != "free").to_numpy(dtype=np.float64),
    ]
    matrix = np.column_stack(columns)
    spread = matrix.std(axis=0)
    return (matrix - matrix.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
