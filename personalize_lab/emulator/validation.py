"""Server-side request checks of the local Personalize: what the real service rejects, with its errors.

boto3 checks only required members, types and ``min`` constraints on the client. Everything else
(maximum lengths, patterns, map sizes, numResults ≤ 500, …) reaches the server, which answers
InvalidInputException (semantics §1.1, §1.2, §10). These functions are those server checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from personalize_lab.emulator.exceptions import InvalidInputException
from personalize_lab.limits import (
    ARN_PATTERN,
    CONTEXT_KEY_PATTERN,
    FILTER_KEY_PATTERN,
    MAX_ARN_LENGTH,
    MAX_CONTEXT_ENTRIES,
    MAX_CONTEXT_KEY_LENGTH,
    MAX_CONTEXT_VALUE_LENGTH,
    MAX_FILTER_KEY_LENGTH,
    MAX_FILTER_VALUE_LENGTH,
    MAX_FILTER_VALUES,
    MAX_ID_LENGTH,
    MAX_METADATA_COLUMNS,
    MAX_NAME_LENGTH,
    MAX_PERCENT_PROMOTED,
    MAX_PROMOTIONS,
    MAX_RESULTS_WITH_METADATA,
    NAME_PATTERN,
)


def check_arn(field: str, value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_ARN_LENGTH or not ARN_PATTERN.fullmatch(value):
        raise InvalidInputException(
            f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: arn:([a-z\\d-]+):personalize:.*:.*:.+"
        )
    return value


def check_id(field: str, value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_ID_LENGTH:
        raise InvalidInputException(
            f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_ID_LENGTH}"
        )
    return value


def check_num_results(
    value: Any, *, default: int, maximum: int, with_metadata: bool, zero_is_error: bool
) -> int:
    """numResults: default, documented maximum (500, 50 with metadataColumns, 100 for actions)."""
    if value is None:
        value = default
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInputException(f"numResults must be an integer, got {value!r}")
    limit = min(maximum, MAX_RESULTS_WITH_METADATA) if with_metadata else maximum
    if value > limit:
        why = " when metadataColumns is set" if with_metadata and limit < maximum else ""
        raise InvalidInputException(
            f"numResults={value} exceeds the maximum of {limit}{why}. "
            f"Ask for at most {limit} results"
            + (f" ({maximum} without metadataColumns)" if with_metadata and limit < maximum else "")
            + "."
        )
    if value < 0 or (value == 0 and zero_is_error):
        raise InvalidInputException(f"numResults={value} must be between 1 and {limit}.")
    return value


def check_context(context: Mapping[str, Any] | None) -> dict[str, str]:
    if not context:
        return {}
    if len(context) > MAX_CONTEXT_ENTRIES:
        raise InvalidInputException(
            f"context has {len(context)} entries; at most {MAX_CONTEXT_ENTRIES} are allowed."
        )
    for key, value in context.items():
        if len(key) > MAX_CONTEXT_KEY_LENGTH or not CONTEXT_KEY_PATTERN.fullmatch(key):
            raise InvalidInputException(
                f"context key '{key}' must be 1–{MAX_CONTEXT_KEY_LENGTH} characters matching [A-Za-z\\d_]+."
            )
        if not isinstance(value, str) or len(value) > MAX_CONTEXT_VALUE_LENGTH:
            raise InvalidInputException(
                f"context value for '{key}' must be a string of at most {MAX_CONTEXT_VALUE_LENGTH} characters."
            )
    return dict(context)


def check_filter_values(values: Mapping[str, Any] | None, *, field: str = "filterValues") -> dict[str, str]:
    if not values:
        return {}
    if len(values) > MAX_FILTER_VALUES:
        raise InvalidInputException(
            f"{field} has {len(values)} entries; at most {MAX_FILTER_VALUES} are allowed."
        )
    for key, value in values.items():
        if len(key) > MAX_FILTER_KEY_LENGTH or not FILTER_KEY_PATTERN.fullmatch(key):
            raise InvalidInputException(
                f"{field} key '{key}' must be 1–{MAX_FILTER_KEY_LENGTH} characters matching [A-Za-z0-9_]+ (the placeholder name without '$')."
            )
        if not isinstance(value, str) or len(value) > MAX_FILTER_VALUE_LENGTH:
            raise InvalidInputException(
                f"{field} value for '{key}' must be a string of at most {MAX_FILTER_VALUE_LENGTH} characters."
            )
    return dict(values)


def check_metadata_columns(
    metadata_columns: Mapping[str, Any] | None, *, enabled: bool, available: set[str], owner: str
) -> list[str]:
    """metadataColumns: enabled on the campaign/recommender, one key ITEMS, at most 10 known columns."""
    if not metadata_columns:
        return []
    if not enabled:
        raise InvalidInputException(
            f"metadataColumns was requested but {owner} does not have enableMetadataWithRecommendations set. "
            "Enable it in the campaignConfig/recommenderConfig or leave metadataColumns out."
        )
    keys = list(metadata_columns)
    if keys != ["ITEMS"]:
        raise InvalidInputException(
            f"metadataColumns keys {keys} are not supported: the only dataset type allowed is ITEMS."
        )
    columns = list(metadata_columns["ITEMS"])
    if len(columns) > MAX_METADATA_COLUMNS:
        raise InvalidInputException(
            f"metadataColumns lists {len(columns)} columns; at most {MAX_METADATA_COLUMNS} are allowed."
        )
    unknown = [c for c in columns if c not in available]
    if unknown:
        raise InvalidInputException(
            f"metadataColumns {unknown} are not columns of the Items dataset. "
            f"Available columns: {sorted(available)}."
        )
    return columns


def check_promotions(promotions: Any) -> dict[str, Any] | None:
    """At most one promotion; name pattern; percentPromotedItems 1–100; a filterArn is needed."""
    if not promotions:
        return None
    if len(promotions) > MAX_PROMOTIONS:
        raise InvalidInputException(
            f"promotions has {len(promotions)} entries; at most {MAX_PROMOTIONS} promotion is allowed per request."
        )
    promotion = dict(promotions[0])
    name = promotion.get("name")
    if (
        not isinstance(name, str)
        or not (1 <= len(name) <= MAX_NAME_LENGTH)
        or not NAME_PATTERN.fullmatch(name)
    ):
        raise InvalidInputException(
            f"promotion name '{name}' must be 1–{MAX_NAME_LENGTH} characters matching ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*."
        )
    percent = promotion.get("percentPromotedItems")
    if not isinstance(percent, int) or not 1 <= percent <= MAX_PERCENT_PROMOTED:
        raise InvalidInputException(
            f"percentPromotedItems={percent} for promotion '{name}' must be an integer from 1 to {MAX_PERCENT_PROMOTED}."
        )
    if not promotion.get("filterArn"):
        raise InvalidInputException(
            f"promotion '{name}' needs a filterArn that selects the items to promote."
        )
    check_arn("promotions.member.filterArn", promotion["filterArn"])
    promotion["filterValues"] = check_filter_values(
        promotion.get("filterValues"), field="promotions.member.filterValues"
    )
    return promotion
