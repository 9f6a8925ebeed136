"""Real-time data: the PutEvents, PutItems and PutUsers requests of the local Personalize (personalize-events).

The response layer of the events service: it checks a request as the service does and hands Python values
to the backend (:meth:`LocalPersonalize.record_event`, :meth:`~LocalPersonalize.update_items`,
:meth:`~LocalPersonalize.update_users`). Streamed events reach the user's history at once, so interaction
filters and User-Personalization react on the next request (semantics §10). PutItems/PutUsers update
metadata that filters and metadata columns read (the service takes up to 20 minutes; the emulator is
immediate). Items new to the catalog are recorded but not recommended until the models are retrained — as
with the service's custom recipes; users never seen before are accepted (cold start).

Every member of an event is kept (:mod:`~personalize_lab.emulator.event_log`): ``eventValue``,
``impression``, ``recommendationId``, ``eventId``, ``metricAttribution.eventAttributionSource`` and the
``properties``. The service's limits the client does not check (lengths, 25 impressions, the attribution
source's pattern, a numeric eventValue over raw HTTP) answer InvalidInputException, and every event of a
call is checked before any is recorded, so a refused call stores nothing.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from personalize_lab.emulator.event_log import property_column
from personalize_lab.emulator.exceptions import InvalidInputException, ResourceNotFoundException
from personalize_lab.limits import MAX_EVENTS_PER_CALL, MAX_RECORDS_PER_CALL

# PutEvents member limits from the personalize-events model (boto3 checks only the minimums)
MAX_ID = 256  # eventId, eventType, itemId, userId, sessionId, each impression entry
MAX_PROPERTIES = 1024
MAX_RID = 40  # recommendationId
MAX_IMPRESSION = 25
MAX_SOURCE = 1024  # eventAttributionSource
_SOURCE = re.compile(r"^[\x20-\x7E]*[\x21-\x7E]+[\x20-\x7E]*$")

if TYPE_CHECKING:
    from personalize_lab.emulator.engine import LocalPersonalize


def _epoch(value: Any) -> int:
    if value is None:
        return int(time.time())
    if isinstance(value, datetime):
        return int(value.timestamp())
    return int(float(value))


def _properties(raw: Any, where: str) -> dict[str, Any]:
    if raw in (None, ""):
        return {}
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        parsed = json.loads(raw)
    except (TypeError, json.JSONDecodeError) as exc:
        raise InvalidInputException(f"{where}.properties must be a JSON object string, got {raw!r}.") from exc
    if not isinstance(parsed, dict):
        raise InvalidInputException(f"{where}.properties must be a JSON object string, got {raw!r}.")
    return parsed


def _text(value: Any, where: str, maximum: int, *, required: bool = False) -> str | None:
    """A string member within the model's length limits (boto3 checks only the minimum)."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= maximum:
        raise InvalidInputException(
            f"1 validation error detected: Value '{value}' at '{where}' failed to satisfy constraint: "
            f"Member must be a string of length between 1 and {maximum}"
        )
    return value


def _value(raw: Any, where: str) -> float | None:
    """eventValue: a finite number (the EVENT_VALUE float of the Interactions schema), or absent."""
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise InvalidInputException(
            f"{where}.eventValue must be a finite number (the event's EVENT_VALUE, e.g. 4.5), got {raw!r}. "
            "Send a number, or leave eventValue out."
        )
    return float(raw)


def _impression(raw: Any, where: str) -> tuple[str, ...]:
    """impression: 1–25 item ids, each 1–256 characters (the items shown, in the order shown)."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_IMPRESSION:
        size = len(raw) if isinstance(raw, list) else raw
        raise InvalidInputException(
            f"1 validation error detected: Value at '{where}.impression' failed to satisfy constraint: "
            f"Member must have length between 1 and {MAX_IMPRESSION} (got {size}). "
            f"Send the first {MAX_IMPRESSION} items the user saw."
        )
    return tuple(str(_text(item, f"{where}.impression[{k}]", MAX_ID)) for k, item in enumerate(raw))


def _attribution_source(raw: Any, where: str) -> str | None:
    """metricAttribution.eventAttributionSource: free text (a source need not exist before it is used)."""
    if raw is None:
        return None
    source = raw.get("eventAttributionSource") if isinstance(raw, Mapping) else None
    field = f"{where}.metricAttribution.eventAttributionSource"
    if not isinstance(source, str) or len(source) > MAX_SOURCE or not _SOURCE.fullmatch(source):
        raise InvalidInputException(
            f"1 validation error detected: Value '{source}' at '{field}' failed to satisfy constraint: "
            f"Member must be 1–{MAX_SOURCE} printable ASCII characters, not all spaces"
        )
    return source


def _event(raw: Mapping[str, Any], i: int) -> dict[str, Any]:
    """One eventList entry checked and turned into :meth:`LocalPersonalize.record_event` arguments."""
    where = f"eventList[{i}]"
    if not raw.get("eventType"):
        raise InvalidInputException(f"{where}.eventType is required.")
    properties = raw.get("properties")
    _text(properties, f"{where}.properties", MAX_PROPERTIES)
    return {
        "event_type": _text(raw.get("eventType"), f"{where}.eventType", MAX_ID, required=True),
        "item_id": _text(raw.get("itemId"), f"{where}.itemId", MAX_ID),
        "timestamp": _epoch(raw.get("sentAt")),
        "event_id": _text(raw.get("eventId"), f"{where}.eventId", MAX_ID),
        "value": _value(raw.get("eventValue"), where),
        "impression": _impression(raw.get("impression"), where),
        "recommendation_id": _text(raw.get("recommendationId"), f"{where}.recommendationId", MAX_RID),
        "attribution_source": _attribution_source(raw.get("metricAttribution"), where),
        "properties": _properties(properties, where),
    }


def put_events(engine: LocalPersonalize, params: Mapping[str, Any]) -> dict[str, Any]:
    """Check every event first, then record them all: a bad event stores none of the call's events."""
    tracking_id = params.get("trackingId")
    # trackers made through boto3's CreateEventTracker live only in the control plane's records
    if not engine.control.has_tracking_id(tracking_id):
        raise ResourceNotFoundException(f"Could not find an event tracker with trackingId {tracking_id}")
    raw_events = list(params.get("eventList") or [])
    if not 1 <= len(raw_events) <= MAX_EVENTS_PER_CALL:
        raise InvalidInputException(
            f"eventList has {len(raw_events)} events; send between 1 and {MAX_EVENTS_PER_CALL} per PutEvents call."
        )
    session_id = _text(params.get("sessionId"), "sessionId", MAX_ID)
    user_id = _text(params.get("userId"), "userId", MAX_ID) or session_id
    if not user_id:
        raise InvalidInputException("PutEvents needs a userId or a sessionId.")
    checked = [_event(event, i) for i, event in enumerate(raw_events)]
    for event in checked:  # unknown users and items are accepted, as the service does (cold start)
        engine.record_event(str(user_id), session_id=session_id or str(user_id), **event)
    return {}


def interaction_rows(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A checked PutEvents call's events as Interactions rows (USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE,
    EVENT_VALUE, properties under their column names): what the service appends to the dataset."""
    user_id = params.get("userId") or params.get("sessionId")
    rows = []
    for i, raw in enumerate(params.get("eventList") or []):
        event = _event(raw, i)
        row: dict[str, Any] = {
            "USER_ID": str(user_id),
            "ITEM_ID": event["item_id"],
            "TIMESTAMP": event["timestamp"],
            "EVENT_TYPE": event["event_type"],
        }
        if event["value"] is not None:
            row["EVENT_VALUE"] = event["value"]
        row.update({property_column(k): v for k, v in event["properties"].items()})
        rows.append(row)
    return rows


def put_items(engine: LocalPersonalize, params: Mapping[str, Any]) -> dict[str, Any]:
    _check_dataset(engine, params.get("datasetArn"), "ITEMS")
    records = _records(params.get("items"), "items")
    engine.update_items(
        [(str(r.get("itemId", "")), _properties(r.get("properties"), f"items[{i}]")) for i, r in records]
    )
    return {}


def put_users(engine: LocalPersonalize, params: Mapping[str, Any]) -> dict[str, Any]:
    _check_dataset(engine, params.get("datasetArn"), "USERS")
    records = _records(params.get("users"), "users")
    engine.update_users(
        [(str(r.get("userId", "")), _properties(r.get("properties"), f"users[{i}]")) for i, r in records]
    )
    return {}


def _records(raw: Any, member: str) -> list[tuple[int, Mapping[str, Any]]]:
    records = list(raw or [])
    if not 1 <= len(records) <= MAX_RECORDS_PER_CALL:
        raise InvalidInputException(
            f"{member} has {len(records)} entries; send between 1 and {MAX_RECORDS_PER_CALL} per call."
        )
    return list(enumerate(records))


def _check_dataset(engine: LocalPersonalize, arn: Any, dataset_type: str) -> None:
    record = engine.control.dataset(str(arn))
    if record.get("datasetType", "").upper() != dataset_type:
        raise InvalidInputException(f"{arn} is not the {dataset_type} dataset of this dataset group.")
