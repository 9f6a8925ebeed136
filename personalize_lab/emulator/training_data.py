"""Which interactions a solution version trains on: the solution's ``eventType`` and event value thresholds.

The developer guide ("Choosing the item interaction data used for training"): a solution's ``eventType``
keeps only interactions of that type; ``solutionConfig.eventValueThreshold`` keeps only interactions whose
EVENT_VALUE is greater than or equal to the threshold (so a value strictly below it is left out), applied
to the records the event type kept; ``solutionConfig.eventsConfig.eventParametersList`` gives a threshold
per event type (types it does not list are kept whole). An interaction without an EVENT_VALUE fails every
threshold [undoc; emulator policy: the service compares values, a missing one cannot pass]. ``weight`` is
validated (0..1) and kept on the solution, not used by the emulator's models.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from personalize_lab.emulator.exceptions import InvalidInputException

__all__ = ["check_solution_config", "training_interactions"]

MAX_EVENT_PARAMETERS = 10


def check_solution_config(config: dict[str, Any] | None) -> None:
    """Refuse at CreateSolution what the service refuses: a threshold that is not a number, weights
    outside 0..1, more than 10 event parameters, an event parameter without its event type."""
    config = config or {}
    threshold = config.get("eventValueThreshold")
    if threshold is not None:
        _number(threshold, "solutionConfig.eventValueThreshold")
    parameters = (config.get("eventsConfig") or {}).get("eventParametersList") or []
    if len(parameters) > MAX_EVENT_PARAMETERS:
        raise InvalidInputException(
            f"solutionConfig.eventsConfig.eventParametersList has {len(parameters)} entries; at most "
            f"{MAX_EVENT_PARAMETERS} are allowed: keep the event types that matter."
        )
    for index, parameter in enumerate(parameters):
        where = f"solutionConfig.eventsConfig.eventParametersList[{index}]"
        if not parameter.get("eventType"):
            raise InvalidInputException(f"{where}.eventType is required: name the event type it configures.")
        weight = parameter.get("weight")
        if weight is not None and not 0.0 <= float(weight) <= 1.0:
            raise InvalidInputException(f"{where}.weight {weight!r} must be between 0 and 1.")


def training_interactions(interactions: pd.DataFrame, solution: dict[str, Any]) -> pd.DataFrame:
    """The rows of ``interactions`` the solution trains on (all of them without a type or threshold)."""
    config = solution.get("solutionConfig") or {}
    frame = interactions
    event_type = solution.get("eventType")
    if event_type and "EVENT_TYPE" in frame.columns:
        frame = frame[frame["EVENT_TYPE"] == event_type]
    threshold = config.get("eventValueThreshold")
    if threshold is not None:
        frame = frame[_values(frame) >= _number(threshold, "solutionConfig.eventValueThreshold")]
    for parameter in (config.get("eventsConfig") or {}).get("eventParametersList") or []:
        if parameter.get("eventValueThreshold") is None or "EVENT_TYPE" not in frame.columns:
            continue
        of_type = frame["EVENT_TYPE"] == parameter["eventType"]
        frame = frame[~of_type | (_values(frame) >= float(parameter["eventValueThreshold"]))]
    return frame.reset_index(drop=True) if frame is not interactions else interactions


def _values(frame: pd.DataFrame) -> pd.Series:
    """EVENT_VALUE as numbers (missing -> NaN, which no threshold passes)."""
    if "EVENT_VALUE" not in frame.columns:
        return pd.Series(math.nan, index=frame.index)
    return pd.to_numeric(frame["EVENT_VALUE"], errors="coerce")


def _number(value: Any, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if math.isnan(number) or math.isinf(number):
        raise InvalidInputException(
            f'{field} {value!r} is not a number: give the threshold as a number in a string, e.g. "0.5".'
        )
    return number
