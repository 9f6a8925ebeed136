"""Real-time data: PutEvents, PutItems and PutUsers on the local Personalize (personalize-events).

Streamed events reach the user's history at once, so interaction filters and User-Personalization react on
the next request (semantics §10). PutItems/PutUsers update metadata that filters and metadata columns read
(the service takes up to 20 minutes; the emulator is immediate). Items new to the catalog are recorded but
not recommended until the models are retrained — as with the service's custom recipes.

``properties`` use camelCase keys on the wire (``numRatings``) for schema fields in UPPER_SNAKE
(``NUM_RATINGS``); keys are matched to schema columns ignoring case and underscores.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from personalize_lab.emulator.exceptions import InvalidInputException, ResourceNotFoundException

if TYPE_CHECKING:
    from personalize_lab.emulator.engine import LocalPersonalize

MAX_EVENTS_PER_CALL = 10
MAX_RECORDS_PER_CALL = 10


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


def _column_for(key: str, columns: Iterable[str]) -> str | None:
    wanted = key.replace("_", "").lower()
    for column in columns:
        if column.replace("_", "").lower() == wanted:
            return column
    return None


def put_events(engine: LocalPersonalize, params: Mapping[str, Any]) -> dict[str, Any]:
    tracking_id = params.get("trackingId")
    # trackers made through boto3's CreateEventTracker live only in the control plane's records
    known = {record.get("trackingId") for record in engine.control.records("eventTracker")}
    if tracking_id not in known:
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
            engine.history.add(str(user_id), str(item_id), str(event_type), _epoch(event.get("sentAt")))
    return {}


def put_items(engine: LocalPersonalize, params: Mapping[str, Any]) -> dict[str, Any]:
    _check_dataset(engine, params.get("datasetArn"), "ITEMS")
    records = list(params.get("items") or [])
    if not 1 <= len(records) <= MAX_RECORDS_PER_CALL:
        raise InvalidInputException(f"items has {len(records)} entries; send between 1 and 10 per call.")
    table = engine.items_table
    for i, record in enumerate(records):
        item_id = str(record.get("itemId", ""))
        props = _properties(record.get("properties"), f"items[{i}]")
        index = engine.catalog.index.get(item_id)
        for key, value in props.items():
            column = _column_for(key, table.columns) or key.upper()
            if column not in table.columns:
                table[column] = pd.Series([None] * len(table), dtype=object)
            if index is not None:
                if pd.api.types.is_numeric_dtype(table[column].dtype) and not isinstance(value, (int, float)):
                    table[column] = table[column].astype(object)
                table.loc[index, column] = value
    engine._invalidate_filters()
    return {}


def put_users(engine: LocalPersonalize, params: Mapping[str, Any]) -> dict[str, Any]:
    _check_dataset(engine, params.get("datasetArn"), "USERS")
    records = list(params.get("users") or [])
    if not 1 <= len(records) <= MAX_RECORDS_PER_CALL:
        raise InvalidInputException(f"users has {len(records)} entries; send between 1 and 10 per call.")
    if engine._users is None:
        engine._users = pd.DataFrame(index=pd.Index([], name="USER_ID", dtype=object))
    for i, record in enumerate(records):
        user_id = str(record.get("userId", ""))
        for key, value in _properties(record.get("properties"), f"users[{i}]").items():
            column = _column_for(key, engine._users.columns) or key.upper()
            if column not in engine._users.columns:
                engine._users[column] = pd.Series(dtype=object)
            engine._users.loc[user_id, column] = value
    return {}


def _check_dataset(engine: LocalPersonalize, arn: Any, dataset_type: str) -> None:
    record = engine.control.dataset(str(arn))
    if record.get("datasetType", "").upper() != dataset_type:
        raise InvalidInputException(f"{arn} is not the {dataset_type} dataset of this dataset group.")
    if record.get("datasetType") is None:
        raise ResourceNotFoundException(f"Could not find dataset with ARN {arn}")
