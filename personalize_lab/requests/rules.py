"""The documented request rules, one small check each; every failure names field, value, rule and fix.

Limits from personalize-semantics.md §1.2 (numResults, promotions), §3.3 (filterValues, checked by the
filter language against the filter's expression), §6 (metadata) and §7 (context).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import botocore
import botocore.session

from personalize_lab import filters
from personalize_lab.errors import FilterValuesError, PersonalizeLabWarning, ValidationError
from personalize_lab.limits import (
    ARN_PATTERN,
    CONTEXT_KEY_PATTERN,
    MAX_ARN_LENGTH,
    MAX_COLUMN_NAME_LENGTH,
    MAX_CONTEXT_ENTRIES,
    MAX_CONTEXT_KEY_LENGTH,
    MAX_CONTEXT_VALUE_LENGTH,
    MAX_ID_LENGTH,
    MAX_METADATA_COLUMNS,
    MAX_NAME_LENGTH,
    MAX_PERCENT_PROMOTED,
    MAX_RESULTS_WITH_METADATA,
    NAME_PATTERN,
)
from personalize_lab.requests.recipes import API_FOR, RecipeInfo


def fail(field: str, value: Any, rule: str, fix: str) -> ValidationError:
    return ValidationError(
        f"{field}={value!r} {rule}. Fix: {fix}", field=field, value=value, rule=rule, fix=fix
    )


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
    key, arn = ("campaignArn", campaign_arn) if campaign_arn else ("recommenderArn", recommender_arn)
    assert arn is not None
    kind = "campaign" if key == "campaignArn" else "recommender"
    if not isinstance(arn, str) or len(arn) > MAX_ARN_LENGTH or not ARN_PATTERN.fullmatch(arn):
        raise fail(
            key,
            arn,
            "is not a Personalize ARN (arn:aws:personalize:<region>:<account>:" + kind + "/<name>)",
            f"copy it from the console or from list_{kind}s()",
        )
    return key, arn


def arn_region(arn: str) -> str | None:
    """The region written in an ARN (``None`` for service-owned ARNs such as recipes)."""
    parts = arn.split(":")
    return parts[3] or None if len(parts) > 3 else None


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
            or not (1 <= len(self.name) <= MAX_NAME_LENGTH)
            or not NAME_PATTERN.fullmatch(self.name)
        ):
            raise fail(
                "promotions[0].name",
                self.name,
                f"must be 1-{MAX_NAME_LENGTH} characters matching ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*",
                "start with a letter or digit and use only letters, digits, '-' and '_'",
            )
        if (
            isinstance(self.percent, bool)
            or not isinstance(self.percent, int)
            or not 1 <= self.percent <= MAX_PERCENT_PROMOTED
        ):
            raise fail(
                "promotions[0].percentPromotedItems",
                self.percent,
                f"must be an integer from 1 to {MAX_PERCENT_PROMOTED}",
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

    The filter language owns the rules (keys, the number of entries, value lengths, quoting, missing INCLUDE
    value or wrong key case → FilterValuesError); a missing EXCLUDE value becomes a
    :class:`PersonalizeLabWarning` naming the clause the service will drop. ``field`` prefixes messages
    for a promotion's own filterValues.
    """
    if not values:
        values = {}
    if flt is None:
        if values:
            raise fail(field, dict(values), "is set but no filter is", "pass filter=<name or ARN> as well")
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


def check_filter_needs(flt: ResolvedFilter | None, user_id: str | None, item_id: str | None) -> None:
    """A filter on interactions or CurrentUser needs a userId even on popularity/related-items recipes."""
    if flt is None or not flt.expression:
        return
    expr = filters.parse(flt.expression)
    label = flt.name or flt.arn
    if expr.needs_user_id and user_id is None:
        raise fail(
            "userId",
            None,
            f"is required by filter {label} (it reads the user's interactions or CurrentUser)",
            "pass user_id='...'",
        )
    if expr.needs_item_id and item_id is None:
        raise fail(
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


def check_metadata(
    metadata: Sequence[str] | Mapping[str, Sequence[str]] | None, recipe: RecipeInfo | None
) -> dict[str, list[str]] | None:
    if metadata is None:
        return None
    if isinstance(metadata, str):
        metadata = [metadata]
    if isinstance(metadata, Mapping):
        keys = list(metadata)
        if keys != ["ITEMS"]:
            raise fail(
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
        raise fail(
            "metadataColumns['ITEMS']",
            columns,
            f"has {len(columns)} columns, more than the maximum of {MAX_METADATA_COLUMNS}",
            f"request at most {MAX_METADATA_COLUMNS} columns",
        )
    for col in columns:
        if not isinstance(col, str) or not 1 <= len(col) <= MAX_COLUMN_NAME_LENGTH:
            raise fail(
                "metadataColumns['ITEMS']",
                col,
                f"must be a column name of 1-{MAX_COLUMN_NAME_LENGTH} characters",
                "name an Items dataset column",
            )
    if recipe is not None and not recipe.metadata_enabled:
        raise fail(
            "metadataColumns",
            {"ITEMS": columns},
            "is set but metadata is not enabled on this campaign/recommender",
            "update it with enableMetadataWithRecommendations=True, or drop metadata=",
        )
    check_metadata_supported()
    return {"ITEMS": columns}


def check_context(context: Mapping[str, str] | None, recipe: RecipeInfo | None) -> dict[str, str] | None:
    if not context:
        return None
    if len(context) > MAX_CONTEXT_ENTRIES:
        raise fail(
            "context",
            f"<{len(context)} entries>",
            f"exceeds the maximum of {MAX_CONTEXT_ENTRIES} entries",
            "send fewer context keys",
        )
    for key, value in context.items():
        if (
            not isinstance(key, str)
            or len(key) > MAX_CONTEXT_KEY_LENGTH
            or not CONTEXT_KEY_PATTERN.fullmatch(key)
        ):
            raise fail(
                "context key",
                key,
                f"must be 1-{MAX_CONTEXT_KEY_LENGTH} characters of [A-Za-z0-9_]",
                "use the Interactions schema field name, e.g. 'DEVICE'",
            )
        if not isinstance(value, str):
            raise fail(f"context[{key!r}]", value, "must be a string", f"pass {str(value)!r}")
        if len(value) > MAX_CONTEXT_VALUE_LENGTH:
            raise fail(
                f"context[{key!r}]",
                value[:40] + "…",
                f"exceeds the maximum of {MAX_CONTEXT_VALUE_LENGTH} characters",
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


def check_ids(recipe: RecipeInfo | None, user_id: str | None, item_id: str | None) -> None:
    for field, value in (("userId", user_id), ("itemId", item_id)):
        if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= MAX_ID_LENGTH):
            raise fail(
                field,
                value,
                f"must be a string of 1-{MAX_ID_LENGTH} characters",
                f"pass {field} as a string, e.g. '42'",
            )
    if recipe is None or recipe.behaviour is None:
        return
    if recipe.behaviour in API_FOR:
        raise fail(
            "recipe",
            recipe.recipe_name,
            f"is a {recipe.behaviour} recipe; GetRecommendations does not serve it",
            f"use {API_FOR[recipe.behaviour]}",
        )
    if recipe.user_id == "required" and user_id is None:
        raise fail("userId", None, f"is required by recipe {recipe.recipe_name}", "pass user_id='...'")
    if recipe.item_id == "required" and item_id is None:
        raise fail(
            "itemId",
            None,
            f"is required by recipe {recipe.recipe_name} (related items)",
            "pass item_id='...'",
        )
    if recipe.item_id == "unused" and item_id is not None:
        raise fail("itemId", item_id, f"is not used by recipe {recipe.recipe_name}", "drop item_id=")
    if recipe.user_id == "unused" and user_id is not None:
        raise fail("userId", user_id, f"is not used by recipe {recipe.recipe_name}", "drop user_id=")


def check_num_results(value: int, maximum: int, with_metadata: bool, field: str = "numResults") -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(field, value, "must be an integer", f"pass an integer from 1 to {maximum}")
    limit = MAX_RESULTS_WITH_METADATA if with_metadata else maximum
    if value < 1:
        raise fail(field, value, "is below the minimum of 1", f"pass an integer from 1 to {limit}")
    if value > limit:
        raise fail(
            field,
            value,
            f"exceeds the maximum of {maximum} ({MAX_RESULTS_WITH_METADATA} when metadataColumns is set)",
            f"pass at most {limit}",
        )
