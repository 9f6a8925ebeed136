"""PutActions and PutActionInteractions through a real boto3 personalize-events client."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.support.action_store import NOW, action_local


def _dataset(local, kind: str) -> dict:  # type: ignore[no-untyped-def]
    control = local.client("personalize")
    for summary in control.list_datasets(datasetGroupArn=local.dataset_group_arn)["datasets"]:
        if summary["datasetType"] == kind:
            return control.describe_dataset(datasetArn=summary["datasetArn"])["dataset"]
    raise AssertionError(kind)


def test_put_actions_adds_and_changes_actions_at_once() -> None:
    local = action_local()
    events = local.client("personalize-events")
    runtime = local.client("personalize-runtime")
    arn = _dataset(local, "ACTIONS")["datasetArn"]
    events.put_actions(
        datasetArn=arn,
        actions=[
            {"actionId": "brand-new", "properties": '{"goal": "revenue", "value": 500}'},
            {"actionId": "card", "properties": f'{{"actionExpirationTimestamp": {NOW - 1}}}'},
        ],
    )
    listed = runtime.get_action_recommendations(
        campaignArn=local.campaign_arns["next-best-action"], userId="u02", numResults=20
    )["actionList"]
    ids = [a["actionId"] for a in listed]
    assert "card" not in ids  # expired now
    assert {"actionId": "brand-new", "score": 0.0} in listed  # recommendable at once, unscored
    assert local.actions.set_index("ACTION_ID").loc["brand-new", "VALUE"] == 500


@pytest.mark.parametrize(
    ("actions", "message"),
    [
        ([{"actionId": "x", "properties": '{"colour": "red"}'}], "not a field of the Actions schema"),
        ([{"actionId": "x", "properties": '{"value": "lots"}'}], "VALUE must be a number"),
        ([{"actionId": "x", "properties": '{"repeatFrequency": 0}'}], "at least 1 day"),
        ([{"actionId": "x", "properties": "not json"}], "JSON object"),
        ([{"actionId": f"a{k}"} for k in range(11)], "between 1 and 10"),
    ],
)
def test_put_actions_refuses_bad_actions_and_stores_none(actions: list, message: str) -> None:
    local = action_local()
    before = local.actions.copy()
    with pytest.raises(ClientError, match=message) as raised:
        local.client("personalize-events").put_actions(
            datasetArn=_dataset(local, "ACTIONS")["datasetArn"], actions=[{"actionId": "ok"}, *actions][-11:]
        )
    assert raised.value.response["Error"]["Code"] == "InvalidInputException"
    assert local.actions.equals(before)


def test_put_actions_takes_only_the_actions_dataset() -> None:
    local = action_local()
    with pytest.raises(ClientError, match="PutActions takes the ARN of the Actions dataset"):
        local.client("personalize-events").put_actions(
            datasetArn=_dataset(local, "INTERACTIONS")["datasetArn"], actions=[{"actionId": "x"}]
        )


def test_put_action_interactions_uses_the_datasets_tracker_and_reaches_filters() -> None:
    local = action_local()
    tracking_id = _dataset(local, "ACTION_INTERACTIONS")["trackingId"]
    assert tracking_id == local.action_tracking_id
    events = local.client("personalize-events")
    events.put_action_interactions(
        trackingId=tracking_id,
        actionInteractions=[
            {"actionId": "fresh", "sessionId": "s9", "userId": "newcomer", "timestamp": NOW, "eventType": "Taken"},
            {"actionId": "unknown-action", "sessionId": "s9", "timestamp": NOW, "eventType": "not taken",
             "impression": ["fresh", "card"], "recommendationId": "RID-1"},
        ],
    )  # fmt: skip
    streamed = local.streamed_action_interactions()
    assert streamed["EVENT_TYPE"].tolist() == ["TAKEN", "NOT_TAKEN"]
    assert streamed["USER_ID"].tolist() == ["newcomer", "s9"]  # no userId: the session stands for the user
    assert streamed["IMPRESSION"].tolist()[1] == "fresh|card"
    history = local.user_action_history("newcomer")
    assert history[["ACTION_ID", "EVENT_TYPE", "source"]].values.tolist() == [
        ["fresh", "TAKEN", "PutActionInteractions"]
    ]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"eventType": "Clicked"}, "not an action interaction event type"),
        ({"properties": '{"userId": "u1"}'}, "names a member of the event"),
        ({"recommendationId": "r" * 41}, "length between 1 and 40"),
        ({"impression": ["a"] * 26}, "1 to 25 action ids"),
    ],
)
def test_put_action_interactions_refuses_bad_events(event: dict, message: str) -> None:
    local = action_local()
    good = {"actionId": "card", "sessionId": "s", "userId": "u02", "timestamp": NOW, "eventType": "Viewed"}
    with pytest.raises(ClientError, match=message):
        local.client("personalize-events").put_action_interactions(
            trackingId=local.action_tracking_id, actionInteractions=[good, {**good, **event}]
        )
    assert local.streamed_action_interactions().empty  # the good event of the call is not stored either


def test_put_action_interactions_refuses_other_trackers() -> None:
    local = action_local()
    events = local.client("personalize-events")
    event = {"actionId": "card", "sessionId": "s", "timestamp": NOW, "eventType": "Taken"}
    with pytest.raises(ClientError, match="is an Interactions event tracker") as raised:
        events.put_action_interactions(trackingId=local.tracking_id, actionInteractions=[event])
    assert raised.value.response["Error"]["Code"] == "InvalidInputException"
    with pytest.raises(ClientError) as raised:
        events.put_action_interactions(trackingId="nope", actionInteractions=[event])
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
