"""Metric attribution through a real boto3 ``personalize`` client, and the metrics computed from events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.exceptions import ClientError

from personalize_lab.emulator import LocalPersonalize

ROLE = {"roleArn": "arn:aws:iam::123456789012:role/PersonalizeMetrics"}
NOW = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
METRICS = [
    {"eventType": "Purchase", "metricName": "purchases", "expression": "SAMPLECOUNT()"},
    {"eventType": "Purchase", "metricName": "revenue", "expression": "SUM(Items.PRICE)"},
    {"eventType": "Purchase", "metricName": "value", "expression": "SUM(Interactions.EVENT_VALUE)"},
]


def create(local: LocalPersonalize, metrics: list[dict[str, str]] | None = None, name: str = "impact") -> str:
    control = local.client("personalize")
    answer = control.create_metric_attribution(
        name=name,
        datasetGroupArn=local.dataset_group_arn,
        metrics=METRICS if metrics is None else metrics,
        metricsOutputConfig=ROLE,
    )
    return str(answer["metricAttributionArn"])


def send(local: LocalPersonalize, user: str, *events: dict[str, Any]) -> None:
    local.client("personalize-events").put_events(
        trackingId=local.tracking_id,
        userId=user,
        sessionId=user,
        eventList=[{"sentAt": NOW, **e} for e in events],
    )


def price(local: LocalPersonalize, item: str) -> float:
    return float(local.items.set_index("ITEM_ID").loc[item, "PRICE"])


def code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_the_resource_lifecycle_in_the_service_shapes(fresh: LocalPersonalize) -> None:
    control = fresh.client("personalize")
    arn = create(fresh)
    assert arn == "arn:aws:personalize:us-east-1:123456789012:metric-attribution/impact"
    described = control.describe_metric_attribution(metricAttributionArn=arn)["metricAttribution"]
    assert described["status"] == "ACTIVE"
    assert described["datasetGroupArn"] == fresh.dataset_group_arn
    assert described["metricsOutputConfig"] == ROLE
    assert "metrics" not in described  # listed by ListMetricAttributionMetrics, not described
    listed = control.list_metric_attributions(datasetGroupArn=fresh.dataset_group_arn)["metricAttributions"]
    assert [(m["name"], m["status"]) for m in listed] == [("impact", "ACTIVE")]
    metrics = control.list_metric_attribution_metrics(metricAttributionArn=arn)["metrics"]
    assert metrics == METRICS
    page = control.list_metric_attribution_metrics(metricAttributionArn=arn, maxResults=2)
    assert len(page["metrics"]) == 2
    assert page["nextToken"]

    control.update_metric_attribution(
        metricAttributionArn=arn,
        removeMetrics=["value"],
        addMetrics=[{"eventType": "View", "metricName": "views", "expression": "samplecount()"}],
    )
    names = [
        m["metricName"] for m in control.list_metric_attribution_metrics(metricAttributionArn=arn)["metrics"]
    ]
    assert names == ["purchases", "revenue", "views"]

    control.delete_metric_attribution(metricAttributionArn=arn)
    with pytest.raises(ClientError) as error:
        control.describe_metric_attribution(metricAttributionArn=arn)
    assert code(error) == "ResourceNotFoundException"
    assert control.list_metric_attributions()["metricAttributions"] == []


def test_metrics_are_computed_per_attribution_source(fresh: LocalPersonalize) -> None:
    send(fresh, "u01", {"eventType": "Purchase", "itemId": "i01", "eventValue": 9.0})  # before: not reported
    arn = create(fresh)
    runtime = fresh.client()
    answer = runtime.get_recommendations(campaignArn=fresh.default_campaign_arn, userId="u02", numResults=3)
    shown = [i["itemId"] for i in answer["itemList"]]
    send(
        fresh,
        "u02",
        {"eventType": "Purchase", "itemId": shown[0], "recommendationId": answer["recommendationId"]},
    )
    a = {"metricAttribution": {"eventAttributionSource": "storefront-A"}}
    send(
        fresh,
        "u03",
        {"eventType": "Purchase", "itemId": "i03", "eventValue": 2.5, **a},
        {"eventType": "Purchase", "itemId": "i06", "eventValue": 1.5, **a},
        {"eventType": "View", "itemId": "i09", **a},
    )
    send(
        fresh,
        "u04",
        {"eventType": "purchase", "itemId": "i04", "eventId": "p"},
        {"eventType": "Purchase", "itemId": "i04", "eventId": "p"},
    )

    table = fresh.metric_attribution_report(arn).set_index(["metricName", "EVENT_ATTRIBUTION_SOURCE"])
    campaign = fresh.default_campaign_arn
    assert table.loc[("purchases", "storefront-A"), "value"] == 2  # the View is not a Purchase
    assert table.loc[("purchases", campaign), "value"] == 1  # credited through its recommendationId
    assert table.loc[("purchases", "SOURCE_NAME_UNDEFINED"), "value"] == 1  # the repeated eventId counts once
    assert table.loc[("revenue", "storefront-A"), "value"] == pytest.approx(
        price(fresh, "i03") + price(fresh, "i06")
    )
    assert table.loc[("revenue", campaign), "value"] == pytest.approx(price(fresh, shown[0]))
    assert table.loc[("value", "storefront-A"), "value"] == pytest.approx(4.0)
    assert table.loc[("value", campaign), "value"] == 0  # no eventValue sent: adds nothing
    assert table.loc[("purchases", "storefront-A"), "events"] == 2


def test_the_report_over_time(fresh: LocalPersonalize) -> None:
    arn = create(fresh, [METRICS[0]])
    day = {"metricAttribution": {"eventAttributionSource": "B"}}
    send(fresh, "u01", {"eventType": "Purchase", "itemId": "i01", **day})
    send(
        fresh, "u01", {"eventType": "Purchase", "itemId": "i02", "sentAt": NOW + dt.timedelta(days=1), **day}
    )
    daily = fresh.metric_attribution_report(arn, freq="1D")
    assert next(iter(daily.columns)) == "period"
    assert daily["value"].tolist() == [1.0, 1.0]
    assert daily["period"].dt.day.tolist() == [1, 2]


@pytest.mark.parametrize(
    ("metrics", "expected", "named"),
    [
        (
            [{"eventType": "Purchase", "metricName": "m", "expression": "AVG(Items.PRICE)"}],
            "InvalidInputException",
            "SAMPLECOUNT()",
        ),
        (
            [{"eventType": "Purchase", "metricName": "m", "expression": "SUM()"}],
            "InvalidInputException",
            "SUM needs",
        ),
        (
            [{"eventType": "Purchase", "metricName": "m", "expression": "SUM(Users.AGE)"}],
            "InvalidInputException",
            "Users",
        ),
        (
            [{"eventType": "Purchase", "metricName": "m", "expression": "SUM(Items.TITLE)"}],
            "InvalidInputException",
            "numeric",
        ),
        (
            [{"eventType": "Purchase", "metricName": "m", "expression": "SUM(Items.NOPE)"}],
            "InvalidInputException",
            "NOPE",
        ),
        ([{**METRICS[0]}, {**METRICS[0]}], "ResourceAlreadyExistsException", "purchases"),
        ([{**METRICS[0], "metricName": f"m{k}"} for k in range(11)], "InvalidInputException", "10"),
    ],
)
def test_metric_definitions_the_service_refuses(
    fresh: LocalPersonalize, metrics: list[dict[str, str]], expected: str, named: str
) -> None:
    with pytest.raises(ClientError) as error:
        create(fresh, metrics)
    assert code(error) == expected
    assert named in str(error.value)
    assert fresh.client("personalize").list_metric_attributions()["metricAttributions"] == []


def test_bad_output_config_names_and_unknown_resources(fresh: LocalPersonalize) -> None:
    control = fresh.client("personalize")
    with pytest.raises(ClientError) as error:
        control.create_metric_attribution(
            name="x",
            datasetGroupArn=fresh.dataset_group_arn,
            metrics=METRICS,
            metricsOutputConfig={"roleArn": "admin"},
        )
    assert code(error) == "InvalidInputException"
    assert "roleArn" in str(error.value)
    with pytest.raises(ClientError) as error:
        control.create_metric_attribution(
            name="x",
            datasetGroupArn=fresh.dataset_group_arn.replace("tiny", "other"),
            metrics=METRICS,
            metricsOutputConfig=ROLE,
        )
    assert code(error) == "ResourceNotFoundException"
    arn = create(fresh)
    with pytest.raises(ClientError) as error:
        create(fresh)
    assert code(error) == "ResourceAlreadyExistsException"
    with pytest.raises(ClientError) as error:
        control.update_metric_attribution(metricAttributionArn=arn, removeMetrics=["nope"])
    assert code(error) == "InvalidInputException"
    assert "nope" in str(error.value)
    with pytest.raises(ClientError) as error:
        control.update_metric_attribution(metricAttributionArn=arn, addMetrics=[METRICS[0]])
    assert code(error) == "ResourceAlreadyExistsException"
    assert len(control.list_metric_attribution_metrics(metricAttributionArn=arn)["metrics"]) == 3  # unchanged
    with pytest.raises(Exception, match="does not exist"):
        fresh.metric_attribution_report(arn + "-gone")
