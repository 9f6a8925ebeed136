"""The trained models of the local Personalize: recipes keyed by ARN, fitted on coded Personalize frames.

    data = TrainingData.from_frames(interactions, items, users)
    model = get_recipe("aws-user-personalization").fit(data)
    logits = model.relevance_for_user("u1", context={"DEVICE": "mobile"})  # catalog-length float32

Importing this package loads every recipe module, so :data:`REGISTRY` is complete.
"""

from __future__ import annotations

from . import specs as _specs  # noqa: F401  (registers every recipe)
from .base import (
    REGISTRY,
    CooccurrenceConfig,
    FactorConfig,
    Model,
    NextBestActionConfig,
    PopularityConfig,
    Recipe,
    RecipeConfig,
    RecipeSpec,
    TrendingConfig,
    get_recipe,
)
from .specs import EXCLUDE_PURCHASED, EXCLUDE_WATCHED
from .training import Catalog, TrainingData

__all__ = [
    "EXCLUDE_PURCHASED",
    "EXCLUDE_WATCHED",
    "REGISTRY",
    "Catalog",
    "CooccurrenceConfig",
    "FactorConfig",
    "Model",
    "NextBestActionConfig",
    "PopularityConfig",
    "Recipe",
    "RecipeConfig",
    "RecipeSpec",
    "TrainingData",
    "TrendingConfig",
    "get_recipe",
]
