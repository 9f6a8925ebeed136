"""The conformance table: requests and the service's answers, through boto3 in-process and over HTTP.

``tests/golden/emulator/conformance.json`` holds the store (the tiny known store plus a
``personalize-lab.json`` document), then one case per request: the boto3 operation and its parameters,
and what boto3 gives back — a response (normalised: see :func:`normalise`; ``response_summary`` for long
lists: see :func:`summarise`), a service error (code, HTTP status and exact message) or a client-side
botocore exception. Every case runs twice against one engine:
through a client wired in-process and through a client with ``endpoint_url`` on the HTTP server. Answers
are stable because randomness is seeded per request (``EmulatorOptions(seed=7)``, ``random_mode``
``per_request``) and the models train deterministically.

A case written without an expectation gets its observed answer written into the file at the end of the
module, and fails: review the answer against personalize-semantics.md, then commit it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from personalize_lab.datasets.config import parse_config
from personalize_lab.emulator import EmulatorOptions, LocalPersonalize, server, transport
from personalize_lab.emulator.engine import DEFAULT_CAMPAIGN_RECIPES
from tests.support.action_store import action_frames
from tests.support.paths import GOLDEN
from tests.support.tiny_store import tiny_frames

GOLDEN = GOLDEN / "emulator" / "conformance.json"
DOC: dict[str, Any] = json.loads(GOLDEN.read_text())
CASES: list[dict[str, Any]] = DOC["cases"]
EXPECTATIONS = ("response", "response_summary", "error", "client_error")
CONFIG = Config(retries={"total_max_attempts": 1})
DUMMY = {"aws_access_key_id": "x", "aws_secret_access_key": "x", "region_name": "us-east-1"}
_observed: dict[str, dict[str, Any]] = {}


def build_store() -> LocalPersonalize:
    store = DOC["store"]
    interactions, items, users = tiny_frames(store["framesSeed"])
    acted = action_frames() if "actions" in store else {}
    return LocalPersonalize.from_frames(
        interactions,
        items,
        users,
        actions=acted.get("actions"),
        action_interactions=acted.get("action_interactions"),
        config=parse_config(store["config"]),
        options=EmulatorOptions(**store["options"]),
    )


@pytest.fixture(scope="module")
def local() -> Iterator[LocalPersonalize]:
    yield build_store()
    if _observed:  # cases written without an expectation: fill them in for review
        for case in CASES:
            case.update(_observed.get(case["name"], {}))
        GOLDEN.write_text(dumps(DOC) + "\n")


@pytest.fixture(scope="module")
def live(local: LocalPersonalize) -> Iterator[server.LocalServer]:
    with server.running(local) as running:
        yield running


# ---------------------------------------------------------------------------------------- parameters
def expand(value: Any) -> Any:
    """Parameters too big to write out: ``{"$repeat": [s, n]}`` is ``s * n``; ``{"$map": [prefix, n, v]}``
    is ``{prefix0: v, …}``; ``{"$list": [prefix, n]}`` is ``[prefix0, …]``."""
    if isinstance(value, dict):
        if "$repeat" in value:
            text, times = value["$repeat"]
            return text * times
        if "$map" in value:
            prefix, count, item = value["$map"]
            return {f"{prefix}{k}": item for k in range(count)}
        if "$list" in value:
            prefix, count = value["$list"]
            return [f"{prefix}{k}" for k in range(count)]
        return {k: expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------- answers
def normalise(value: Any, key: str = "") -> Any:
    """The stable parts of an answer: ResponseMetadata dropped; datetimes, ``RID-`` recommendation ids and
    scores in (0, 1] replaced by markers (anything else, e.g. a score of 0 or 2, stays and fails)."""
    if isinstance(value, dt.datetime):
        return "<timestamp>"
    if key == "recommendationId" and isinstance(value, str) and value.startswith("RID-"):
        return "<RID>"
    if key == "score" and isinstance(value, float) and 0.0 < value <= 1.0:
        return "<score>"
    if isinstance(value, dict):
        return {k: normalise(v, k) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


def run(client: Any, case: dict[str, Any]) -> dict[str, Any]:
    try:
        answer = getattr(client, case["operation"])(**expand(case["params"]))
    except botocore.exceptions.ClientError as error:
        response = error.response
        return {
            "error": {
                "code": response["Error"]["Code"],
                "status": response["ResponseMetadata"]["HTTPStatusCode"],
                "message": response["Error"]["Message"],
            }
        }
    except botocore.exceptions.BotoCoreError as error:
        return {"client_error": {"type": type(error).__name__, "message": str(error)}}
    return {"response": normalise(answer)}


def summarise(response: dict[str, Any]) -> dict[str, Any]:
    """For long answers: each item list as its length and the keys its items carry."""
    out: dict[str, Any] = {}
    for key, value in response.items():
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            out[key] = {"length": len(value), "itemKeys": sorted({k for v in value for k in v})}
        else:
            out[key] = value
    return out


def expected(case: dict[str, Any]) -> dict[str, Any]:
    return {k: case[k] for k in EXPECTATIONS if case.get(k) is not None}


def check(client: Any, case: dict[str, Any]) -> None:
    got = run(client, case)
    if "response_summary" in case and "response" in got:
        got = {"response_summary": summarise(got.pop("response"))}
    after = case.get("then")
    if after:  # undo what the case changed, so both transports see the same state
        getattr(client, after["operation"])(**after["params"])
    if not expected(case):
        _observed[case["name"]] = got
        pytest.fail(f"{case['name']!r} had no expectation: the observed answer is now in {GOLDEN.name}")
    assert got == expected(case)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_in_process(case: dict[str, Any], local: LocalPersonalize) -> None:
    check(transport.make_client(local, case["service"], config=CONFIG), case)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_over_http(case: dict[str, Any], live: server.LocalServer) -> None:
    check(boto3.client(case["service"], endpoint_url=live.url, config=CONFIG, **DUMMY), case)


def test_the_table_covers_every_recipe_and_both_kinds_of_deployment() -> None:
    config = parse_config(DOC["store"]["config"])
    recipes = {c.recipe for c in config.campaigns} | {r.recipe for r in config.recommenders}
    assert set(DEFAULT_CAMPAIGN_RECIPES) < recipes  # every supported custom recipe, plus domain use cases
    used = json.dumps([c["params"] for c in CASES])
    for spec in (*config.campaigns, *config.recommenders):
        assert f'/{spec.name}"' in used, f"no case uses {spec.name}"


# ---------------------------------------------------------------------------------------- the file
def dumps(value: Any, indent: int = 0, width: int = 110) -> str:
    """JSON with small values on one line, so the golden file reads as a table."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) + indent <= width or not isinstance(value, dict | list) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, list):
        inner = [pad + dumps(v, indent + 2, width) for v in value]
        return "[\n" + ",\n".join(inner) + "\n" + " " * indent + "]"
    inner = [f"{pad}{json.dumps(k)}: {dumps(v, indent + 2, width)}" for k, v in value.items()]
    return "{\n" + ",\n".join(inner) + "\n" + " " * indent + "}"
