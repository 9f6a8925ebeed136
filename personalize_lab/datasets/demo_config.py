"""The demo dataset group's resources: campaigns for every recipe, a domain recommender and useful filters.

These match the synthetic store of :func:`personalize_lab.datasets.demo_store` (items with TITLE,
CATEGORY_L1/L2, BRAND, PRICE, AVAILABLE, CREATION_TIMESTAMP; users with AGE and MEMBERSHIP; View,
AddToCart and Purchase events with a DEVICE context; store actions with TAKEN/NOT_TAKEN/VIEWED responses,
served by the ``next-best-action`` campaign and two ActionID filters). Every campaign returns item metadata so notebooks
can show titles and prices next to scores. They live beside the data (``demo_store()`` carries them as its
``config``) so that ``write_dir(demo_store(), dir)`` writes them to ``personalize-lab.json`` and
``LocalPersonalize.from_csv(dir)`` recreates the same dataset group as ``LocalPersonalize.demo()``.
"""

from __future__ import annotations

from personalize_lab.datasets.config import (
    CampaignSpec,
    EventTrackerSpec,
    FilterSpec,
    ProjectConfig,
    RecommenderSpec,
)

__all__ = ["DEMO_FILTERS", "demo_config"]

_METADATA = {"enableMetadataWithRecommendations": True}

DEMO_FILTERS: tuple[FilterSpec, ...] = (
    FilterSpec("exclude-purchased", 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Purchase")'),
    FilterSpec("category", "INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY)"),
    FilterSpec("max-price", "INCLUDE ItemID WHERE Items.PRICE <= $MAX_PRICE"),
    FilterSpec("in-stock", 'INCLUDE ItemID WHERE Items.AVAILABLE IN ("True")'),
    FilterSpec("exclude-brand", "EXCLUDE ItemID WHERE Items.BRAND IN ($BRAND)"),
    FilterSpec("brand", "INCLUDE ItemID WHERE Items.BRAND IN ($BRAND)"),
    FilterSpec("new-arrivals", "INCLUDE ItemID WHERE Items.CREATION_TIMESTAMP > $SINCE"),
    FilterSpec(
        "category-unpurchased",
        "INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY) | "
        'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Purchase")',
    ),
    FilterSpec(
        "cheaper-same-category",
        "INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE AND Items.CATEGORY_L1 IN CurrentItem.CATEGORY_L1",
    ),
    FilterSpec("exclude-taken-actions", 'EXCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE IN ("TAKEN")'),
    FilterSpec("action-goal", "INCLUDE ActionID WHERE Actions.GOAL IN ($GOAL)"),
    FilterSpec(
        "premium-only-for-members",
        'EXCLUDE ItemID WHERE Items.PRICE > $MAX_PRICE IF CurrentUser.MEMBERSHIP IN ("free")',
    ),
)


def demo_config(dataset_group: str = "demo-store") -> ProjectConfig:
    """The resources :meth:`LocalPersonalize.demo` creates."""
    campaigns = (
        CampaignSpec("user-personalization", "aws-user-personalization", dict(_METADATA)),
        CampaignSpec("user-personalization-v2", "aws-user-personalization-v2", dict(_METADATA)),
        CampaignSpec(
            "user-personalization-no-exploration",
            "aws-user-personalization",
            {**_METADATA, "itemExplorationConfig": {"explorationWeight": "0"}},
        ),
        CampaignSpec("popularity-count", "aws-popularity-count", dict(_METADATA)),
        CampaignSpec("trending-now", "aws-trending-now", dict(_METADATA)),
        CampaignSpec("sims", "aws-sims", dict(_METADATA)),
        CampaignSpec("similar-items", "aws-similar-items", dict(_METADATA)),
        CampaignSpec("personalized-ranking", "aws-personalized-ranking", dict(_METADATA)),
        CampaignSpec("personalized-ranking-v2", "aws-personalized-ranking-v2", dict(_METADATA)),
        CampaignSpec("next-best-action", "aws-next-best-action", {}),
    )
    recommenders = (
        RecommenderSpec("recommended-for-you", "aws-ecomm-recommended-for-you", dict(_METADATA)),
        RecommenderSpec(
            "customers-also-viewed", "aws-ecomm-customers-who-viewed-x-also-viewed", dict(_METADATA)
        ),
        RecommenderSpec("best-sellers", "aws-ecomm-popular-items-by-purchases", dict(_METADATA)),
    )
    return ProjectConfig(
        dataset_group=dataset_group,
        campaigns=campaigns,
        recommenders=recommenders,
        filters=DEMO_FILTERS,
        event_trackers=(EventTrackerSpec("demo-store-tracker"),),
    )
