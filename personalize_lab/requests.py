"""Typed runtime requests: every documented rule is checked here, before anything is sent.

boto3 itself checks only required members, types and ``min`` constraints; everything else (numResults
≤ 500, promotion name pattern, metadata limits, context key pattern, filterValues against the filter
expression) would otherwise come back from the server as a bare InvalidInputException. The builders here
turn arguments into the exact boto3 kwargs, or raise a :class:`~personalize_lab.errors.ValidationError`
whose message names the field, the value, the rule and the fix (personalize-semantics.md §1, §3.3, §4,
§6, §7). Recipe behaviour is decided from the recipe ARN (§1.5), never from ``recipeType``.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import botocore
import botocore.session

from personalize_lab import filters
from personalize_lab.errors import FilterValuesError, PersonalizeLabWarning, ValidationError

__all__ = [
    "Promotion",
    "RecipeInfo",
    "ResolvedFilter",
    "build_action_request",
    "build_ranking_request",
    "build_recommendations_request",
    "check_metadata_supported",
    "recipe_info",
    "validate_target",
]

Need = Literal["required", "optional", "unused"]

NAME_PATTERN = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9\-_]*")
CONTEXT_KEY_PATTERN = re.compile(r"[A-Za-z\d_]+")
MAX_RESULTS = 500
MAX_RESULTS_WITH_METADATA = 50
MAX_ACTIONS = 100
MAX_METADATA_COLUMNS = 10
MAX_CONTEXT_ENTRIES = 150


def _fail(field: str, value: Any, rule: str, fix: str) -> ValidationError:
    return ValidationError(
        f"{field}={value!r} {rule}. Fix: {fix}", field=field, value=value, rule=rule, fix=fix
    )


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
    "aws-vod-trending-now": ("POPULAR_ITEMS", "optional", "unused", False, False),
    "aws-vod-top-picks": ("USER_PERSONALIZATION", "required", "unused", True, True),
}

_API_FOR = {
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


def validate_target(campaign_arn: str | None, recommender_arn: str | None) -> tuple[str, str]:
    """Exactly one of campaign/recommender ARN; returns (boto3 key, ARN)."""
    if campaign_arn and recommender_arn:
        raise ValidationError(
            f"campaignArn={campaign_arn!r} and recommenderArn={recommender_arn!r} are both set; a request "
            "takes exactly one. Fix: pass either campaign_arn or recommender_arn",
            field="campaignArn",
            value=campaign_arn,
            rule="exactly one of campaignArn/recommenderArn",
            fix="pass only one",
        )
    if not campaign_arn and not recommender_arn:
        raise ValidationError(
            "campaignArn and recommenderArn are both missing; a request takes exactly one. "
            "Fix: pass campaign_arn=... or recommender_arn=... (or use pl.Lab.demo())",
            field="campaignArn",
            rule="exactly one of campaignArn/recommenderArn",
            fix="pass one",
        )
    if campaign_arn:
        return "campaignArn", campaign_arn
    assert recommender_arn is not None
    return "recommenderArn", recommender_arn


# --- promotions (§4) --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Promotion:
    """One promotion for GetRecommendations: ``percent`` of the list comes from items that pass ``filter``.

    ``filter`` is a filter ARN or name; ``filter_values`` its placeholder values (Python values or
    already-encoded strings). The request filter does not apply to promoted items (§4).
    """

    name: str
    percent: int
    filter: str | None = None
    filter_values: Mapping[str, object] | None = None

    def validate(self) -> None:
        if (
            not isinstance(self.name, str)
            or not (1 <= len(self.name) <= 63)
            or not NAME_PATTERN.fullmatch(self.name)
        ):
            raise _fail(
                "promotions[0].name",
                self.name,
                "must be 1-63 characters matching ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*",
                "start with a letter or digit and use only letters, digits, '-' and '_'",
            )
        if (
            isinstance(self.percent, bool)
            or not isinstance(self.percent, int)
            or not 1 <= self.percent <= 100
        ):
            raise _fail(
                "promotions[0].percentPromotedItems",
                self.percent,
                "must be an integer from 1 to 100",
                "pass percent=20 for 20% of the list",
            )


# --- filters and filterValues (§3.3) ----------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedFilter:
    """A filter the client has resolved: its ARN and (when known) its expression text."""

    arn: str
    expression: str | None = None
    name: str | None = None


def encode_and_check_filter_values(
    flt: ResolvedFilter | None, values: Mapping[str, object] | None, *, field: str = "filterValues"
) -> dict[str, str] | None:
    """Encode ``values`` to wire strings and check them against the filter's expression.

    The filter language owns the rules (keys, ≤25 entries, ≤1000 characters, quoting, missing INCLUDE
    value or wrong key case → FilterValuesError); a missing EXCLUDE value becomes a
    :class:`PersonalizeLabWarning` naming the clause the service will drop. ``field`` prefixes messages
    for a promotion's own filterValues.
    """
    if not values:
        values = {}
    if flt is None:
        if values:
            raise _fail(field, dict(values), "is set but no filter is", "pass filter=<name or ARN> as well")
        return None
    try:
        wire = filters.encode_filter_values(values)
        notes = filters.check_filter_values(filters.parse(flt.expression), wire) if flt.expression else []
    except FilterValuesError as e:
        if field == "filterValues":
            raise
        raise FilterValuesError(f"{field}: {e}", field=field, value=e.value) from e
    label = flt.name or flt.arn
    for note in notes:
        where = "" if field == "filterValues" else f" ({field.rsplit('.', 1)[0]})"
        warnings.warn(f"filter {label}{where}: {note}", PersonalizeLabWarning, stacklevel=4)
    return wire or None


def _check_filter_needs(flt: ResolvedFilter | None, user_id: str | None, item_id: str | None) -> None:
    """A filter on interactions or CurrentUser needs a userId even on popularity/related-items recipes."""
    if flt is None or not flt.expression:
        return
    expr = filters.parse(flt.expression)
    label = flt.name or flt.arn
    if expr.needs_user_id and user_id is None:
        raise _fail(
            "userId",
            None,
            f"is required by filter {label} (it reads the user's interactions or CurrentUser)",
            "pass user_id='...'",
        )
    if expr.needs_item_id and item_id is None:
        raise _fail(
            "itemId", None, f"is required by filter {label} (it reads CurrentItem)", "pass item_id='...'"
        )


# --- metadata (§6) and context (§7) ----------------------------------------------------------------


def check_metadata_supported(members: Sequence[str] | None = None) -> None:
    """The installed botocore must know ``metadataColumns`` (older SDKs reject it on the client, §6).

    ``members`` are the GetRecommendationsRequest members of the model in use (a client's
    ``meta.service_model``); by default the installed botocore's model is read once.
    """
    if members is None:
        members = _installed_request_members()
    if "metadataColumns" not in members:
        raise ValidationError(
            f"metadataColumns is not supported by the installed botocore {botocore.__version__}: its "
            "personalize-runtime model has no metadataColumns member. Fix: pip install -U boto3 botocore",
            field="metadataColumns",
            value=botocore.__version__,
            rule="botocore model must define metadataColumns",
            fix="upgrade boto3/botocore",
        )


@functools.lru_cache(maxsize=1)
def _installed_request_members() -> tuple[str, ...]:
    model = botocore.session.get_session().get_service_model("personalize-runtime")
    shape = model.operation_model("GetRecommendations").input_shape
    return tuple(shape.members) if shape is not None else ()


def _metadata(
    metadata: Sequence[str] | Mapping[str, Sequence[str]] | None, recipe: RecipeInfo | None
) -> dict[str, list[str]] | None:
    if metadata is None:
        return None
    if isinstance(metadata, str):
        metadata = [metadata]
    if isinstance(metadata, Mapping):
        keys = list(metadata)
        if keys != ["ITEMS"]:
            raise _fail(
                "metadataColumns",
                dict(metadata),
                "must have exactly one key, 'ITEMS'",
                "pass metadata=['TITLE', ...] or metadata={'ITEMS': ['TITLE', ...]}",
            )
        columns = list(metadata["ITEMS"])
    else:
        columns = list(metadata)
    if not columns:
        return None
    if len(columns) > MAX_METADATA_COLUMNS:
        raise _fail(
            "metadataColumns['ITEMS']",
            columns,
            f"has {len(columns)} columns, more than the maximum of {MAX_METADATA_COLUMNS}",
            f"request at most {MAX_METADATA_COLUMNS} columns",
        )
    for col in columns:
        if not isinstance(col, str) or not 1 <= len(col) <= 150:
            raise _fail(
                "metadataColumns['ITEMS']",
                col,
                "must be a column name of 1-150 characters",
                "name an Items dataset column",
            )
    if recipe is not None and not recipe.metadata_enabled:
        raise _fail(
            "metadataColumns",
            {"ITEMS": columns},
            "is set but metadata is not enabled on this campaign/recommender",
            "update it with enableMetadataWithRecommendations=True, or drop metadata=",
        )
    check_metadata_supported()
    return {"ITEMS": columns}


def _context(context: Mapping[str, str] | None, recipe: RecipeInfo | None) -> dict[str, str] | None:
    if not context:
        return None
    if len(context) > MAX_CONTEXT_ENTRIES:
        raise _fail(
            "context",
            f"<{len(context)} entries>",
            f"exceeds the maximum of {MAX_CONTEXT_ENTRIES} entries",
            "send fewer context keys",
        )
    for key, value in context.items():
        if not isinstance(key, str) or len(key) > 150 or not CONTEXT_KEY_PATTERN.fullmatch(key):
            raise _fail(
                "context key",
                key,
                "must be 1-150 characters of [A-Za-z0-9_]",
                "use the Interactions schema field name, e.g. 'DEVICE'",
            )
        if not isinstance(value, str):
            raise _fail(f"context[{key!r}]", value, "must be a string", f"pass {str(value)!r}")
        if len(value) > 1000:
            raise _fail(
                f"context[{key!r}]",
                value[:40] + "…",
                "exceeds the maximum of 1000 characters",
                "shorten the value",
            )
    if recipe is not None and recipe.behaviour is not None and not recipe.context:
        # the service's answer here is undocumented (§7): warn rather than refuse a legal request
        warnings.warn(
            f"context={dict(context)!r} is likely ignored by recipe {recipe.recipe_name}: only "
            "User-Personalization, Personalized-Ranking, Recommended for you and Top picks for you "
            "use context",
            PersonalizeLabWarning,
            stacklevel=4,
        )
    return dict(context)


def _check_ids(recipe: RecipeInfo | None, user_id: str | None, item_id: str | None) -> None:
    for field, value in (("userId", user_id), ("itemId", item_id)):
        if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= 256):
            raise _fail(
                field, value, "must be a string of 1-256 characters", f"pass {field} as a string, e.g. '42'"
            )
    if recipe is None or recipe.behaviour is None:
        return
    if recipe.behaviour in _API_FOR:
        raise _fail(
            "recipe",
            recipe.recipe_name,
            f"is a {recipe.behaviour} recipe; GetRecommendations does not serve it",
            f"use {_API_FOR[recipe.behaviour]}",
        )
    if recipe.user_id == "required" and user_id is None:
        raise _fail("userId", None, f"is required by recipe {recipe.recipe_name}", "pass user_id='...'")
    if recipe.item_id == "required" and item_id is None:
        raise _fail(
            "itemId",
            None,
            f"is required by recipe {recipe.recipe_name} (related items)",
            "pass item_id='...'",
        )
    if recipe.item_id == "unused" and item_id is not None:
        raise _fail("itemId", item_id, f"is not used by recipe {recipe.recipe_name}", "drop item_id=")
    if recipe.user_id == "unused" and user_id is not None:
        raise _fail("userId", user_id, f"is not used by recipe {recipe.recipe_name}", "drop user_id=")


def _num_results(value: int, maximum: int, with_metadata: bool, field: str = "numResults") -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(field, value, "must be an integer", f"pass an integer from 1 to {maximum}")
    limit = MAX_RESULTS_WITH_METADATA if with_metadata else maximum
    if value < 1:
        raise _fail(field, value, "is below the minimum of 1", f"pass an integer from 1 to {limit}")
    if value > limit:
        raise _fail(
            field,
            value,
            f"exceeds the maximum of {maximum} (50 when metadataColumns is set)",
            f"pass at most {limit}",
        )


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
) -> dict[str, Any]:
    """Exact kwargs for ``client.get_recommendations`` (members left out when not set, as on the wire)."""
    key, arn = validate_target(campaign_arn, recommender_arn)
    _check_ids(recipe, user_id, item_id)
    meta = _metadata(metadata, recipe)
    _num_results(num_results, MAX_RESULTS, meta is not None)
    kwargs: dict[str, Any] = {key: arn}
    if item_id is not None:
        kwargs["itemId"] = item_id
    if user_id is not None:
        kwargs["userId"] = user_id
    kwargs["numResults"] = num_results
    ctx = _context(context, recipe)
    if ctx:
        kwargs["context"] = ctx
    if filter is not None:
        kwargs["filterArn"] = filter.arn
    _check_filter_needs(filter, user_id, item_id)
    wire = encode_and_check_filter_values(filter, filter_values)
    if wire:
        kwargs["filterValues"] = wire
    if promotion is not None:
        if isinstance(promotion, Sequence):
            raise _fail("promotions", promotion, "takes at most one promotion", "pass a single pl.Promotion")
        if not isinstance(promotion, Promotion):
            raise _fail(
                "promotions",
                promotion,
                "must be a pl.Promotion",
                "pass pl.Promotion(name, percent, filter=...)",
            )
        promotion.validate()
        if recipe is not None and recipe.behaviour is not None and not recipe.promotions:
            raise _fail(
                "promotions",
                promotion.name,
                f"are not supported by recipe {recipe.recipe_name}",
                "drop promotion=",
            )
        promo: dict[str, Any] = {"name": promotion.name, "percentPromotedItems": promotion.percent}
        if promotion_filter is not None:
            promo["filterArn"] = promotion_filter.arn
            _check_filter_needs(promotion_filter, user_id, item_id)
        promo_wire = encode_and_check_filter_values(
            promotion_filter, promotion.filter_values, field="promotions[0].filterValues"
        )
        if promo_wire:
            promo["filterValues"] = promo_wire
        kwargs["promotions"] = [promo]
    if meta is not None:
        kwargs["metadataColumns"] = meta
    return kwargs


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
) -> dict[str, Any]:
    """Exact kwargs for ``client.get_personalized_ranking`` (no numResults, promotions or recommenders)."""
    if not campaign_arn:
        raise _fail(
            "campaignArn",
            campaign_arn,
            "is required by GetPersonalizedRanking (recommenders cannot rank)",
            "use a Lab built with campaign_arn=",
        )
    if recipe is not None and recipe.behaviour not in (None, "PERSONALIZED_RANKING"):
        raise _fail(
            "recipe",
            recipe.recipe_name,
            "is not a PERSONALIZED_RANKING recipe; GetPersonalizedRanking needs aws-personalized-ranking",
            "use lab.recommend(...) on this campaign, or a Personalized-Ranking campaign for rank()",
        )
    if user_id is None or not isinstance(user_id, str) or not 1 <= len(user_id) <= 256:
        raise _fail(
            "userId",
            user_id,
            "is required by GetPersonalizedRanking (a string of 1-256 characters)",
            "pass user_id='...'",
        )
    if isinstance(items, str):
        raise _fail("inputList", items, "must be a list of item IDs, not one string", f"pass [{items!r}]")
    input_list = list(items)
    meta = _metadata(metadata, recipe)
    limit = MAX_RESULTS_WITH_METADATA if meta is not None else MAX_RESULTS
    if not input_list:
        raise _fail("inputList", input_list, "is empty", "pass at least one item ID")
    if len(input_list) > limit:
        raise _fail(
            "inputList",
            f"<{len(input_list)} items>",
            f"exceeds the maximum of {MAX_RESULTS} items (50 when metadataColumns is set)",
            f"rank at most {limit} items per call",
        )
    for item in input_list:
        if not isinstance(item, str) or not 1 <= len(item) <= 256:
            raise _fail(
                "inputList item", item, "must be a string of 1-256 characters", "pass item IDs as strings"
            )
    kwargs: dict[str, Any] = {"campaignArn": campaign_arn, "inputList": input_list, "userId": user_id}
    ctx = _context(context, recipe)
    if ctx:
        kwargs["context"] = ctx
    if filter is not None:
        kwargs["filterArn"] = filter.arn
    wire = encode_and_check_filter_values(filter, filter_values)
    if wire:
        kwargs["filterValues"] = wire
    if meta is not None:
        kwargs["metadataColumns"] = meta
    return kwargs


def build_action_request(
    *,
    campaign_arn: str,
    recipe: RecipeInfo | None = None,
    user_id: str,
    num_results: int = 5,
    filter: ResolvedFilter | None = None,
    filter_values: Mapping[str, object] | None = None,
) -> dict[str, Any]:
    """Exact kwargs for ``client.get_action_recommendations`` (§1.4).

    numResults is 1-100; the operation has no context, promotions or metadata.
    """
    if not campaign_arn:
        raise _fail(
            "campaignArn",
            campaign_arn,
            "is required by GetActionRecommendations",
            "use a Lab built with campaign_arn=",
        )
    if recipe is not None and recipe.behaviour not in (None, "PERSONALIZED_ACTIONS"):
        raise _fail(
            "recipe",
            recipe.recipe_name,
            "is not a PERSONALIZED_ACTIONS recipe; GetActionRecommendations needs aws-next-best-action",
            "use a Next-Best-Action campaign for recommend_actions()",
        )
    if user_id is None or not isinstance(user_id, str) or not 1 <= len(user_id) <= 256:
        raise _fail(
            "userId",
            user_id,
            "is required by GetActionRecommendations (a string of 1-256 characters)",
            "pass user_id='...'",
        )
    if (
        isinstance(num_results, bool)
        or not isinstance(num_results, int)
        or not 1 <= num_results <= MAX_ACTIONS
    ):
        raise _fail(
            "numResults",
            num_results,
            f"must be an integer from 1 to {MAX_ACTIONS} for actions",
            f"pass at most {MAX_ACTIONS}",
        )
    kwargs: dict[str, Any] = {"campaignArn": campaign_arn, "userId": user_id, "numResults": num_results}
    if filter is not None:
        kwargs["filterArn"] = filter.arn
    wire = encode_and_check_filter_values(filter, filter_values)
    if wire:
        kwargs["filterValues"] = wire
    return kwargs
