"""Property: whatever JSON a client sends, the server answers below 500 and keeps serving (issue 14).

Requests are generated from botocore's own shapes of each operation (the runtime, the events API and the
control plane's Describe/List calls): well-typed values, drawn partly from the store's real ARNs and ids so
requests reach deep into the engine, and now and then a value of a deliberately wrong JSON type, a null, or
a number its type cannot hold.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.model import Shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from personalize_lab.emulator import LocalPersonalize, server, wire
from tests.support.local_store import (
    DATASET_GROUP,
    REGION_ACCOUNT,
    campaign,
    filter_arn,
    recommender,
    tiny_local,
)

ARNS = [
    campaign("up"),
    campaign("ranking"),
    campaign("nope"),
    recommender("also-viewed"),
    filter_arn("category"),
    DATASET_GROUP,
    f"{REGION_ACCOUNT}:dataset/tiny/ITEMS",
    f"{REGION_ACCOUNT}:dataset/tiny/USERS",
]
IDS = ["u01", "u02", "u40", "i01", "i03", "nobody"]
KNOWN_STRINGS = [
    campaign("up"),
    campaign("ranking"),
    campaign("nope"),
    recommender("also-viewed"),
    filter_arn("category"),
    filter_arn("not-category"),
    DATASET_GROUP,
    f"{REGION_ACCOUNT}:dataset/tiny/ITEMS",
    f"{REGION_ACCOUNT}:dataset/tiny/USERS",
    "u01",
    "u02",
    "i01",
    "i03",
    "ITEMS",
    "CATEGORY",
    '"books"',
    '{"CATEGORY": "books"}',
    "click",
    "",
]
#: a request that succeeds, for the generated members to start from half the time (so many reach the engine)
GOOD = {
    "GetRecommendations": {"campaignArn": campaign("up"), "userId": "u01"},
    "GetPersonalizedRanking": {
        "campaignArn": campaign("ranking"),
        "userId": "u01",
        "inputList": ["i01", "i03"],
    },
}
WRONG = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _operations() -> list[tuple[str, Any]]:
    """The operations the local Personalize emulates (others answer UnknownOperationException at once)."""
    control = tiny_local().control
    chosen = []
    for service in wire.SERVICES:
        model = wire.service_model(service)
        for name in model.operation_names:
            if service == wire.CONTROL and not name.startswith(("Describe", "List")):
                continue  # Create*/Update* train and build: slow, and not what this property is about
            if service == wire.CONTROL and not hasattr(control, wire.snake_case(name)):
                continue
            if service != wire.CONTROL and name not in wire.ENGINE_OPERATIONS[service]:
                continue
            chosen.append((service, model.operation_model(name)))
    return chosen


OPERATIONS = _operations()


def _typed(shape: Shape, depth: int) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "string" and shape.metadata.get("pattern", "").startswith("arn:"):
        return st.one_of(
            st.sampled_from(ARNS), st.sampled_from(ARNS), st.sampled_from(ARNS), st.text(max_size=20)
        )
    if kind == "string" and shape.name in ("UserID", "ItemID"):
        return st.one_of(st.sampled_from(IDS), st.sampled_from(IDS), st.text(max_size=20))
    if kind in ("string", "blob"):
        enum = shape.metadata.get("enum")
        return (
            st.sampled_from(enum) if enum else st.one_of(st.sampled_from(KNOWN_STRINGS), st.text(max_size=20))
        )
    if kind in ("integer", "long"):
        return st.one_of(st.integers(min_value=1, max_value=20), st.integers(min_value=-5, max_value=600))
    if kind in ("float", "double"):
        return st.floats(min_value=-1e6, max_value=1e6)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.floats(min_value=0, max_value=4e9)
    if depth > 3:
        return st.none()
    if kind == "list":
        return st.lists(_value(shape.member, depth + 1), max_size=4)  # type: ignore[attr-defined]
    if kind == "map":
        keys = st.one_of(st.sampled_from(["ITEMS", "CATEGORY", "k"]), st.text(max_size=5))
        return st.dictionaries(keys, _value(shape.value, depth + 1), max_size=3)  # type: ignore[attr-defined]
    members = shape.members  # type: ignore[attr-defined]
    return st.fixed_dictionaries(
        {}, optional={name: _value(member, depth + 1) for name, member in members.items()}
    )


def _value(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    """Mostly the shape's own type; one member in twenty, anything else."""
    typed = _typed(shape, depth)
    return st.integers(0, 19).flatmap(
        lambda k: WRONG if k == 7 else typed
    )  # 7: not an end hypothesis favours


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, str | None, bytes]:
    service, operation = draw(st.sampled_from(OPERATIONS))
    shape = operation.input_shape
    body: Any = dict(GOOD.get(operation.name, {})) if draw(st.booleans()) else {}
    if shape is not None:  # each member three times in ten, required ones nine times in ten
        for name, member in shape.members.items():
            odds = 9 if name in shape.required_members else 3
            if draw(st.integers(0, 9)) < odds:
                body[name] = draw(_value(member, 1))
    if draw(st.integers(0, 30)) == 17:
        body = draw(WRONG)  # not even an object
    target = None
    if service == wire.CONTROL:
        target = f"{wire.service_model(service).metadata['targetPrefix']}.{operation.name}"
    path = "/" if target else operation.http["requestUri"]
    return service, path, target, json.dumps(body).encode()


@pytest.fixture(scope="module")
def live() -> Iterator[server.LocalServer]:
    local: LocalPersonalize = tiny_local()
    with server.running(local) as running:
        yield running


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests())
def test_no_request_gets_a_5xx_and_the_server_keeps_serving(
    live: server.LocalServer, request: tuple[str, str, str | None, bytes]
) -> None:
    service, path, target, body = request
    headers = {"Content-Type": wire.JSON_11 if target else wire.REST_JSON}
    if target:
        headers["X-Amz-Target"] = target
    conn = http.client.HTTPConnection(live.host, live.port, timeout=10)
    try:
        conn.request("POST", path, body=body, headers=headers)
        reply = conn.getresponse()
        answer = reply.read()
    finally:
        conn.close()
    assert reply.status < 500, (service, path, target, body, answer)
    if reply.status >= 400:
        assert json.loads(answer)["message"]
        assert reply.getheader("x-amzn-ErrorType")
