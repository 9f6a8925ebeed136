"""Which recipes the local Personalize can deploy, by ARN, readable without importing the emulator.

The data folder's ``personalize-lab.json`` names recipes; the dataset loader checks them while it reads the
file, so an unknown recipe is reported with the file and the entry instead of failing later inside the
emulator. The emulator's recipe registry must list exactly these ARNs (tests/test_recipes_known.py).
"""

from __future__ import annotations

__all__ = ["CUSTOM_RECIPES", "DOMAIN_RECIPES", "LOCAL_RECIPES", "RECIPE_ARN_PREFIX", "resolve_recipe"]

RECIPE_ARN_PREFIX = "arn:aws:personalize:::recipe/"

#: Custom recipes (campaigns), in the order ListRecipes shows them.
CUSTOM_RECIPES: tuple[str, ...] = tuple(
    RECIPE_ARN_PREFIX + name
    for name in (
        "aws-user-personalization",
        "aws-user-personalization-v2",
        "aws-personalized-ranking",
        "aws-personalized-ranking-v2",
        "aws-popularity-count",
        "aws-trending-now",
        "aws-sims",
        "aws-similar-items",
        "aws-next-best-action",  # needs an Actions dataset
    )
)
#: Domain use cases (recommenders take only these): ECOMMERCE, then VIDEO_ON_DEMAND.
DOMAIN_RECIPES: tuple[str, ...] = tuple(
    RECIPE_ARN_PREFIX + name
    for name in (
        "aws-ecomm-popular-items-by-views",
        "aws-ecomm-popular-items-by-purchases",
        "aws-ecomm-frequently-bought-together",
        "aws-ecomm-customers-who-viewed-x-also-viewed",
        "aws-ecomm-recommended-for-you",
        "aws-vod-because-you-watched-x",
        "aws-vod-more-like-x",
        "aws-vod-most-popular",
        "aws-vod-trending-now",
        "aws-vod-top-picks",
    )
)
LOCAL_RECIPES: tuple[str, ...] = CUSTOM_RECIPES + DOMAIN_RECIPES


def resolve_recipe(arn_or_short_name: str) -> str | None:
    """The ARN a config's recipe string names (full ARN, ``aws-sims`` or ``sims``), None when unknown.

    The same spellings the emulator's ``get_recipe`` accepts.
    """
    name = arn_or_short_name.strip()
    for arn in (name, RECIPE_ARN_PREFIX + name, RECIPE_ARN_PREFIX + "aws-" + name):
        if arn in LOCAL_RECIPES:
            return arn
    return None
