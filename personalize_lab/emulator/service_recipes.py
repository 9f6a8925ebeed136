"""The service-owned recipes, as a static table, so ListRecipes/DescribeRecipe answer like the service.

Recipe names, types and domains come from personalize-semantics.md §1.5. Two deliberate quirks:
Popularity-Count reports ``USER_PERSONALIZATION`` as its recipeType, as its recipe page does (§11 trap 14:
map behaviour from the ARN, not from recipeType); domain recipes carry their domain, custom ones none.
The recipeType of domain recipes is not documented [undoc]: each is given the custom type it behaves like.
"""

from __future__ import annotations

from dataclasses import dataclass

from personalize_lab.emulator import arns

#: A fixed creation time (2019-06-10T00:00:00Z, the service's launch) so listings are stable.
RECIPE_EPOCH = 1560124800.0


@dataclass(frozen=True)
class ServiceRecipe:
    name: str
    recipe_type: str
    domain: str | None
    description: str

    @property
    def arn(self) -> str:
        return arns.recipe_arn(self.name)

    def describe(self) -> dict[str, object]:
        """The ``recipe`` structure of DescribeRecipe (ListRecipes projects it to its summary)."""
        out: dict[str, object] = {
            "name": self.name,
            "recipeArn": self.arn,
            "algorithmArn": arns.algorithm_arn(self.name),
            "featureTransformationArn": arns.feature_transformation_arn(f"{self.name}-ft"),
            "status": "ACTIVE",
            "description": self.description,
            "creationDateTime": RECIPE_EPOCH,
            "recipeType": self.recipe_type,
            "lastUpdatedDateTime": RECIPE_EPOCH,
        }
        if self.domain:
            out["domain"] = self.domain
        return out


_UP, _POP, _REL, _PR = "USER_PERSONALIZATION", "POPULAR_ITEMS", "RELATED_ITEMS", "PERSONALIZED_RANKING"
_SEG, _ACT = "USER_SEGMENTATION", "PERSONALIZED_ACTIONS"
_EC, _VOD = "ECOMMERCE", "VIDEO_ON_DEMAND"

SERVICE_RECIPES: tuple[ServiceRecipe, ...] = (
    ServiceRecipe("aws-user-personalization", _UP, None, "User-Personalization: personalized items."),
    ServiceRecipe("aws-user-personalization-v2", _UP, None, "User-Personalization-v2, with reasons."),
    ServiceRecipe("aws-hrnn", _UP, None, "Legacy HRNN."),
    ServiceRecipe("aws-hrnn-metadata", _UP, None, "Legacy HRNN with metadata."),
    ServiceRecipe("aws-hrnn-coldstart", _UP, None, "Legacy HRNN for cold-start items."),
    ServiceRecipe("aws-popularity-count", _UP, None, "Popularity-Count: most popular items."),
    ServiceRecipe("aws-trending-now", _POP, None, "Trending-Now: items gaining popularity."),
    ServiceRecipe("aws-similar-items", _REL, None, "Similar-Items: co-interaction and metadata."),
    ServiceRecipe("aws-sims", _REL, None, "SIMS: item-to-item similarity."),
    ServiceRecipe("aws-semantic-similarity", _REL, None, "Semantic-Similarity: text similarity."),
    ServiceRecipe("aws-personalized-ranking", _PR, None, "Personalized-Ranking: rank a list."),
    ServiceRecipe("aws-personalized-ranking-v2", _PR, None, "Personalized-Ranking-v2."),
    ServiceRecipe("aws-item-affinity", _SEG, None, "Item-Affinity: users for an item (batch only)."),
    ServiceRecipe("aws-item-attribute-affinity", _SEG, None, "Item-Attribute-Affinity (batch only)."),
    ServiceRecipe("aws-next-best-action", _ACT, None, "Next-Best-Action: actions for a user."),
    ServiceRecipe("aws-ecomm-popular-items-by-views", _POP, _EC, "Most viewed."),
    ServiceRecipe("aws-ecomm-popular-items-by-purchases", _POP, _EC, "Best sellers."),
    ServiceRecipe("aws-ecomm-frequently-bought-together", _REL, _EC, "Frequently bought together."),
    ServiceRecipe("aws-ecomm-customers-who-viewed-x-also-viewed", _REL, _EC, "Customers who viewed X."),
    ServiceRecipe("aws-ecomm-recommended-for-you", _UP, _EC, "Recommended for you."),
    ServiceRecipe("aws-vod-because-you-watched-x", _REL, _VOD, "Because you watched X."),
    ServiceRecipe("aws-vod-more-like-x", _REL, _VOD, "More like X."),
    ServiceRecipe("aws-vod-most-popular", _POP, _VOD, "Most popular."),
    ServiceRecipe("aws-vod-trending-now", _POP, _VOD, "Trending now."),
    ServiceRecipe("aws-vod-top-picks", _UP, _VOD, "Top picks for you."),
)

BY_ARN: dict[str, ServiceRecipe] = {r.arn: r for r in SERVICE_RECIPES}
