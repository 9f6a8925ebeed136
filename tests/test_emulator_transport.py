"""Real boto3 clients answered in-process: errors as the service sends them, and the three ways to wire."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import botocore.client
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from emulator_engine_double import EngineDouble

from personalize_lab.emulator import transport

NOWHERE = "http://127.0.0.1:9"  # nothing listens here: an unwired client fails fast
FAST_FAIL = Config(retries={"total_max_attempts": 1}, connect_timeout=1)
DUMMY = {"aws_access_key_id": "x", "aws_secret_access_key": "x", "region_name": "us-east-1"}


@pytest.fixture
def engine() -> EngineDouble:
    return EngineDouble()


def test_runtime_answers_and_errors_leave_as_the_service_sends_them(engine: EngineDouble) -> None:
    runtime = transport.make_client(engine, "personalize-runtime")
    answer = runtime.get_recommendations(campaignArn=engine.campaign_arn, numResults=2)
    assert answer["itemList"] == [{"itemId": "i0", "score": 1.0}, {"itemId": "i1", "score": 0.5}]
    assert answer["recommendationId"] == "RID-fixed"
    with pytest.raises(runtime.exceptions.InvalidInputException) as raised:
        runtime.get_recommendations(campaignArn=engine.campaign_arn, numResults=501)
    response = raised.value.response
    assert response["Error"] == {
        "Code": "InvalidInputException",
        "Message": "numResults=501 exceeds the maximum of 500",
    }
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "InvalidInputException"
    assert response["ResponseMetadata"]["RequestId"]
    with pytest.raises(runtime.exceptions.ResourceNotFoundException):
        runtime.get_recommendations(campaignArn=engine.campaign_arn + "x")


def test_boto3_still_validates_on_the_client_side(engine: EngineDouble) -> None:
    runtime = transport.make_client(engine, "personalize-runtime")
    with pytest.raises(botocore.exceptions.ParamValidationError):
        runtime.get_recommendations(campaignArn=engine.campaign_arn, numResults=-1)


def test_an_operation_the_emulator_lacks_names_itself_and_the_coverage_doc(engine: EngineDouble) -> None:
    control = transport.make_client(engine, "personalize")
    with pytest.raises(ClientError) as raised:
        control.create_solution(name="s", datasetGroupArn=engine.dataset_group_arn)
    assert raised.value.response["Error"] == {
        "Code": "UnknownOperationException",
        "Message": "The local Personalize does not emulate personalize:CreateSolution (boto3 "
        "create_solution); docs/emulator-coverage.md lists what it emulates",
    }
    runtime = transport.make_client(engine, "personalize-runtime")  # the double has no ranking method
    with pytest.raises(ClientError, match="personalize-runtime:GetPersonalizedRanking"):
        runtime.get_personalized_ranking(campaignArn=engine.campaign_arn, userId="u", inputList=["a"])


def test_event_timestamps_reach_the_engine_as_datetimes(engine: EngineDouble) -> None:
    events = transport.make_client(engine, "personalize-events")
    sent = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)
    events.put_events(trackingId="t", sessionId="s", eventList=[{"eventType": "click", "sentAt": sent}])
    assert engine.events == [
        {"trackingId": "t", "sessionId": "s", "eventList": [{"eventType": "click", "sentAt": sent}]}
    ]


def test_install_wires_an_existing_client_and_uninstall_unwires_it(engine: EngineDouble) -> None:
    client = boto3.client("personalize", endpoint_url=NOWHERE, config=FAST_FAIL, **DUMMY)
    transport.install(client, engine)
    assert client.list_filters()["Filters"][0]["name"] == "no-bought"
    transport.uninstall(client)
    with pytest.raises(EndpointConnectionError):
        client.list_filters()
    with pytest.raises(ValueError, match="'s3' cannot be wired"):
        transport.install(boto3.client("s3", **DUMMY), engine)


def test_activate_wires_clients_from_boto3_sessions_and_botocore(engine: EngineDouble) -> None:
    original = botocore.client.ClientCreator.create_client
    with transport.activate(engine):
        made = [
            boto3.client("personalize", endpoint_url=NOWHERE, config=FAST_FAIL, **DUMMY),
            boto3.Session(**DUMMY).client("personalize", endpoint_url=NOWHERE, config=FAST_FAIL),
            botocore.session.get_session().create_client(
                "personalize", endpoint_url=NOWHERE, config=FAST_FAIL, **DUMMY
            ),
        ]
        for client in made:
            assert client.list_filters()["Filters"][0]["name"] == "no-bought"
    assert botocore.client.ClientCreator.create_client is original  # nothing global is left behind
    for client in made:  # created inside: stays wired, never reaches AWS by surprise
        assert client.list_filters()["Filters"][0]["name"] == "no-bought"
    after = boto3.client("personalize", endpoint_url=NOWHERE, config=FAST_FAIL, **DUMMY)
    with pytest.raises(EndpointConnectionError):
        after.list_filters()


def test_activate_nests_innermost_wins_and_reaches_worker_threads(engine: EngineDouble) -> None:
    inner = EngineDouble()
    inner.control.add_filter("inner-only", inner.dataset_group_arn, "x")

    def names() -> list[str]:
        client = boto3.client("personalize", endpoint_url=NOWHERE, config=FAST_FAIL, **DUMMY)
        return [f["name"] for f in client.list_filters()["Filters"]]

    with transport.activate(engine):
        assert names() == ["no-bought"]
        with transport.activate(inner):
            assert names() == ["no-bought", "inner-only"]
            with ThreadPoolExecutor(2) as pool:
                assert list(pool.map(lambda _: names(), range(2))) == [["no-bought", "inner-only"]] * 2
        assert names() == ["no-bought"]


def test_engine_mixin_gives_client_install_and_with_block(engine: EngineDouble) -> None:
    runtime = engine.client("personalize-runtime")
    assert runtime.get_recommendations(campaignArn=engine.campaign_arn)["recommendationId"] == "RID-fixed"
    original = botocore.client.ClientCreator.create_client
    with engine, engine:  # nesting the same engine is harmless
        inside = boto3.client("personalize", endpoint_url=NOWHERE, config=FAST_FAIL, **DUMMY)
    assert botocore.client.ClientCreator.create_client is original
    assert inside.list_filters()["Filters"][0]["name"] == "no-bought"
    existing = boto3.client("personalize", endpoint_url=NOWHERE, config=FAST_FAIL, **DUMMY)
    assert (
        engine.install(existing).describe_filter(filterArn=engine.filter_arn)["filter"]["status"] == "ACTIVE"
    )


class _NumpyEngine(EngineDouble):
    """The real engine scores with numpy; its scalars must serialise like floats."""

    def get_recommendations(self, **kw: Any) -> dict[str, Any]:
        import numpy as np

        return {"itemList": [{"itemId": "a", "score": np.float32(0.5)}], "recommendationId": "RID-np"}


def test_numpy_scores_and_unsupported_members(engine: EngineDouble) -> None:
    runtime = transport.make_client(_NumpyEngine(), "personalize-runtime")
    assert runtime.get_recommendations(campaignArn=engine.campaign_arn)["itemList"] == [
        {"itemId": "a", "score": 0.5}
    ]
    events = transport.make_client(engine, "personalize-events")
    with pytest.raises(events.exceptions.InvalidInputException) as raised:
        events.put_events(
            trackingId="t", sessionId="s", userId="u", eventList=[{"eventType": "x", "sentAt": 1}]
        )
    assert raised.value.response["Error"]["Message"] == (
        "PutEvents: the local Personalize does not take this request (got an unexpected keyword argument "
        "'userId'); docs/emulator-coverage.md lists what it emulates"
    )
