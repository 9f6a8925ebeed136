"""Every recipe and domain use case of the local Personalize, as specs mapped onto models (semantics §1.5).

Domain use cases are the custom models with a fixed configuration plus their automatic filter, written in
the shared filter language so the engine applies it on top of the request's filter. Choices the docs leave
open ([undoc]): VIDEO_ON_DEMAND "watched" means EVENT_TYPE ``Watch``; Most popular / Because you watched X
count ``Watch`` events; Trending now counts every event type.
"""

from __future__ import annotations

from .base import (
    RECIPE_ARN_PREFIX,
    CooccurrenceConfig,
    FactorConfig,
    NextBestActionConfig,
    PopularityConfig,
    Recipe,
    RecipeSpec,
    TrendingConfig,
    register,
)
from .factor import FactorModel
from .next_best_action import ActionModel
from .popularity import PopularityModel, TrendingModel
from .related import CooccurrenceModel

__all__ = ["EXCLUDE_PURCHASED", "EXCLUDE_WATCHED"]

EXCLUDE_PURCHASED = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Purchase")'
EXCLUDE_WATCHED = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Watch")'


def _arn(short: str) -> str:
    return RECIPE_ARN_PREFIX + short


def _user_personalization(short: str, name: str, *, v2: bool) -> RecipeSpec:
    return RecipeSpec(
        arn=_arn(short),
        name=name,
        recipe_type="USER_PERSONALIZATION",
        config=FactorConfig(),
        has_scores=True,
        needs_user_id=True,
        supports_context=True,
        supports_exploration=True,
        reasons=v2,
        reacts_to_events=True,
    )


def _ranking(short: str, name: str) -> RecipeSpec:
    return RecipeSpec(
        arn=_arn(short),
        name=name,
        recipe_type="PERSONALIZED_RANKING",
        config=FactorConfig(),
        has_scores=True,
        needs_user_id=True,
        supports_context=True,
        supports_promotions=False,  # GetPersonalizedRanking has no promotions member
        reacts_to_events=True,
    )


_CUSTOM = [
    (_user_personalization("aws-user-personalization", "User-Personalization", v2=False), FactorModel),
    (_user_personalization("aws-user-personalization-v2", "User-Personalization-v2", v2=True), FactorModel),
    (_ranking("aws-personalized-ranking", "Personalized-Ranking"), FactorModel),
    (_ranking("aws-personalized-ranking-v2", "Personalized-Ranking-v2"), FactorModel),
    (
        RecipeSpec(_arn("aws-popularity-count"), "Popularity-Count", "POPULAR_ITEMS", PopularityConfig()),
        PopularityModel,
    ),
    (RecipeSpec(_arn("aws-trending-now"), "Trending-Now", "POPULAR_ITEMS", TrendingConfig()), TrendingModel),
    (
        RecipeSpec(_arn("aws-sims"), "SIMS", "RELATED_ITEMS", CooccurrenceConfig(), needs_item_id=True),
        CooccurrenceModel,
    ),
    (
        RecipeSpec(
            _arn("aws-similar-items"),
            "Similar-Items",
            "RELATED_ITEMS",
            CooccurrenceConfig(metadata_weight=0.5),
            needs_item_id=True,
        ),
        CooccurrenceModel,
    ),
]

_ACTIONS = [
    (
        RecipeSpec(
            _arn("aws-next-best-action"),
            "Next-Best-Action",
            "PERSONALIZED_ACTIONS",
            NextBestActionConfig(),
            has_scores=True,
            needs_user_id=True,
            supports_promotions=False,  # GetActionRecommendations has no promotions member
            supports_exploration=True,  # actions without data, score 0.0
        ),
        ActionModel,
    ),
]

_ECOMMERCE = [
    (
        RecipeSpec(
            _arn("aws-ecomm-popular-items-by-views"),
            "Most viewed",
            "POPULAR_ITEMS",
            PopularityConfig(event_types=("View",)),
            needs_user_id=True,
            domain="ECOMMERCE",
            required_event_types=("View",),
            min_events=1000,
        ),
        PopularityModel,
    ),
    (
        RecipeSpec(
            _arn("aws-ecomm-popular-items-by-purchases"),
            "Best sellers",
            "POPULAR_ITEMS",
            PopularityConfig(event_types=("Purchase",)),
            needs_user_id=True,
            domain="ECOMMERCE",
            required_event_types=("Purchase",),
            min_events=1000,
        ),
        PopularityModel,
    ),
    (
        RecipeSpec(
            _arn("aws-ecomm-frequently-bought-together"),
            "Frequently bought together",
            "RELATED_ITEMS",
            CooccurrenceConfig(event_types=("Purchase",)),
            needs_item_id=True,
            domain="ECOMMERCE",
            required_event_types=("Purchase",),
        ),
        CooccurrenceModel,
    ),
    (
        RecipeSpec(
            _arn("aws-ecomm-customers-who-viewed-x-also-viewed"),
            "Customers who viewed X also viewed",
            "RELATED_ITEMS",
            CooccurrenceConfig(event_types=("View",)),
            needs_user_id=True,
            needs_item_id=True,
            domain="ECOMMERCE",
            auto_filter=EXCLUDE_PURCHASED,
            required_event_types=("View",),
        ),
        CooccurrenceModel,
    ),
    (
        RecipeSpec(
            _arn("aws-ecomm-recommended-for-you"),
            "Recommended for you",
            "USER_PERSONALIZATION",
            FactorConfig(),
            needs_user_id=True,
            supports_context=True,
            supports_exploration=True,
            domain="ECOMMERCE",
            auto_filter=EXCLUDE_PURCHASED,
            required_event_types=("View",),
            reacts_to_events=True,
        ),
        FactorModel,
    ),
]

_VIDEO_ON_DEMAND = [
    (
        RecipeSpec(
            _arn("aws-vod-because-you-watched-x"),
            "Because you watched X",
            "RELATED_ITEMS",
            CooccurrenceConfig(event_types=("Watch",)),
            needs_user_id=True,
            needs_item_id=True,
            domain="VIDEO_ON_DEMAND",
            auto_filter=EXCLUDE_WATCHED,
            required_event_types=("Watch",),
        ),
        CooccurrenceModel,
    ),
    (
        RecipeSpec(
            _arn("aws-vod-more-like-x"),
            "More like X",
            "RELATED_ITEMS",
            CooccurrenceConfig(metadata_weight=0.5),
            needs_user_id=True,
            needs_item_id=True,
            domain="VIDEO_ON_DEMAND",
            auto_filter=EXCLUDE_WATCHED,
        ),
        CooccurrenceModel,
    ),
    (
        RecipeSpec(
            _arn("aws-vod-most-popular"),
            "Most popular",
            "POPULAR_ITEMS",
            PopularityConfig(event_types=("Watch",)),
            needs_user_id=True,
            domain="VIDEO_ON_DEMAND",
            required_event_types=("Watch",),
        ),
        PopularityModel,
    ),
    (
        RecipeSpec(
            _arn("aws-vod-trending-now"),
            "Trending now",
            "POPULAR_ITEMS",
            TrendingConfig(),
            domain="VIDEO_ON_DEMAND",
        ),
        TrendingModel,
    ),
    (
        RecipeSpec(
            _arn("aws-vod-top-picks"),
            "Top picks for you",
            "USER_PERSONALIZATION",
            FactorConfig(),
            needs_user_id=True,
            supports_context=True,
            supports_exploration=True,
            domain="VIDEO_ON_DEMAND",
            auto_filter=EXCLUDE_WATCHED,
            reacts_to_events=True,
        ),
        FactorModel,
    ),
]

for _spec, _model in (*_CUSTOM, *_ACTIONS, *_ECOMMERCE, *_VIDEO_ON_DEMAND):
    register(Recipe(_spec, _model))
