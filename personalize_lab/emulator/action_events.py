"""PutActions and PutActionInteractions (personalize-events): real-time Next-Best-Action data.

Checked as the service's model says (boto3 checks only minimums): 1–10 entries per call; ``actionId`` 1–256
characters; ``properties`` a JSON object string of at most 32,000 (actions) or 1,024 (action interactions)
characters whose keys are the camelCase names of schema fields; ``impression`` 1–25 action ids;
``recommendationId`` at most 40 characters. Every entry of a call is checked before any is stored, so a
refused call changes nothing.

- PutActions takes the Actions dataset's ARN. Actions it adds are recommendable at once, as exploration
  candidates with score 0.0 (no model has seen them yet); changed VALUE, expiration or repeat frequency apply
  on the next request, and action filters compile again.
- PutActionInteractions takes the action interaction event tracker's id — the ``trackingId`` DescribeDataset
  returns for the Action interactions dataset, not the Interactions tracker's. Event types are Taken,
  Not Taken and Viewed (any case; ``NOT_TAKEN`` too). Without ``userId`` the ``sessionId`` stands for the
  user, as in PutEvents. Interactions with actions the dataset does not hold, or with expired actions, are
  accepted and kept ([undoc]): they reach filters and repeat frequency but no action can be recommended
  from them. They count for scores after a retrain, as the service's do (the emulator retrains when built).
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from personalize_lab.datasets.actions import action_event_type
from personalize_lab.emulator.exceptions import InvalidInputException, ResourceNotFoundException

if TYPE_CHECKING:
    from personalize_lab.emulator.engine import LocalPersonalize

MAX_ENTRIES = 10
MAX_ID = 256
MAX_ACTION_PROPERTIES = 32_000
MAX_INTERACTION_PROPERTIES = 1_024
MAX_IMPRESSION = 25
MAX_RID = 40
#: PutActionInteractions properties may not use these keys (case-insensitive), per the model
RESERVED_PROPERTY_KEYS = frozenset(
    {"userid", "sessionid", "eventtype", "timestamp", "recommendationid", "impression"}
)


def _text(value: Any, where: str, maximum: int, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= maximum:
        raise InvalidInputException(
            f"1 validation error detected: Value '{value}' at '{where}' failed to satisfy constraint: "
            f"Member must be a string of length between 1 and {maximum}"
        )
    return value


def _entries(raw: Any, member: str) -> list[Mapping[str, Any]]:
    entries = list(raw or [])
    if not 1 <= len(entries) <= MAX_ENTRIES:
        raise InvalidInputException(
            f"{member} has {len(entries)} entries; send between 1 and {MAX_ENTRIES} per call."
        )
    return entries


def _properties(raw: Any, where: str, maximum: int) -> dict[str, Any]:
    if raw is None:
        return {}
    text = _text(raw, f"{where}.properties", maximum) if not isinstance(raw, Mapping) else None
    try:
        parsed = dict(raw) if isinstance(raw, Mapping) else json.loads(str(text))
    except json.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict):
        raise InvalidInputException(
            f'{where}.properties must be a JSON object string such as {{"value": "100"}}, got {raw!r}.'
        )
    return parsed


def _timestamp(value: Any, where: str) -> int:
    if value is None:
        raise InvalidInputException(f"{where}.timestamp is required (epoch seconds).")
    if isinstance(value, datetime):
        return int(value.timestamp())
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise InvalidInputException(f"{where}.timestamp must be epoch seconds, got {value!r}.")
    return int(number)


def put_actions(engine: LocalPersonalize, params: Mapping[str, Any]) -> dict[str, Any]:
    """PutActions: check every action, then add or update them all."""
    catalog = engine.action_catalog()
    arn = params.get("datasetArn")
    record = engine.control.dataset(str(arn))
    if record.get("datasetType", "").upper() != "ACTIONS":
        raise InvalidInputException(
            f"datasetArn {arn} is the {record.get('datasetType')} dataset; PutActions takes the ARN of the "
            "Actions dataset of this dataset group."
        )
    checked: list[tuple[str, Mapping[str, Any]]] = []
    for i, raw in enumerate(_entries(params.get("actions"), "actions")):
        where = f"actions[{i}]"
        action_id = str(_text(raw.get("actionId"), f"{where}.actionId", MAX_ID, required=True))
        properties = _properties(raw.get("properties"), where, MAX_ACTION_PROPERTIES)
        for key, value in properties.items():
            column = catalog.schema_column(key)
            if column is None:
                raise InvalidInputException(
                    f"{where}.properties key {key!r} is not a field of the Actions schema (fields: "
                    f"{', '.join(catalog.columns())}); keys are the camelCase field names, e.g. 'value'."
                )
            _check_reserved(column, value, where)
        checked.append((action_id, properties))
    engine.update_actions(checked)
    return {}


def _check_reserved(column: str, value: Any, where: str) -> None:
    """VALUE, REPEAT_FREQUENCY and the timestamps are numbers (sent as numbers or numeric strings)."""
    if column not in {"VALUE", "REPEAT_FREQUENCY", "ACTION_EXPIRATION_TIMESTAMP", "CREATION_TIMESTAMP"}:
        return
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or isinstance(value, bool):
        raise InvalidInputException(
            f"{where}.properties {column} must be a number, got {value!r}; send it as a number or a "
            'numeric string such as "100".'
        )
    if column == "REPEAT_FREQUENCY" and number < 1:
        raise InvalidInputException(
            f"{where}.properties REPEAT_FREQUENCY must be at least 1 day, got {value!r}."
        )


def put_action_interactions(engine: LocalPersonalize, params: Mapping[str, Any]) -> dict[str, Any]:
    """PutActionInteractions: check every event, then record them all."""
    tracking_id = params.get("trackingId")
    if tracking_id != engine.action_tracking_id:
        if engine.control.has_tracking_id(tracking_id):
            raise InvalidInputException(
                f"trackingId {tracking_id} is an Interactions event tracker; PutActionInteractions takes the "
                "action interaction tracker id (DescribeDataset of the Action interactions dataset returns it "
                f"as trackingId{': ' + engine.action_tracking_id if engine.action_tracking_id else ''})."
            )
        raise ResourceNotFoundException(
            f"Could not find an action interaction event tracker with trackingId {tracking_id}"
        )
    checked = [
        _interaction(raw, i)
        for i, raw in enumerate(_entries(params.get("actionInteractions"), "actionInteractions"))
    ]
    for event in checked:
        engine.record_action_interaction(event)
    return {}


def _interaction(raw: Mapping[str, Any], i: int) -> dict[str, Any]:
    where = f"actionInteractions[{i}]"
    action_id = _text(raw.get("actionId"), f"{where}.actionId", MAX_ID, required=True)
    session_id = _text(raw.get("sessionId"), f"{where}.sessionId", MAX_ID, required=True)
    user_id = _text(raw.get("userId"), f"{where}.userId", MAX_ID) or session_id
    given = _text(raw.get("eventType"), f"{where}.eventType", MAX_ID, required=True)
    event_type = action_event_type(given)
    if event_type is None:
        raise InvalidInputException(
            f"{where}.eventType {given!r} is not an action interaction event type: send Taken, Not Taken "
            "or Viewed."
        )
    impression = raw.get("impression")
    if impression is not None:
        if not isinstance(impression, list) or not 1 <= len(impression) <= MAX_IMPRESSION:
            raise InvalidInputException(
                f"{where}.impression must list 1 to {MAX_IMPRESSION} action ids, got {impression!r}."
            )
        for k, action in enumerate(impression):
            _text(action, f"{where}.impression[{k}]", MAX_ID)
    properties = _properties(raw.get("properties"), where, MAX_INTERACTION_PROPERTIES)
    clash = sorted(k for k in properties if k.lower() in RESERVED_PROPERTY_KEYS)
    if clash:
        raise InvalidInputException(
            f"{where}.properties uses the key {clash[0]!r}, which names a member of the event; send it as "
            "that member instead."
        )
    return {
        "EVENT_ID": _text(raw.get("eventId"), f"{where}.eventId", MAX_ID) or str(uuid.uuid4()),
        "USER_ID": user_id,
        "SESSION_ID": session_id,
        "ACTION_ID": action_id,
        "EVENT_TYPE": event_type,
        "TIMESTAMP": _timestamp(raw.get("timestamp"), where),
        "IMPRESSION": "|".join(impression) if impression else None,
        "RECOMMENDATION_ID": _text(raw.get("recommendationId"), f"{where}.recommendationId", MAX_RID),
        "PROPERTIES": properties,
    }
