"""A small dataset group with actions whose right answers are known.

Two user groups: premium members take the "card" action 80% of the time and the "app" action 20%; free
members the other way round. "newsletter" and "survey" are taken 30% by everyone (equally likely), the
newsletter worth more. "weekly" may be repeated after 7 days, "expired" expired before NOW, "fresh" has no
interactions (exploration, score 0.0). Every scored action has at least 10 TAKEN and 10 other interactions,
so ``OPTIONS`` (threshold 10) gives them real scores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from personalize_lab.emulator.engine import LocalPersonalize
from personalize_lab.emulator.options import EmulatorOptions

NOW = 1_700_000_000
DAY = 86_400
OPTIONS = EmulatorOptions(action_min_interactions=10)
RATES = {  # action -> (premium, free) take rate
    "card": (0.8, 0.1),
    "app": (0.2, 0.7),
    "newsletter": (0.3, 0.3),
    "survey": (0.3, 0.3),
    "weekly": (0.5, 0.5),
    "expired": (0.5, 0.5),
}


def action_frames(seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    users = pd.DataFrame(
        {
            "USER_ID": [f"u{k:02d}" for k in range(80)],
            "MEMBERSHIP": ["premium" if k % 2 == 0 else "free" for k in range(80)],
        }
    )
    interactions = pd.DataFrame(
        {
            "USER_ID": np.repeat(users["USER_ID"], 2).to_numpy(),
            "ITEM_ID": [f"i{k % 5}" for k in range(160)],
            "TIMESTAMP": NOW - 10 * DAY + np.arange(160),
            "EVENT_TYPE": "View",
        }
    )
    actions = pd.DataFrame(
        {
            "ACTION_ID": ["card", "app", "newsletter", "survey", "weekly", "expired", "fresh"],
            "GOAL": ["revenue", "engagement", "engagement", "engagement", "engagement", "revenue", "revenue"],
            "VALUE": [50, 20, 9, 1, 3, 5, 99],
            "REPEAT_FREQUENCY": pd.array([None, None, None, None, 7, None, None], dtype="Int64"),
            "ACTION_EXPIRATION_TIMESTAMP": pd.array([None] * 5 + [NOW - DAY, None], dtype="Int64"),
        }
    )
    rows = []
    for k, user in enumerate(users["USER_ID"]):
        premium = k % 2 == 0
        for action, (p_premium, p_free) in RATES.items():
            if user == "u00" and action == "weekly":
                continue  # the repeat-frequency test streams u00's TAKEN itself
            taken = rng.random() < (p_premium if premium else p_free)
            rows.append((user, action, NOW - 5 * DAY + k, "Viewed"))
            rows.append((user, action, NOW - 5 * DAY + k + 60, "Taken" if taken else "Not taken"))
    action_interactions = pd.DataFrame(rows, columns=["USER_ID", "ACTION_ID", "TIMESTAMP", "EVENT_TYPE"])
    return {
        "interactions": interactions,
        "users": users,
        "actions": actions,
        "action_interactions": action_interactions,
    }


def action_local(**overrides: object) -> LocalPersonalize:
    """The store with a ``next-best-action`` campaign, its clock fixed at NOW."""
    frames = action_frames()
    options = overrides.pop("options", OPTIONS)
    local = LocalPersonalize.from_frames(
        frames["interactions"],
        users=frames["users"],
        actions=frames["actions"],
        action_interactions=frames["action_interactions"],
        options=options,  # type: ignore[arg-type]
    )
    local.control.clock = lambda: float(NOW)
    return local
