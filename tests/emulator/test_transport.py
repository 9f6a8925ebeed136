"""Real boto3 clients answered in-process by the real engine: errors as the service sends them, three ways
to wire a client, and a notebook written for AWS running unchanged inside ``with local:``."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import botocore.client
import botocore.session
import numpy as np
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, ParamValidationError

from personalize_lab.emulator import LocalPersonalize, transport, wire
from tests.support.local_store import DATASET_GROUP, campaign, filter_arn, tiny_local

NOWHERE = "http://127.0.0.1:9"  # nothing listens here: an unwired client fails fast
FAST_FAIL = Config(retries={"total_max_attempts": 1}, connect_timeout=1)
DUMMY = {"aws_access_key_id": "x", "aws_secret_access_key": "x", "region_name": "us-east-1"}
TINY_FILTERS = [
    "category",
    "not-category",
    "exclude-purchased",
    "available",
    "books",
    "cheap",
    "same-category",
]


@pytest.fixture(scope="module")
def local() -> LocalPersonalize:
    """Read-only tests share one store; tests that change state build their own with tiny_local()."""
    return tiny_local()


def _filter_names(client: Any) -> list[str]:
    return [f["name"] for f in client.list_filters()["Filters"]]


def test_runtime_answers_are_the_engines_own_and_errors_leave_as_the_service_sends_them(
    local: LocalPersonalize,
) -> None:
    runtime = transport.make_client(local, "personalize-runtime")
    answer = runtime.get_recommendations(campaignArn=campaign("up"), userId="u00", numResults=5)
    direct = local.get_recommendations(campaignArn=campaign("up"), userId="u00", numResults=5)
    assert answer["itemList"] == direct["itemList"]  # scores survive JSON exactly
    assert all(int(e["itemId"][1:]) % 3 == 0 for e in answer["itemList"])  # u00's group loves shoes
    assert answer["recommendationId"].startswith("RID-")
    with pytest.raises(runtime.exceptions.InvalidInputException) as raised:
        runtime.get_recommendations(campaignArn=campaign("up"), userId="u00", numResults=501)
    response = raised.value.response
    assert response["Error"] == {
        "Code": "InvalidInputException",
        "Message": "numResults=501 exceeds the maximum of 500. Ask for at most 500 results.",
    }
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "InvalidInputException"
    assert response["ResponseMetadata"]["RequestId"]
    with pytest.raises(runtime.exceptions.ResourceNotFoundException, match=r"campaign/upx does not exist"):
        runtime.get_recommendations(campaignArn=campaign("upx"), userId="u00")


def test_boto3_still_validates_on_the_client_side(local: LocalPersonalize) -> None:
    runtime = transport.make_client(local, "personalize-runtime")
    with pytest.raises(ParamValidationError, match="valid min value: 0"):
        runtime.get_recommendations(campaignArn=campaign("up"), numResults=-1)
    with pytest.raises(ParamValidationError, match="percentPromotedItems, value: 0, valid min value: 1"):
        runtime.get_recommendations(
            campaignArn=campaign("up"),
            userId="u00",
            promotions=[{"name": "p", "percentPromotedItems": 0, "filterArn": filter_arn("books")}],
        )


def test_an_operation_the_emulator_lacks_names_itself_and_the_coverage_doc(local: LocalPersonalize) -> None:
    control = transport.make_client(local, "personalize")
    with pytest.raises(ClientError) as raised:
        control.create_batch_segment_job(
            jobName="j",
            solutionVersionArn=f"{DATASET_GROUP}/solution/s/1",
            jobInput={"s3DataSource": {"path": "s3://b/in.json"}},
            jobOutput={"s3DataDestination": {"path": "s3://b/out/"}},
            roleArn="arn:aws:iam::123456789012:role/r",
        )
    assert raised.value.response["Error"] == {
        "Code": "UnknownOperationException",
        "Message": "The local Personalize does not emulate personalize:CreateBatchSegmentJob (boto3 "
        "create_batch_segment_job); docs/emulator-coverage.md lists what it emulates",
    }


def test_events_reach_the_engine_with_their_timestamps() -> None:
    local = tiny_local()
    events = local.client("personalize-events")
    sent = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)
    events.put_events(
        trackingId=local.tracking_id,
        userId="u07",
        sessionId="s",
        eventList=[{"eventType": "Purchase", "itemId": "i05", "sentAt": sent}],
    )
    newest = local.user_history("u07", limit=1)
    assert newest[["ITEM_ID", "EVENT_TYPE", "TIMESTAMP", "source"]].to_dict("records") == [
        {
            "ITEM_ID": "i05",
            "EVENT_TYPE": "purchase",
            "TIMESTAMP": int(sent.timestamp()),
            "source": "PutEvents",
        }
    ]


def test_install_wires_an_existing_client_and_uninstall_unwires_it(local: LocalPersonalize) -> None:
    client = boto3.client("personalize", endpoint_url=NOWHERE, config=FAST_FAIL, **DUMMY)
    assert local.install(client) is client
    assert _filter_names(client) == TINY_FILTERS
    transport.uninstall(client)
    with pytest.raises(EndpointConnectionError):
        client.list_filters()
    with pytest.raises(ValueError, match="'s3' cannot be wired"):
        transport.install(boto3.client("s3", **DUMMY), local)


def test_activate_wires_clients_from_boto3_sessions_and_botocore(local: LocalPersonalize) -> None:
    original = botocore.client.ClientCreator.create_client
    with transport.activate(local):
        made = [
            boto3.client("personalize", endpoint_url=NOWHERE, config=FAST_FAIL, **DUMMY),
            boto3.Session(**DUMMY).client("personalize", endpoint_url=NOWHERE, config=FAST_FAIL),
            botocore.session.get_session().create_client(
                "personalize", endpoint_url=NOWHERE, config=FAST_FAIL, **DUMMY
            ),
        ]
        for client in made:
            assert _filter_names(client) == TINY_FILTERS
    assert botocore.client.ClientCreator.create_client is original  # nothing global is left behind
    for client in made:  # created inside: stays wired, never reaches AWS by surprise
        assert _filter_names(client) == TINY_FILTERS
    after = boto3.client("personalize", endpoint_url=NOWHERE, config=FAST_FAIL, **DUMMY)
    with pytest.raises(EndpointConnectionError):
        after.list_filters()


# A notebook cell written for AWS: no endpoint, no credentials, no personalize_lab import.
NOTEBOOK_CELL = """
import boto3

runtime = boto3.client("personalize-runtime", region_name="us-east-1")
personalize = boto3.Session().client("personalize", region_name="us-east-1")
campaigns = personalize.list_campaigns()["campaigns"]
up = next(c["campaignArn"] for c in campaigns if c["name"] == "up")
response = runtime.get_recommendations(campaignArn=up, userId="u00", numResults=3)
items = [item["itemId"] for item in response["itemList"]]
"""


def test_a_notebook_written_for_aws_runs_unchanged_inside_with_local(
    local: LocalPersonalize, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")  # no credentials anywhere
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    outside = boto3.client("personalize-runtime", endpoint_url=NOWHERE, config=FAST_FAIL, **DUMMY)
    with local:
        cell: dict[str, Any] = {}
        exec(NOTEBOOK_CELL, cell)
        with pytest.raises(EndpointConnectionError):  # made before the block: still bound for its endpoint
            outside.get_recommendations(campaignArn=campaign("up"), userId="u00")
    assert [c["name"] for c in cell["campaigns"]][:3] == ["up", "up-explore", "up-v2"]
    direct = local.get_recommendations(campaignArn=campaign("up"), userId="u00", numResults=3)
    assert cell["items"] == [e["itemId"] for e in direct["itemList"]]


def test_nested_engines_innermost_wins_and_worker_threads_follow() -> None:
    outer = tiny_local()
    inner = tiny_local()
    inner.create_filter("inner-only", 'INCLUDE ItemID WHERE Items.CATEGORY IN ("games")')

    def names() -> list[str]:
        return _filter_names(boto3.client("personalize", endpoint_url=NOWHERE, config=FAST_FAIL, **DUMMY))

    with outer:
        assert names() == TINY_FILTERS
        with inner:
            assert names() == [*TINY_FILTERS, "inner-only"]
            with ThreadPoolExecutor(2) as pool:
                assert list(pool.map(lambda _: names(), range(2))) == [[*TINY_FILTERS, "inner-only"]] * 2
        assert names() == TINY_FILTERS
        with outer:  # re-entering the same engine is harmless
            assert names() == TINY_FILTERS
    assert botocore.client.ClientCreator.create_client is not transport._create_client_wrapper


def test_json_carries_numpy_scalars_as_plain_numbers() -> None:
    encoded = json.dumps(
        {"score": np.float32(0.5), "count": np.int64(3)}, default=wire._json_default, separators=(",", ":")
    )
    assert encoded == '{"score":0.5,"count":3}'
