"""What each recipe accepts, decided from its ARN (personalize-semantics.md §1.5), never from recipeType.

(Popularity-Count's recipe page says USER_PERSONALIZATION; its behaviour is POPULAR_ITEMS.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["API_FOR", "Need", "RecipeInfo", "recipe_info"]

Need = Literal["required", "optional", "unused"]

# --- recipe behaviour, by recipe ARN (§1.5) ---------------------------------------------------------

# recipe suffix -> (behaviour, userId, itemId, promotions, context)
_RECIPES: dict[str, tuple[str, Need, Need, bool, bool]] = {
    "aws-user-personalization": ("USER_PERSONALIZATION", "required", "unused", True, True),
    "aws-user-personalization-v2": ("USER_PERSONALIZATION", "required", "unused", True, True),
    "aws-hrnn": ("USER_PERSONALIZATION", "required", "unused", True, True),
    "aws-hrnn-metadata": ("USER_PERSONALIZATION", "required", "unused", True, True),
    "aws-hrnn-coldstart": ("USER_PERSONALIZATION", "required", "unused", True, True),
    "aws-trending-now": ("POPULAR_ITEMS", "optional", "unused", True, False),
    "aws-popularity-count": ("POPULAR_ITEMS", "optional", "unused", True, False),
    "aws-similar-items": ("RELATED_ITEMS", "optional", "required", True, False),
    "aws-sims": ("RELATED_ITEMS", "optional", "required", True, False),
    "aws-semantic-similarity": ("RELATED_ITEMS", "optional", "required", True, False),
    "aws-personalized-ranking": ("PERSONALIZED_RANKING", "required", "unused", False, True),
    "aws-personalized-ranking-v2": ("PERSONALIZED_RANKING", "required", "unused", False, True),
    "aws-item-affinity": ("USER_SEGMENTATION", "unused", "unused", False, False),
    "aws-item-attribute-affinity": ("USER_SEGMENTATION", "unused", "unused", False, False),
    "aws-next-best-action": ("PERSONALIZED_ACTIONS", "required", "unused", False, False),
    "aws-ecomm-popular-items-by-views": ("POPULAR_ITEMS", "required", "unused", True, False),
    "aws-ecomm-popular-items-by-purchases": ("POPULAR_ITEMS", "required", "unused", True, False),
    "aws-ecomm-frequently-bought-together": ("RELATED_ITEMS", "optional", "required", True, False),
    "aws-ecomm-customers-who-viewed-x-also-viewed": ("RELATED_ITEMS", "required", "required", True, False),
    "aws-ecomm-recommended-for-you": ("USER_PERSONALIZATION", "required", "unused", True, True),
    "aws-vod-because-you-watched-x": ("RELATED_ITEMS", "required", "required", True, False),
    "aws-vod-more-like-x": ("RELATED_ITEMS", "required", "required", True, False),
    "aws-vod-most-popular": ("POPULAR_ITEMS", "required", "unused", True, False),
    "aws-vod-trending-now": ("POPULAR_ITEMS", "optional", "unused", True, False),
    "aws-vod-top-picks": ("USER_PERSONALIZATION", "required", "unused", True, True),
}

API_FOR = {
    "PERSONALIZED_RANKING": "lab.rank(user_id, items)",
    "PERSONALIZED_ACTIONS": "lab.recommend_actions(user_id)",
    "USER_SEGMENTATION": "a batch segment job (create_batch_segment_job); it has no real-time API",
}


@dataclass(frozen=True)
class RecipeInfo:
    """What a campaign or recommender accepts, resolved once from its recipe ARN and config."""

    recipe_arn: str
    behaviour: str | None  # USER_PERSONALIZATION, POPULAR_ITEMS, RELATED_ITEMS, ...; None = unknown recipe
    user_id: Need = "optional"
    item_id: Need = "optional"
    promotions: bool = True
    context: bool = True
    metadata_enabled: bool = False
    recipe_type: str | None = None

    @property
    def recipe_name(self) -> str:
        return self.recipe_arn.rsplit("/", 1)[-1]


def recipe_info(
    recipe_arn: str, *, metadata_enabled: bool = False, recipe_type: str | None = None
) -> RecipeInfo:
    """Behaviour of a recipe from its ARN (§1.5). Unknown recipes get permissive defaults (the service
    decides), so a new AWS recipe never makes the toolkit refuse a valid request."""
    suffix = recipe_arn.rsplit("/", 1)[-1]
    entry = _RECIPES.get(suffix)
    if entry is None:
        return RecipeInfo(recipe_arn, None, metadata_enabled=metadata_enabled, recipe_type=recipe_type)
    behaviour, user, item, promos, context = entry
    return RecipeInfo(recipe_arn, behaviour, user, item, promos, context, metadata_enabled, recipe_type)
