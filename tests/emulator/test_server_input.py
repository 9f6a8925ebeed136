"""Wrongly typed members over HTTP get the service's 400, never a 500 (which boto3 resends four times).

Each case is a probe of issue 14: a raw request with the headers an SDK sends and one member of the wrong
JSON type (or a null, or a number its type cannot hold). The answer is 400 with the service's error shape,
and the server keeps answering right afterwards.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from personalize_lab.emulator import LocalPersonalize, server
from tests.support.local_store import DATASET_GROUP, REGION_ACCOUNT, campaign, filter_arn, tiny_local

UP = campaign("up")
RANKING = campaign("ranking")
ITEMS = f"{REGION_ACCOUNT}:dataset/tiny/ITEMS"
USERS = f"{REGION_ACCOUNT}:dataset/tiny/USERS"
SER, INV = "SerializationException", "InvalidInputException"


@pytest.fixture(scope="module")
def local() -> LocalPersonalize:
    return tiny_local()


@pytest.fixture(scope="module")
def live(local: LocalPersonalize) -> Iterator[server.LocalServer]:
    with server.running(local) as running:
        yield running


def post(live: server.LocalServer, path: str, body: bytes, target: str | None = None) -> tuple[int, Any, Any]:
    """(status, x-amzn-ErrorType, JSON body) of one request sent as an AWS SDK sends it."""
    headers = {"Content-Type": "application/json"}
    if target is not None:
        headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}
    conn = http.client.HTTPConnection(live.host, live.port, timeout=10)
    try:
        conn.request("POST", path, body=body, headers=headers)
        reply = conn.getresponse()
        return reply.status, reply.getheader("x-amzn-ErrorType"), json.loads(reply.read() or b"{}")
    finally:
        conn.close()


def _events(**event: Any) -> dict[str, Any]:
    return {
        "trackingId": "tid",
        "sessionId": "s1",
        "eventList": [{"eventType": "click", "sentAt": 1_700_000_000, **event}],
    }


def _nested(depth: int) -> bytes:
    return b'{"campaignArn": "x", "context": ' + b"[" * depth + b"]" * depth + b"}"


RECOMMEND = {"campaignArn": UP, "userId": "u01"}
#: (name, path, X-Amz-Target, body, expected error code)
CASES: list[tuple[str, str, str | None, Any, str]] = [
    ("context as a list", "/recommendations", None, {**RECOMMEND, "context": ["a"]}, SER),
    ("context value as a number", "/recommendations", None, {**RECOMMEND, "context": {"k": 1}}, SER),
    ("filterValues as a list", "/recommendations", None, {**RECOMMEND, "filterValues": ["x"]}, SER),
    ("promotions as an int", "/recommendations", None, {**RECOMMEND, "promotions": 3}, SER),
    ("promotions as strings", "/recommendations", None, {**RECOMMEND, "promotions": ["a"]}, SER),
    ("metadataColumns.ITEMS as an int", "/recommendations", None,
     {**RECOMMEND, "metadataColumns": {"ITEMS": 5}}, SER),
    ("numResults as a string", "/recommendations", None, {**RECOMMEND, "numResults": "5"}, SER),
    ("numResults of 2.5", "/recommendations", None, {**RECOMMEND, "numResults": 2.5}, SER),
    ("numResults beyond 32 bits", "/recommendations", None, {**RECOMMEND, "numResults": 2**40}, INV),
    ("userId as a number", "/recommendations", None, {"campaignArn": UP, "userId": 7}, SER),
    ("JSON nested 1,000 deep", "/recommendations", None, _nested(1000), SER),
    ("JSON nested 100,000 deep", "/recommendations", None, _nested(100_000), SER),
    ("inputList as a string", "/personalize-ranking", None,
     {"campaignArn": RANKING, "userId": "u01", "inputList": "i01i02"}, SER),
    ("inputList with a null", "/personalize-ranking", None,
     {"campaignArn": RANKING, "userId": "u01", "inputList": ["i01", None]}, INV),
    ("eventList as a string", "/events", None, {**_events(), "eventList": "click"}, SER),
    ("sentAt as a string", "/events", None, _events(sentAt="2024-01-01"), SER),
    ("sentAt out of range", "/events", None, _events(sentAt=1e20), INV),
    ("eventValue as a string", "/events", None, _events(eventValue="x"), SER),
    ("impression as a number", "/events", None, _events(impression=5), SER),
    ("PutUsers [null]", "/users", None, {"datasetArn": USERS, "users": [None]}, INV),
    ("PutItems items as an object", "/items", None, {"datasetArn": ITEMS, "items": {"itemId": "i"}}, SER),
    ("PutItems properties as an object", "/items", None,
     {"datasetArn": ITEMS, "items": [{"itemId": "i01", "properties": {"a": 1}}]}, SER),
    ("maxResults as a string", "/", "AmazonPersonalize.ListFilters",
     {"datasetGroupArn": DATASET_GROUP, "maxResults": "5"}, SER),
    ("a required member null", "/", "AmazonPersonalize.DescribeFilter", {"filterArn": None}, INV),
    ("a member the model does not have", "/", "AmazonPersonalize.DescribeFilter",
     {"filterArn": filter_arn("category"), "extra": 1}, INV),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "target", "body", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_wrongly_typed_member_is_a_400_in_the_service_shape(
    live: server.LocalServer, path: str, target: str | None, body: Any, code: str
) -> None:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, error, answer = post(live, path, raw, target)
    assert (status, error) == (400, code), answer
    assert answer["message"]
    if target is not None:
        assert answer["__type"] == code
    status, _, answer = post(live, "/recommendations", json.dumps(RECOMMEND).encode())
    assert status == 200  # and it keeps serving
    assert answer["itemList"]


def test_messages_name_the_member_the_value_and_what_to_send(live: server.LocalServer) -> None:
    _, _, answer = post(live, "/events", json.dumps(_events(eventValue="x")).encode())
    assert answer["message"] == (
        "eventList[0].eventValue: expected a number, got str 'x'; send eventList[0].eventValue as a number"
    )
    _, _, answer = post(live, "/users", json.dumps({"datasetArn": USERS, "users": [None]}).encode())
    assert answer["message"] == (
        "1 validation error detected: Value None at 'users[0]' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_a_string_input_list_is_not_split_and_nothing_lands(
    live: server.LocalServer, local: LocalPersonalize
) -> None:
    before = local.get_personalized_ranking(campaignArn=RANKING, userId="u01", inputList=["i01"])
    body = {"campaignArn": RANKING, "userId": "u01", "inputList": "i01"}
    assert post(live, "/personalize-ranking", json.dumps(body).encode())[:2] == (400, SER)
    after = local.get_personalized_ranking(campaignArn=RANKING, userId="u01", inputList=["i01"])
    assert [e["itemId"] for e in after["personalizedRanking"]] == [
        e["itemId"] for e in before["personalizedRanking"]
    ]


def test_boto3_sends_a_bad_request_once_not_five_times(live: server.LocalServer) -> None:
    """A 500 is retried by boto3's default mode (legacy, five attempts); a 400 is answered at once."""
    runtime = boto3.client(
        "personalize-runtime",
        endpoint_url=live.url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    sent: list[Any] = []

    def wrong_type(request: Any, **_: Any) -> None:  # the body curl or a hand-written SDK could send
        request.data = json.dumps({**RECOMMEND, "context": ["a"]}).encode()

    runtime.meta.events.register("request-created.personalize-runtime", wrong_type)
    runtime.meta.events.register("before-send", lambda request, **_: sent.append(request))
    with pytest.raises(runtime.exceptions.ClientError) as caught:
        runtime.get_recommendations(**RECOMMEND)
    assert caught.value.response["Error"]["Code"] == SER
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert len(sent) == 1
