"""lab.track / Tracker: PutEvents with the list the user saw, and the attribution metrics read back."""

from __future__ import annotations

import pandas as pd
import pytest

from personalize_lab import InvalidInputError, Lab, ResourceNotFoundError, ValidationError
from personalize_lab.emulator import EmulatorOptions, LocalPersonalize
from personalize_lab.tracking import Tracker, build_event
from tests.support.tiny_store import tiny_config, tiny_frames

ROLE = {"roleArn": "arn:aws:iam::123456789012:role/PersonalizeMetrics"}


@pytest.fixture
def lab() -> Lab:
    interactions, items, users = tiny_frames()
    local = LocalPersonalize.from_frames(
        interactions, items, users, config=tiny_config(), options=EmulatorOptions(seed=7)
    )
    return Lab.local(local)


def attribution(lab: Lab) -> str:
    answer = lab.control_client.create_metric_attribution(
        name="impact",
        datasetGroupArn=lab.local_personalize.dataset_group_arn,
        metrics=[
            {"eventType": "Purchase", "metricName": "purchases", "expression": "SAMPLECOUNT()"},
            {"eventType": "Purchase", "metricName": "revenue", "expression": "SUM(Interactions.EVENT_VALUE)"},
        ],
        metricsOutputConfig=ROLE,
    )
    return str(answer["metricAttributionArn"])


def test_track_sends_the_recommendation_id_and_the_impressions_of_the_list(lab: Lab) -> None:
    shelf = lab.recommend("u01", num_results=6)
    sent = lab.track(
        "u01",
        shelf["itemId"].iloc[2],
        "Purchase",
        value=19.5,
        recommendation=shelf,
        properties={"device": "mobile"},
        attribution_source="storefront-A",
    )
    assert sent["recommendationId"] == shelf["recommendationId"].iloc[0]
    assert sent["impression"] == list(shelf["itemId"])
    stored = lab.local_personalize.streamed_events().iloc[-1]
    assert stored["RECOMMENDATION_ID"] == sent["recommendationId"]
    assert stored["IMPRESSION"] == "|".join(shelf["itemId"])
    assert stored["EVENT_VALUE"] == 19.5
    assert stored["EVENT_ATTRIBUTION_SOURCE"] == "storefront-A"
    assert stored["DEVICE"] == "mobile"
    assert stored["EVENT_ID"] == sent["eventId"]  # every event gets an id: a retry is not counted twice
    assert stored["SESSION_ID"] == "u01"


def test_a_recommendation_id_alone_and_one_users_rows_of_a_cohort(lab: Lab) -> None:
    cohort = lab.recommend_many(["u01", "u02"], num_results=3)
    sent = lab.track("u02", "i05", "View", recommendation=cohort)
    mine = cohort.frame[cohort.frame["userId"] == "u02"]
    assert sent["recommendationId"] == mine["recommendationId"].iloc[0]
    assert sent["impression"] == list(mine["itemId"])
    sent = lab.track("u02", "i05", "View", recommendation="RID-elsewhere")
    assert sent["recommendationId"] == "RID-elsewhere"
    assert "impression" not in sent


def test_the_attribution_metrics_of_two_variants(lab: Lab) -> None:
    arn = attribution(lab)
    a, b = lab.tracker(attribution_source="storefront-A"), lab.tracker(attribution_source="storefront-B")
    for user in ("u01", "u02", "u03"):
        a.track(user, "i01", "Purchase", value=10.0)
    b.track("u04", "i02", "Purchase", value=5.0)
    b.track("u04", "i02", "View")
    table = lab.attribution_metrics().set_index(["metricName", "EVENT_ATTRIBUTION_SOURCE"])["value"]
    assert table[("purchases", "storefront-A")] == 3
    assert table[("purchases", "storefront-B")] == 1
    assert table[("revenue", "storefront-A")] == pytest.approx(30.0)
    assert lab.attribution_metrics(arn).equals(lab.attribution_metrics())
    with pytest.raises(ResourceNotFoundError):
        lab.attribution_metrics(arn + "-gone")


def test_arguments_the_service_would_refuse_are_named_before_sending(lab: Lab) -> None:
    with pytest.raises(ValidationError, match="value"):
        lab.track("u01", "i01", "Purchase", value="a lot")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="impression"):
        lab.track("u01", "i01", "View", impression=[f"i{k:02d}" for k in range(26)])
    with pytest.raises(ValidationError, match="attribution_source"):
        lab.track("u01", "i01", "View", attribution_source="  ")
    with pytest.raises(ValidationError, match="one recommendation list"):
        lab.track(
            "u01",
            "i01",
            "View",
            recommendation=lab.recommend_many(["u01", "u02"], num_results=2).frame.assign(userId="x"),
        )
    assert lab.local_personalize.streamed_events().empty


def test_the_service_refusal_comes_back_as_the_toolkit_error(lab: Lab) -> None:
    event = build_event("u01", "i01", "View", recommendation="R" * 41)  # the service allows 40 characters
    client, tracking_id = lab.events_client()
    with pytest.raises(InvalidInputError, match="recommendationId"):
        Tracker(client, str(tracking_id)).track(
            "u01", "i01", "View", recommendation=event["recommendationId"]
        )


def test_against_aws_a_tracking_id_is_needed() -> None:
    with pytest.raises(ValidationError, match="tracking_id"):
        Tracker(object(), "")


def test_a_frame_without_the_recommendation_columns_is_refused(lab: Lab) -> None:
    with pytest.raises(ValidationError, match="recommendationId"):
        lab.track("u01", "i01", "View", recommendation=pd.DataFrame({"itemId": ["i01"]}))
