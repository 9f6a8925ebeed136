"""The golden request table, answered identically in-process and over HTTP (tests/golden/emulator/)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config
from emulator_engine_double import EngineDouble

from personalize_lab.emulator import server, transport

GOLDEN = Path(__file__).parent / "golden" / "emulator" / "wire_conformance.json"
CASES: list[dict[str, Any]] = json.loads(GOLDEN.read_text())["cases"]
CONFIG = Config(retries={"total_max_attempts": 1})
DUMMY = {"aws_access_key_id": "x", "aws_secret_access_key": "x", "region_name": "us-east-1"}


@pytest.fixture(scope="module")
def live() -> Iterator[server.LocalServer]:
    with server.running(EngineDouble()) as running:
        yield running


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _run(client: Any, case: dict[str, Any]) -> dict[str, Any]:
    try:
        answer = getattr(client, case["operation"])(**case["params"])
    except client.exceptions.ClientError as error:
        response = error.response
        return {
            "error": {
                "code": response["Error"]["Code"],
                "status": response["ResponseMetadata"]["HTTPStatusCode"],
                "message": response["Error"]["Message"],
            }
        }
    except botocore.exceptions.BotoCoreError as error:
        return {"client_error": type(error).__name__}
    return {"response": _plain(answer)}


def _expected(case: dict[str, Any]) -> dict[str, Any]:
    return {k: case[k] for k in ("response", "error", "client_error") if k in case}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_in_process(case: dict[str, Any]) -> None:
    client = transport.make_client(EngineDouble(), case["service"], config=CONFIG)
    assert _run(client, case) == _expected(case)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_over_http(case: dict[str, Any], live: server.LocalServer) -> None:
    live.backend = EngineDouble()  # a fresh account per case, as in-process
    client = boto3.client(case["service"], endpoint_url=live.url, config=CONFIG, **DUMMY)
    assert _run(client, case) == _expected(case)
