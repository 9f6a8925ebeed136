"""Server-side request checks of the local Personalize: what the real service rejects, with its errors.

boto3 checks only required members, types and ``min`` constraints on the client. Everything else
(maximum lengths, patterns, map sizes, numResults ≤ 500, …) reaches the server, which answers
InvalidInputException (semantics §1.1, §1.2, §10). These functions are those server checks.

A client that is not boto3 (curl, a browser, a hand-written SDK call) can send any JSON at all, so the wire
layer first reads each request against the service's own model (:func:`decode_input`, on botocore's
shapes): a value of the wrong JSON type is a SerializationException, a missing required member, a null
inside a list or map, or a number the type cannot hold is an InvalidInputException — both 400, never the
500 an unchecked value would cause deeper in the engine (which boto3 would resend four times).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from botocore.model import Shape

from personalize_lab.emulator.exceptions import InvalidInputException, ServiceException
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


class SerializationException(ServiceException):
    """The body is not the JSON the protocol and the model require (a member of the wrong JSON type)."""

    code = "SerializationException"
    status = 400


#: What each botocore type is on the wire, for messages that say what to send instead.
_EXPECTED = {
    "string": "a string",
    "blob": "a base64 string",
    "boolean": "true or false",
    "integer": "a whole number",
    "long": "a whole number",
    "float": "a number",
    "double": "a number",
    "timestamp": "a number of epoch seconds",
    "list": "a JSON array",
    "map": "a JSON object",
    "structure": "a JSON object",
}
_INTEGER_RANGE = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
#: epoch seconds of 0001-01-01 and 9999-12-31T23:59:59 UTC: the instants a Python datetime holds
_TIMESTAMP_RANGE = (-62_135_596_800, 253_402_300_799)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _wrong_type(path: str, shape: Shape, value: Any) -> SerializationException:
    kind = (
        "null" if value is None else type(value).__name__.replace("dict", "object").replace("list", "array")
    )
    return SerializationException(
        f"{path}: expected {_EXPECTED.get(shape.type_name, shape.type_name)}, "
        f"got {kind} {_shown(value)}; send {path} as {_EXPECTED.get(shape.type_name, shape.type_name)}"
    )


def _invalid(path: str, value: Any, rule: str) -> InvalidInputException:
    return InvalidInputException(
        f"1 validation error detected: Value {_shown(value)} at '{path}' failed to satisfy constraint: {rule}"
    )


def decode_input(shape: Shape | None, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` (a decoded JSON object) read against an operation's input shape, as boto3 would pass it.

    Members of the wrong JSON type raise SerializationException; required members missing, nulls inside
    lists and maps, and numbers out of their type's range raise InvalidInputException. Nulls in a
    structure count as absent; timestamps become aware datetimes. Members the model does not know are kept
    at the top level (the wire layer names them) and dropped below it (the service ignores them).
    """
    if shape is None:
        return params
    members = shape.members  # type: ignore[attr-defined]
    result: dict[str, Any] = {}
    for name, value in params.items():
        member = members.get(name)
        if member is None:
            result[name] = value
        elif value is not None:
            result[name] = _decode(member, value, name)
    _check_required(shape, result, "")
    return result


def _check_required(shape: Shape, value: Mapping[str, Any], prefix: str) -> None:
    for name in shape.required_members:
        if name not in value:
            raise _invalid(f"{prefix}{name}", None, "Member must not be null")


def _decode(shape: Shape, value: Any, path: str) -> Any:
    """One member: type-checked against ``shape``, converted to boto3's input form."""
    kind = shape.type_name
    if kind in ("string", "blob"):
        if not isinstance(value, str):
            raise _wrong_type(path, shape, value)
        return value
    if kind == "structure":
        if not isinstance(value, dict):
            raise _wrong_type(path, shape, value)
        members = shape.members  # type: ignore[attr-defined]
        out = {
            k: _decode(members[k], v, f"{path}.{k}")
            for k, v in value.items()
            if v is not None and k in members
        }
        _check_required(shape, out, f"{path}.")
        return out
    if kind == "list":
        if not isinstance(value, list):
            raise _wrong_type(path, shape, value)
        member = shape.member  # type: ignore[attr-defined]
        return [_element(member, v, f"{path}[{k}]") for k, v in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise _wrong_type(path, shape, value)
        inner = shape.value  # type: ignore[attr-defined]
        return {k: _element(inner, v, f"{path}.{k}") for k, v in value.items()}
    return _scalar(shape, value, path)


def _element(shape: Shape, value: Any, path: str) -> Any:
    if value is None:
        raise _invalid(path, None, "Member must not be null")
    return _decode(shape, value, path)


def _scalar(shape: Shape, value: Any, path: str) -> Any:
    kind = shape.type_name
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _wrong_type(path, shape, value)
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong_type(path, shape, value)
    if not math.isfinite(value):
        raise _invalid(path, value, "Member must be a finite number")
    if kind in _INTEGER_RANGE:
        if isinstance(value, float) and not value.is_integer():
            raise _wrong_type(path, shape, value)
        low, high = _INTEGER_RANGE[kind]
        if not low <= value <= high:
            raise _invalid(path, value, f"Member must be between {low} and {high}")
        return int(value)
    if kind == "timestamp":
        low, high = _TIMESTAMP_RANGE
        if not low <= value <= high:
            raise _invalid(path, value, "Member must be epoch seconds between year 1 and year 9999")
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    return value  # float, double


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
