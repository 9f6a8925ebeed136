"""Typed runtime requests: every documented rule is checked here, before anything is sent.

boto3 itself checks only required members, types and ``min`` constraints; everything else (numResults
≤ 500, promotion name pattern, metadata limits, context key pattern, filterValues against the filter
expression) would otherwise come back from the server as a bare InvalidInputException. The builders here
turn arguments into a :class:`Request` (the operation and the exact boto3 kwargs), or raise a :class:`~personalize_lab.errors.ValidationError`
whose message names the field, the value, the rule and the fix (personalize-semantics.md §1, §3.3, §4,
§6, §7). Recipe behaviour is decided from the recipe ARN (§1.5), never from ``recipeType``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from personalize_lab.canonical import canonical_json, digest
from personalize_lab.limits import (
    MAX_ACTION_RESULTS,
    MAX_ID_LENGTH,
    MAX_RESULTS,
    MAX_RESULTS_WITH_METADATA,
)
from personalize_lab.requests.recipes import RecipeInfo, recipe_info
from personalize_lab.requests.request import OPERATIONS, Request
from personalize_lab.requests.rules import (
    Promotion,
    ResolvedFilter,
    arn_region,
    check_context,
    check_filter_needs,
    check_ids,
    check_metadata,
    check_metadata_supported,
    check_num_results,
    encode_and_check_filter_values,
    fail,
    validate_target,
)

__all__ = [
    "OPERATIONS",
    "Promotion",
    "RecipeInfo",
    "Request",
    "ResolvedFilter",
    "arn_region",
    "build_action_request",
    "build_ranking_request",
    "build_recommendations_request",
    "canonical_json",
    "check_metadata_supported",
    "digest",
    "encode_and_check_filter_values",
    "recipe_info",
    "validate_target",
]


# --- the three builders ----------------------------------------------------------------------------


def build_recommendations_request(
    *,
    campaign_arn: str | None = None,
    recommender_arn: str | None = None,
    recipe: RecipeInfo | None = None,
    user_id: str | None = None,
    item_id: str | None = None,
    num_results: int = 25,
    context: Mapping[str, str] | None = None,
    filter: ResolvedFilter | None = None,
    filter_values: Mapping[str, object] | None = None,
    promotion: Promotion | None = None,
    promotion_filter: ResolvedFilter | None = None,
    metadata: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
) -> Request:
    """GetRecommendations with the exact kwargs of ``client.get_recommendations`` (members left out when
    not set, as on the wire)."""
    key, arn = validate_target(campaign_arn, recommender_arn)
    check_ids(recipe, user_id, item_id)
    meta = check_metadata(metadata, recipe)
    check_num_results(num_results, MAX_RESULTS, meta is not None)
    kwargs: dict[str, Any] = {key: arn}
    if item_id is not None:
        kwargs["itemId"] = item_id
    if user_id is not None:
        kwargs["userId"] = user_id
    kwargs["numResults"] = num_results
    ctx = check_context(context, recipe)
    if ctx:
        kwargs["context"] = ctx
    if filter is not None:
        kwargs["filterArn"] = filter.arn
    check_filter_needs(filter, user_id, item_id)
    wire = encode_and_check_filter_values(filter, filter_values)
    if wire:
        kwargs["filterValues"] = wire
    if promotion is not None:
        if isinstance(promotion, Sequence):
            raise fail("promotions", promotion, "takes at most one promotion", "pass a single pl.Promotion")
        if not isinstance(promotion, Promotion):
            raise fail(
                "promotions",
                promotion,
                "must be a pl.Promotion",
                "pass pl.Promotion(name, percent, filter=...)",
            )
        promotion.validate()
        if recipe is not None and recipe.behaviour is not None and not recipe.promotions:
            raise fail(
                "promotions",
                promotion.name,
                f"are not supported by recipe {recipe.recipe_name}",
                "drop promotion=",
            )
        promo: dict[str, Any] = {"name": promotion.name, "percentPromotedItems": promotion.percent}
        if promotion_filter is not None:
            promo["filterArn"] = promotion_filter.arn
            check_filter_needs(promotion_filter, user_id, item_id)
        promo_wire = encode_and_check_filter_values(
            promotion_filter, promotion.filter_values, field="promotions[0].filterValues"
        )
        if promo_wire:
            promo["filterValues"] = promo_wire
        kwargs["promotions"] = [promo]
    if meta is not None:
        kwargs["metadataColumns"] = meta
    return Request("GetRecommendations", kwargs)


def build_ranking_request(
    *,
    campaign_arn: str,
    recipe: RecipeInfo | None = None,
    user_id: str,
    items: Sequence[str],
    context: Mapping[str, str] | None = None,
    filter: ResolvedFilter | None = None,
    filter_values: Mapping[str, object] | None = None,
    metadata: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
) -> Request:
    """GetPersonalizedRanking with the exact kwargs of ``client.get_personalized_ranking`` (no numResults,
    promotions or recommenders)."""
    if not campaign_arn:
        raise fail(
            "campaignArn",
            campaign_arn,
            "is required by GetPersonalizedRanking (recommenders cannot rank)",
            "use a Lab built with campaign_arn=",
        )
    if recipe is not None and recipe.behaviour not in (None, "PERSONALIZED_RANKING"):
        raise fail(
            "recipe",
            recipe.recipe_name,
            "is not a PERSONALIZED_RANKING recipe; GetPersonalizedRanking needs aws-personalized-ranking",
            "use lab.recommend(...) on this campaign, or a Personalized-Ranking campaign for rank()",
        )
    if user_id is None or not isinstance(user_id, str) or not 1 <= len(user_id) <= MAX_ID_LENGTH:
        raise fail(
            "userId",
            user_id,
            f"is required by GetPersonalizedRanking (a string of 1-{MAX_ID_LENGTH} characters)",
            "pass user_id='...'",
        )
    if isinstance(items, str):
        raise fail("inputList", items, "must be a list of item IDs, not one string", f"pass [{items!r}]")
    input_list = list(items)
    meta = check_metadata(metadata, recipe)
    limit = MAX_RESULTS_WITH_METADATA if meta is not None else MAX_RESULTS
    if not input_list:
        raise fail("inputList", input_list, "is empty", "pass at least one item ID")
    if len(input_list) > limit:
        raise fail(
            "inputList",
            f"<{len(input_list)} items>",
            f"exceeds the maximum of {MAX_RESULTS} items ({MAX_RESULTS_WITH_METADATA} when metadataColumns "
            "is set)",
            f"rank at most {limit} items per call",
        )
    for item in input_list:
        if not isinstance(item, str) or not 1 <= len(item) <= MAX_ID_LENGTH:
            raise fail(
                "inputList item",
                item,
                f"must be a string of 1-{MAX_ID_LENGTH} characters",
                "pass item IDs as strings",
            )
    kwargs: dict[str, Any] = {"campaignArn": campaign_arn, "inputList": input_list, "userId": user_id}
    ctx = check_context(context, recipe)
    if ctx:
        kwargs["context"] = ctx
    if filter is not None:
        kwargs["filterArn"] = filter.arn
    wire = encode_and_check_filter_values(filter, filter_values)
    if wire:
        kwargs["filterValues"] = wire
    if meta is not None:
        kwargs["metadataColumns"] = meta
    return Request("GetPersonalizedRanking", kwargs)


def build_action_request(
    *,
    campaign_arn: str,
    recipe: RecipeInfo | None = None,
    user_id: str,
    num_results: int = 5,
    filter: ResolvedFilter | None = None,
    filter_values: Mapping[str, object] | None = None,
) -> Request:
    """GetActionRecommendations with the exact kwargs of ``client.get_action_recommendations`` (§1.4).

    numResults is 1-``MAX_ACTION_RESULTS``; the operation has no context, promotions or metadata.
    """
    if not campaign_arn:
        raise fail(
            "campaignArn",
            campaign_arn,
            "is required by GetActionRecommendations",
            "use a Lab built with campaign_arn=",
        )
    if recipe is not None and recipe.behaviour not in (None, "PERSONALIZED_ACTIONS"):
        raise fail(
            "recipe",
            recipe.recipe_name,
            "is not a PERSONALIZED_ACTIONS recipe; GetActionRecommendations needs aws-next-best-action",
            "use a Next-Best-Action campaign for recommend_actions()",
        )
    if user_id is None or not isinstance(user_id, str) or not 1 <= len(user_id) <= MAX_ID_LENGTH:
        raise fail(
            "userId",
            user_id,
            f"is required by GetActionRecommendations (a string of 1-{MAX_ID_LENGTH} characters)",
            "pass user_id='...'",
        )
    if (
        isinstance(num_results, bool)
        or not isinstance(num_results, int)
        or not 1 <= num_results <= MAX_ACTION_RESULTS
    ):
        raise fail(
            "numResults",
            num_results,
            f"must be an integer from 1 to {MAX_ACTION_RESULTS} for actions",
            f"pass at most {MAX_ACTION_RESULTS}",
        )
    kwargs: dict[str, Any] = {"campaignArn": campaign_arn, "userId": user_id, "numResults": num_results}
    if filter is not None:
        kwargs["filterArn"] = filter.arn
    wire = encode_and_check_filter_values(filter, filter_values)
    if wire:
        kwargs["filterValues"] = wire
    return Request("GetActionRecommendations", kwargs)
