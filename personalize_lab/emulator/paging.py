"""List paging as the service does it: summaries cut to the model's shape, opaque ``nextToken``s.

Tokens are base64 of the operation and an offset; a token from another listing, or not made here, is
InvalidNextTokenException, as the service answers. ``maxResults`` is 1–100 (boto3 checks only the 1).
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from functools import cache
from typing import Any

import botocore.session

from personalize_lab.emulator.exceptions import InvalidInputException, InvalidNextTokenException

MAX_RESULTS = 100
DEFAULT_MAX_RESULTS = 100  # [undoc] the service's default page size


@cache
def summary_fields(list_operation: str) -> tuple[str, ...]:
    """The members of a List operation's summary shape, read from botocore's model of the service."""
    model = botocore.session.get_session().get_service_model("personalize")
    output = model.operation_model(list_operation).output_shape
    assert output is not None
    for member in output.members.values():
        if member.type_name == "list":
            return tuple(member.member.members)  # type: ignore[attr-defined]
    raise KeyError(list_operation)


def page(
    operation: str, items: list[dict[str, Any]], next_token: str | None, max_results: int | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Project ``items`` onto ``operation``'s summary shape and cut one page; returns (page, nextToken)."""
    if max_results is None:
        max_results = DEFAULT_MAX_RESULTS
    if not 1 <= max_results <= MAX_RESULTS:
        raise InvalidInputException(
            f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to satisfy "
            f"constraint: Member must have value between 1 and {MAX_RESULTS}"
        )
    offset = _decode_token(operation, next_token) if next_token else 0
    fields = summary_fields(operation)
    chunk = items[offset : offset + max_results]
    summaries = [{k: _copy(item[k]) for k in fields if k in item} for item in chunk]
    end = offset + len(chunk)
    return summaries, (_encode_token(operation, end) if end < len(items) else None)


def _copy(value: Any) -> Any:
    # most summary members are strings and numbers: deepcopy only the few nested ones (configs)
    return copy.deepcopy(value) if isinstance(value, dict | list) else value


def _encode_token(operation: str, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([operation, offset]).encode()).decode()


def _decode_token(operation: str, token: str) -> int:
    try:
        op, offset = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError, binascii.Error):
        op, offset = None, None
    if op != operation or not isinstance(offset, int) or offset < 0:
        raise InvalidNextTokenException(f"Invalid next token: {token}")
    return offset
