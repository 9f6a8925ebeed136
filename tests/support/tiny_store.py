"""The tiny store whose right answers are known: three user groups, each loyal to one category."""

from __future__ import annotations

import numpy as np
import pandas as pd

from personalize_lab.datasets.config import CampaignSpec, FilterSpec, ProjectConfig, RecommenderSpec

CATEGORIES = ("shoes", "books", "games")
DAY = 86_400
NOW = 1_700_000_000


def tiny_frames(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    items = pd.DataFrame(
        {
            "ITEM_ID": [f"i{k:02d}" for k in range(45)],
            "CATEGORY": [CATEGORIES[k % 3] for k in range(45)],
            "PRICE": [float(5 + k) for k in range(45)],
            "TITLE": [f"Item {k}" for k in range(45)],
            "AVAILABLE": ["True" if k % 4 else "False" for k in range(45)],
            "CREATION_TIMESTAMP": [NOW - (2 * DAY if k >= 42 else 200 * DAY) for k in range(45)],
        }
    )
    items.loc[44, "TITLE"] = None  # one item without a title: metadata leaves the key out
    users = pd.DataFrame(
        {
            "USER_ID": [f"u{k:02d}" for k in range(60)],
            "AGE": [20 + k for k in range(60)],
            "MEMBERSHIP": ["free" if k % 2 else "premium" for k in range(60)],
        }
    )
    rows = []
    for u in range(60):
        group = u % 3
        own = [k for k in range(42) if k % 3 == group]
        for j in range(20):
            k = int(rng.choice(own)) if rng.random() < 0.9 else int(rng.integers(0, 42))
            device = "mobile" if rng.random() < 0.5 else "desktop"
            if device == "mobile" and rng.random() < 0.5:
                k = 0 if group == 0 else k  # mobile users of group 0 love item i00
            rows.append(
                {
                    "USER_ID": f"u{u:02d}",
                    "ITEM_ID": f"i{k:02d}",
                    "TIMESTAMP": NOW - (100 - j) * DAY,
                    "EVENT_TYPE": "Purchase" if j % 5 == 0 else "View",
                    "DEVICE": device,
                }
            )
    return pd.DataFrame(rows), items, users


TINY_FILTERS = (
    FilterSpec("category", "INCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY)"),
    FilterSpec("not-category", "EXCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY)"),
    FilterSpec("exclude-purchased", 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Purchase")'),
    FilterSpec("available", 'INCLUDE ItemID WHERE Items.AVAILABLE IN ("True")'),
    FilterSpec("books", 'INCLUDE ItemID WHERE Items.CATEGORY IN ("books")'),
    FilterSpec("cheap", "INCLUDE ItemID WHERE Items.PRICE <= $MAX_PRICE"),
    FilterSpec("same-category", "INCLUDE ItemID WHERE Items.CATEGORY IN CurrentItem.CATEGORY"),
)

_META = {"enableMetadataWithRecommendations": True}
_NO_EXPLORATION = {"itemExplorationConfig": {"explorationWeight": "0"}}


def tiny_config() -> ProjectConfig:
    return ProjectConfig(
        dataset_group="tiny",
        campaigns=(
            CampaignSpec("up", "aws-user-personalization", {**_META, **_NO_EXPLORATION}),
            CampaignSpec(
                "up-explore",
                "aws-user-personalization",
                {"itemExplorationConfig": {"explorationWeight": "1"}},
            ),
            CampaignSpec("up-v2", "aws-user-personalization-v2", {**_META, **_NO_EXPLORATION}),
            CampaignSpec(
                "up-v2-explore",
                "aws-user-personalization-v2",
                {"itemExplorationConfig": {"explorationWeight": "1", "explorationItemAgeCutOff": "5"}},
            ),
            CampaignSpec("popular", "aws-popularity-count", {}),
            CampaignSpec("trending", "aws-trending-now", {}),
            CampaignSpec("sims", "aws-sims", _META),
            CampaignSpec("similar", "aws-similar-items", {}),
            CampaignSpec("ranking", "aws-personalized-ranking", _META),
        ),
        recommenders=(RecommenderSpec("for-you", "aws-ecomm-recommended-for-you", {}),),
        filters=TINY_FILTERS,
    )
