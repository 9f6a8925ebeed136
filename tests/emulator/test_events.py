"""PutEvents keeps every member of an event, as the service does, through a real boto3 client.

eventValue, impression, recommendationId, eventId, metricAttribution.eventAttributionSource and properties
are stored with the event (``LocalPersonalize.streamed_events``); bad input answers the service's error and
stores nothing of the call; unknown users and items are accepted (cold start).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
import pytest
from botocore.exceptions import ClientError, ParamValidationError

from personalize_lab.emulator import LocalPersonalize, wire

NOW = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


def send(local: LocalPersonalize, *events: dict[str, Any], user: str = "u01") -> None:
    local.client("personalize-events").put_events(
        trackingId=local.tracking_id,
        userId=user,
        sessionId=f"session-{user}",
        eventList=[{"sentAt": NOW, **e} for e in events],
    )


def shelf(local: LocalPersonalize, user: str = "u01", n: int = 5) -> tuple[str, list[str]]:
    answer = local.client().get_recommendations(
        campaignArn=local.default_campaign_arn, userId=user, numResults=n
    )
    return answer["recommendationId"], [i["itemId"] for i in answer["itemList"]]


def error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_every_member_of_an_event_is_stored(fresh: LocalPersonalize) -> None:
    rid, items = shelf(fresh)
    send(
        fresh,
        {
            "eventId": "buy-1",
            "eventType": "Purchase",
            "itemId": items[2],
            "eventValue": 12.5,
            "impression": items,
            "recommendationId": rid,
            "metricAttribution": {"eventAttributionSource": "storefront-A"},
            "properties": json.dumps({"device": "mobile", "numRatings": 3}),
        },
    )
    row = fresh.streamed_events().iloc[-1]
    assert row["EVENT_ID"] == "buy-1"
    assert row["USER_ID"] == "u01"
    assert row["SESSION_ID"] == "session-u01"
    assert (row["ITEM_ID"], row["EVENT_TYPE"], row["EVENT_VALUE"]) == (items[2], "Purchase", 12.5)
    assert row["TIMESTAMP"] == int(NOW.timestamp())
    assert row["IMPRESSION"] == "|".join(items)
    assert row["RECOMMENDATION_ID"] == rid
    assert row["EVENT_ATTRIBUTION_SOURCE"] == "storefront-A"
    assert row["attributed_to"] == "storefront-A"  # the source wins over the recommendationId (guide)
    assert (row["DEVICE"], row["NUM_RATINGS"]) == ("mobile", 3)  # camelCase properties -> schema names
    assert not row["duplicate"]


def test_a_recommendation_id_names_its_campaign_and_stands_for_the_impressions(
    fresh: LocalPersonalize,
) -> None:
    rid, items = shelf(fresh, n=4)
    send(fresh, {"eventType": "Purchase", "itemId": items[0], "recommendationId": rid})
    row = fresh.streamed_events().iloc[-1]
    assert row["attributed_to"] == fresh.default_campaign_arn
    assert row["IMPRESSION"] == "|".join(items)  # implicit impressions: the list the id was answered with
    assert pd.isna(row["EVENT_ATTRIBUTION_SOURCE"])  # not sent, so not stored


def test_an_event_without_source_or_known_recommendation_is_undefined(fresh: LocalPersonalize) -> None:
    send(
        fresh,
        {"eventType": "View", "itemId": "i03"},
        {"eventType": "View", "itemId": "i04", "recommendationId": "RID-x"},
    )
    assert list(fresh.streamed_events()["attributed_to"]) == ["SOURCE_NAME_UNDEFINED"] * 2


def test_a_generated_event_id_and_a_repeated_one(fresh: LocalPersonalize) -> None:
    before = len(fresh.user_history("u01", limit=None))
    send(fresh, {"eventType": "View", "itemId": "i05", "eventId": "e-1"})
    send(fresh, {"eventType": "View", "itemId": "i05", "eventId": "e-1"})  # a retried call
    send(fresh, {"eventType": "View", "itemId": "i06"})
    events = fresh.streamed_events()
    assert list(events["duplicate"]) == [False, True, False]
    assert events["EVENT_ID"].iloc[2]  # the service generates an id when none is sent
    assert len(fresh.user_history("u01", limit=None)) == before + 2  # the repeat is not applied again


def test_unknown_users_and_items_are_accepted(fresh: LocalPersonalize) -> None:
    send(fresh, {"eventType": "View", "itemId": "never-imported"}, user="brand-new")
    assert "brand-new" in fresh.users
    assert fresh.user_history("brand-new")["ITEM_ID"].tolist() == ["never-imported"]
    _, items = shelf(fresh, "brand-new", n=25)
    assert "never-imported" not in items  # recorded, not recommended until retrained (custom recipes)


def test_properties_and_values_reach_the_interactions_a_retrain_reads(fresh: LocalPersonalize) -> None:
    send(
        fresh,
        {"eventType": "Purchase", "itemId": "i00", "eventValue": 4.0, "properties": '{"device": "mobile"}'},
        {"eventType": "Purchase", "itemId": "i00", "eventId": "x"},
        {"eventType": "Purchase", "itemId": "i00", "eventId": "x"},
    )
    frame = fresh.training_interactions()
    assert len(frame) == len(fresh.data.interactions) + 2  # the repeated eventId is not trained on
    new = frame.tail(2)
    assert list(new["DEVICE"].fillna("")) == ["mobile", ""]
    assert new["EVENT_VALUE"].iloc[0] == 4.0
    retrained = LocalPersonalize.from_frames(frame, fresh.data.items, fresh.data.users)
    assert "DEVICE" in retrained.context_columns  # the context column a context-aware recipe learns from


def test_too_many_impressions_are_refused_and_nothing_of_the_call_is_stored(fresh: LocalPersonalize) -> None:
    before = len(fresh.user_history("u01", limit=None))
    with pytest.raises(ClientError) as error:
        send(
            fresh,
            {"eventType": "View", "itemId": "i01"},
            {"eventType": "View", "itemId": "i02", "impression": [f"i{k:02d}" for k in range(26)]},
        )
    assert error_code(error) == "InvalidInputException"
    assert "eventList[1].impression" in str(error.value)
    assert "25" in str(error.value)
    assert fresh.streamed_events().empty
    assert len(fresh.user_history("u01", limit=None)) == before


@pytest.mark.parametrize(
    ("member", "value", "named"),
    [
        ("recommendationId", "R" * 41, "recommendationId"),
        ("metricAttribution", {"eventAttributionSource": "   "}, "eventAttributionSource"),
        ("metricAttribution", {"eventAttributionSource": "caf\u00e9"}, "eventAttributionSource"),
        ("eventId", "e" * 257, "eventId"),
        ("properties", json.dumps({"k": "v" * 1100}), "properties"),
    ],
)
def test_members_over_the_service_limits_are_refused(
    fresh: LocalPersonalize, member: str, value: Any, named: str
) -> None:
    with pytest.raises(ClientError) as error:
        send(fresh, {"eventType": "View", "itemId": "i01", member: value})
    assert error_code(error) == "InvalidInputException"
    assert named in str(error.value)
    assert fresh.streamed_events().empty


def test_an_attribution_source_needs_no_resource(fresh: LocalPersonalize) -> None:
    """A source is a label: the guide creates none before it is used (at most 100 are reported)."""
    send(
        fresh,
        {"eventType": "View", "itemId": "i01", "metricAttribution": {"eventAttributionSource": "newsletter"}},
    )
    assert fresh.streamed_events()["attributed_to"].tolist() == ["newsletter"]


def test_a_value_of_the_wrong_type(fresh: LocalPersonalize) -> None:
    """boto3 refuses it before sending; a raw request that carries one is refused by the wire layer's check
    against botocore's shapes with the JSON front end's SerializationException (docs/robustness.md)."""
    with pytest.raises(ParamValidationError):
        send(fresh, {"eventType": "View", "itemId": "i01", "eventValue": "high"})
    body = {
        "trackingId": fresh.tracking_id,
        "sessionId": "s",
        "userId": "u01",
        "eventList": [{"eventType": "View", "itemId": "i01", "sentAt": 1_700_000_000, "eventValue": "high"}],
    }
    answer = wire.handle(fresh, "POST", "/events", {}, json.dumps(body).encode())
    assert answer.status == 400
    assert answer.headers["x-amzn-ErrorType"] == "SerializationException"
    assert "eventValue" in json.loads(answer.body)["message"]
    assert fresh.streamed_events().empty
    assert len(
        fresh.client().get_recommendations(campaignArn=fresh.default_campaign_arn, userId="u01")["itemList"]
    )


def test_event_value_filters_are_refused_as_the_service_refuses_them(fresh: LocalPersonalize) -> None:
    """The guide: interaction filters can test only the event type, not other interaction data."""
    control = fresh.client("personalize")
    with pytest.raises(ClientError) as error:
        control.create_filter(
            name="valuable",
            datasetGroupArn=fresh.dataset_group_arn,
            filterExpression="EXCLUDE ItemID WHERE Interactions.EVENT_VALUE > 3",
        )
    assert error_code(error) == "InvalidInputException"
    assert "EVENT_TYPE" in str(error.value)
