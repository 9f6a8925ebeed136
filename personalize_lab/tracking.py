"""Tracker: tell Personalize what a user did with the list they saw, and read back what it was worth.

One PutEvents call per action (``personalize-events``), carrying what the service needs to credit a
recommendation list: its ``recommendationId`` and the items shown (``impression``, implicit when only the
id is sent), an ``eventAttributionSource`` naming the experience (``"storefront-A"``), the ``eventValue``
and ``properties`` (context such as ``{"device": "mobile"}``, sent as JSON). Every event gets an
``eventId``, so a retried call is not counted twice (the service ignores repeated ids in training).

``Lab.track`` / ``Lab.tracker`` build one: against the local Personalize it finds the dataset group's event
tracker; against AWS pass ``tracking_id=`` (CreateEventTracker's ``trackingId``). Events sent to AWS are
real data: they train the next solution version and are billed as data ingestion.

:func:`attribution_metrics` reads a metric attribution's numbers. The service publishes them to CloudWatch
(and S3); the local Personalize computes them from the events it received
(``LocalPersonalize.metric_attribution_report``), so the same notebook shows them without AWS.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import botocore.exceptions
import pandas as pd

from personalize_lab.errors import ValidationError, from_client_error

if TYPE_CHECKING:
    from personalize_lab.client import Lab

__all__ = ["Tracker", "attribution_metrics", "build_event"]

MAX_IMPRESSION = 25  # items per event (personalize-events model)
MAX_PROPERTIES = 1024  # characters of the properties JSON
MAX_SOURCE = 1024
_SOURCE = re.compile(r"^[\x20-\x7E]*[\x21-\x7E]+[\x20-\x7E]*$")

#: A recommendation list: a frame from ``Lab.recommend`` / ``Lab.rank``, a ``recommend_many`` result (the
#: rows of the tracked user are used), or a recommendationId.
Recommendation = pd.DataFrame | str | Any | None


def _shown(recommendation: Recommendation, user_id: str) -> tuple[str | None, list[str]]:
    """(recommendationId, items in the order shown) of the list the user saw."""
    if recommendation is None:
        return None, []
    if isinstance(recommendation, str):
        return recommendation, []
    frame = (
        recommendation if isinstance(recommendation, pd.DataFrame) else getattr(recommendation, "frame", None)
    )
    if not isinstance(frame, pd.DataFrame):
        raise ValidationError(
            field="recommendation",
            value=type(recommendation).__name__,
            rule="a recommendation is a frame from Lab.recommend / Lab.rank / Lab.recommend_many, or its "
            "recommendationId string",
            fix="pass the frame of the list the user saw",
        )
    missing = [c for c in ("itemId", "recommendationId") if c not in frame.columns]
    if missing:
        raise ValidationError(
            field="recommendation",
            rule=f"a recommendation frame needs the columns itemId and recommendationId; {missing} missing",
            fix="pass the frame Lab.recommend / Lab.rank returned, or its recommendationId string",
        )
    if "userId" in frame.columns and (frame["userId"].astype(str) == user_id).any():
        frame = frame[frame["userId"].astype(str) == user_id]  # one user's rows of a cohort frame
    ids = frame["recommendationId"].dropna().unique()
    if len(ids) != 1:
        raise ValidationError(
            field="recommendation",
            value=f"{len(ids)} recommendationIds",
            rule="the frame must hold one recommendation list (one recommendationId)",
            fix="pass the rows of the list this user saw",
        )
    return str(ids[0]), [str(i) for i in frame["itemId"]]


def _value(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError(
            field="value",
            value=value,
            rule="eventValue is a finite number (the EVENT_VALUE of the Interactions schema)",
            fix="pass a number such as 19.99, or leave value out",
        )
    return float(value)


def _properties(properties: Mapping[str, Any] | str | None) -> str | None:
    if properties is None:
        return None
    text = properties if isinstance(properties, str) else json.dumps(dict(properties), separators=(",", ":"))
    if not 1 <= len(text) <= MAX_PROPERTIES:
        raise ValidationError(
            field="properties",
            value=text[:60] + ("…" if len(text) > 60 else ""),
            rule=f"the properties JSON is 1–{MAX_PROPERTIES} characters (got {len(text)})",
            fix="send fewer or shorter properties",
        )
    return text


def _source(source: str | None) -> str | None:
    if source is None:
        return None
    if not isinstance(source, str) or len(source) > MAX_SOURCE or not _SOURCE.fullmatch(source):
        raise ValidationError(
            field="attribution_source",
            value=source,
            rule=f"eventAttributionSource is 1–{MAX_SOURCE} printable ASCII characters, not all spaces",
            fix='name the experience, e.g. "storefront-A"',
        )
    return source


def build_event(
    user_id: str,
    item_id: str | None,
    event_type: str,
    *,
    value: float | None = None,
    recommendation: Recommendation = None,
    impression: Sequence[str] | None = None,
    properties: Mapping[str, Any] | str | None = None,
    attribution_source: str | None = None,
    sent_at: dt.datetime | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """One ``eventList`` entry, checked against the service's rules before anything is sent.

    ``recommendation`` gives the recommendationId and, unless ``impression`` is given, the impression:
    the first 25 items of the list (the service's maximum). An explicit ``impression`` longer than 25 is
    refused rather than cut.
    """
    if not event_type:
        raise ValidationError(
            field="event_type", value=event_type, rule="an event needs a type", fix="e.g. 'Purchase'"
        )
    rid, shown = _shown(recommendation, str(user_id))
    if impression is not None:
        shown = [str(i) for i in impression]
        if not 1 <= len(shown) <= MAX_IMPRESSION:
            raise ValidationError(
                field="impression",
                value=f"{len(shown)} items",
                rule=f"an event carries 1–{MAX_IMPRESSION} impression items",
                fix=f"pass the first {MAX_IMPRESSION} items the user saw",
            )
    event: dict[str, Any] = {
        "eventId": event_id or str(uuid.uuid4()),
        "eventType": event_type,
        "sentAt": sent_at or dt.datetime.now(dt.UTC),
    }
    if item_id is not None:
        event["itemId"] = str(item_id)
    optional = {
        "eventValue": _value(value),
        "recommendationId": rid,
        "impression": shown[:MAX_IMPRESSION] or None,
        "properties": _properties(properties),
    }
    event.update({k: v for k, v in optional.items() if v is not None})
    source = _source(attribution_source)
    if source is not None:
        event["metricAttribution"] = {"eventAttributionSource": source}
    return event


class Tracker:
    """Sends PutEvents for one event tracker: ``Tracker(events_client, tracking_id).track(...)``.

    ``attribution_source`` is the default ``eventAttributionSource`` of every event it sends (one
    Tracker per A/B variant: ``lab.tracker(attribution_source="storefront-B")``).
    """

    def __init__(
        self, events_client: Any, tracking_id: str, *, attribution_source: str | None = None
    ) -> None:
        if not tracking_id:
            raise ValidationError(
                field="tracking_id",
                value=tracking_id,
                rule="PutEvents needs the trackingId of an event tracker",
                fix="pass tracking_id='...' (CreateEventTracker's trackingId); the local Personalize has one",
            )
        self.events_client = events_client
        self.tracking_id = tracking_id
        self.attribution_source = _source(attribution_source)

    def track(
        self,
        user_id: str,
        item_id: str | None,
        event_type: str,
        *,
        value: float | None = None,
        recommendation: Recommendation = None,
        impression: Sequence[str] | None = None,
        session_id: str | None = None,
        properties: Mapping[str, Any] | str | None = None,
        attribution_source: str | None = None,
        sent_at: dt.datetime | None = None,
        event_id: str | None = None,
    ) -> dict[str, Any]:
        """Send one event; returns it as sent (with ``userId`` and ``sessionId``).

        ``session_id`` defaults to the user id (the service requires one). Errors: ValidationError before
        sending; the service's refusals as :mod:`personalize_lab.errors` (InvalidInputError, ...).
        """
        event = build_event(
            str(user_id),
            item_id,
            event_type,
            value=value,
            recommendation=recommendation,
            impression=impression,
            properties=properties,
            attribution_source=attribution_source or self.attribution_source,
            sent_at=sent_at,
            event_id=event_id,
        )
        kwargs = {
            "trackingId": self.tracking_id,
            "userId": str(user_id),
            "sessionId": session_id or str(user_id),
            "eventList": [event],
        }
        _call(self.events_client.put_events, kwargs)
        return {"userId": kwargs["userId"], "sessionId": kwargs["sessionId"], **event}


def _call(method: Callable[..., Any], kwargs: Mapping[str, Any]) -> Any:
    try:
        return method(**kwargs)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        raise from_client_error(e, request=dict(kwargs)) from e


def attribution_metrics(
    lab: Lab, metric_attribution_arn: str | None = None, *, freq: str | None = None
) -> pd.DataFrame:
    """The metrics of a metric attribution per EVENT_ATTRIBUTION_SOURCE (local Personalize only).

    Columns: metricName, eventType, expression, EVENT_ATTRIBUTION_SOURCE, events, value (and ``period``
    first with ``freq="1h"``). Without an ARN, the dataset group's only metric attribution. Against AWS
    the numbers live in CloudWatch and S3, so this raises ValidationError saying where.
    """
    local = lab.local_personalize
    if local is None:
        raise ValidationError(
            field="source",
            value=lab.source,
            rule="against AWS, metric attribution publishes to CloudWatch (and the S3 path of its "
            "metricsOutputConfig); the service has no API that returns the numbers",
            fix="read them in CloudWatch or S3, or run the same events against Lab.local()/Lab.demo()",
        )
    if metric_attribution_arn is None:
        found = lab.connection.list_all("list_metric_attributions", "metricAttributions", {})
        if len(found) != 1:
            raise ValidationError(
                field="metric_attribution_arn",
                rule=f"the local Personalize has {len(found)} metric attributions, so say which one",
                fix="pass metric_attribution_arn=..., or create one with CreateMetricAttribution",
            )
        metric_attribution_arn = str(found[0]["metricAttributionArn"])
    else:  # an unknown ARN is the service's ResourceNotFoundError, as on AWS
        lab.connection.control(
            "describe_metric_attribution", {"metricAttributionArn": metric_attribution_arn}
        )
    report: pd.DataFrame = local.metric_attribution_report(metric_attribution_arn, freq=freq)
    return report
