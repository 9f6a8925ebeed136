"""Real-time data: the PutEvents, PutItems and PutUsers requests of the local Personalize (personalize-events).

The response layer of the events service: it checks a request as the service does and hands Python values
to the backend (:meth:`LocalPersonalize.record_event`, :meth:`~LocalPersonalize.update_items`,
:meth:`~LocalPersonalize.update_users`). Streamed events reach the user's history at once, so interaction
filters and User-Personalization react on the next request (semantics §10). PutItems/PutUsers update
metadata that filters and metadata columns read (the service takes up to 20 minutes; the emulator is
immediate). Items new to the catalog are recorded but not recommended until the models are retrained — as
with the service's custom recipes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from personalize_lab.emulator.exceptions import InvalidInputException, ResourceNotFoundException
from personalize_lab.limits import MAX_EVENTS_PER_CALL, MAX_RECORDS_PER_CALL

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


def put_events(engine: LocalPersonalize, params: Mapping[str, Any]) -> dict[str, Any]:
    tracking_id = params.get("trackingId")
    # trackers made through boto3's CreateEventTracker live only in the control plane's records
    if not engine.control.has_tracking_id(tracking_id):
        raise ResourceNotFoundException(f"Could not find an event tracker with trackingId {tracking_id}")
    events = list(params.get("eventList") or [])
    if not 1 <= len(events) <= MAX_EVENTS_PER_CALL:
        raise InvalidInputException(
            f"eventList has {len(events)} events; send between 1 and {MAX_EVENTS_PER_CALL} per PutEvents call."
        )
    user_id = params.get("userId") or params.get("sessionId")
    if not user_id:
        raise InvalidInputException("PutEvents needs a userId or a sessionId.")
    for i, event in enumerate(events):
        event_type = event.get("eventType")
        if not event_type:
            raise InvalidInputException(f"eventList[{i}].eventType is required.")
        _properties(event.get("properties"), f"eventList[{i}]")
        item_id = event.get("itemId")
        if item_id:
            engine.record_event(str(user_id), str(item_id), str(event_type), _epoch(event.get("sentAt")))
    return {}


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
