"""Every event the local Personalize received through PutEvents, with everything the service keeps of it.

:class:`~personalize_lab.emulator.history.History` holds what filters and models read (user, item, event
type, time). This log holds the whole event as the service stores it in the Interactions dataset: its
``eventId`` (generated when the caller sent none), ``eventValue``, ``impression`` (sent, or derived from the
``recommendationId`` as the service derives implicit impressions), ``recommendationId``,
``metricAttribution.eventAttributionSource``, the ``properties`` (under their Interactions column names) —
and where metric attribution credits it (:attr:`StreamedEvent.attributed_to`).

An ``eventId`` seen before is logged with ``duplicate=True`` and not applied again: the guide says later
events with the same id are not used in training [undoc for real time; emulator policy], which also makes
a retried PutEvents harmless.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

#: The report label of an event with neither an attribution source nor a known recommendationId.
UNDEFINED_SOURCE = "SOURCE_NAME_UNDEFINED"

#: Columns of :meth:`EventLog.frame`, before the property columns.
COLUMNS = (
    "EVENT_ID",
    "USER_ID",
    "SESSION_ID",
    "ITEM_ID",
    "EVENT_TYPE",
    "EVENT_VALUE",
    "TIMESTAMP",
    "IMPRESSION",
    "RECOMMENDATION_ID",
    "EVENT_ATTRIBUTION_SOURCE",
    "attributed_to",
    "received",
    "duplicate",
)


def property_column(key: str) -> str:
    """The Interactions column a PutEvents property names: ``numRatings`` -> ``NUM_RATINGS`` (semantics §7)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).upper()


@dataclass(frozen=True)
class StreamedEvent:
    """One received event; ``timestamp`` is its ``sentAt`` and ``received`` the emulator's clock."""

    event_id: str
    user_id: str
    session_id: str
    event_type: str
    item_id: str | None
    timestamp: int
    received: float
    value: float | None = None
    impression: tuple[str, ...] = ()
    recommendation_id: str | None = None
    attribution_source: str | None = None
    attributed_to: str = UNDEFINED_SOURCE
    properties: Mapping[str, Any] = field(default_factory=dict)
    duplicate: bool = False

    def row(self) -> dict[str, Any]:
        """The event as one Interactions-shaped row (IMPRESSION ``|``-joined, as the dataset holds it)."""
        out: dict[str, Any] = {
            "EVENT_ID": self.event_id,
            "USER_ID": self.user_id,
            "SESSION_ID": self.session_id,
            "ITEM_ID": self.item_id,
            "EVENT_TYPE": self.event_type,
            "EVENT_VALUE": self.value,
            "TIMESTAMP": self.timestamp,
            "IMPRESSION": "|".join(self.impression) if self.impression else None,
            "RECOMMENDATION_ID": self.recommendation_id,
            "EVENT_ATTRIBUTION_SOURCE": self.attribution_source,
            "attributed_to": self.attributed_to,
            "received": self.received,
            "duplicate": self.duplicate,
        }
        for key, value in self.properties.items():
            out.setdefault(property_column(key), value)
        return out


class EventLog:
    """The received events, oldest first; thread-safe (the HTTP server appends from many threads)."""

    def __init__(self) -> None:
        self._events: list[StreamedEvent] = []
        self._ids: set[str] = set()
        self._lock = threading.Lock()

    def append(self, event: StreamedEvent) -> StreamedEvent:
        """Log ``event``; returns it, marked ``duplicate`` when its id was logged before."""
        with self._lock:
            if event.event_id in self._ids:
                event = replace(event, duplicate=True)
            self._ids.add(event.event_id)
            self._events.append(event)
        return event

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[StreamedEvent]:
        with self._lock:
            return iter(list(self._events))

    def frame(self, *, since: float | None = None, include_duplicates: bool = True) -> pd.DataFrame:
        """The events as a DataFrame (:data:`COLUMNS` plus one column per property), oldest first."""
        rows = [
            e.row()
            for e in self
            if (since is None or e.received >= since) and (include_duplicates or not e.duplicate)
        ]
        frame = pd.DataFrame(rows)
        if frame.empty:
            return pd.DataFrame(columns=list(COLUMNS))
        frame["EVENT_VALUE"] = frame["EVENT_VALUE"].astype("float64")
        return frame


class IssuedRecommendations:
    """``recommendationId`` -> (the campaign or recommender ARN that answered, the items it returned).

    What lets an event's ``recommendationId`` name its source in metric attribution reports and stand for
    the implicit impressions (semantics: the service derives both from the id). Bounded to the newest
    ``capacity`` answers (10,000: about 15 MB with 25 items each; an event citing a forgotten id is
    attributed to SOURCE_NAME_UNDEFINED). Remembering costs about 1 µs of a 200 µs request.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._issued: OrderedDict[str, tuple[str, tuple[str, ...]]] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, recommendation_id: str, source_arn: str, item_ids: tuple[str, ...]) -> None:
        with self._lock:
            self._issued[recommendation_id] = (source_arn, item_ids)
            if len(self._issued) > self.capacity:
                self._issued.popitem(last=False)

    def get(self, recommendation_id: str | None) -> tuple[str, tuple[str, ...]] | None:
        if not recommendation_id:
            return None
        with self._lock:
            return self._issued.get(recommendation_id)
