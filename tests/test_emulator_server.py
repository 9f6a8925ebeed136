"""The local Personalize over HTTP: boto3 with endpoint_url, raw HTTP, the real AWS CLI, the CLI's serve."""

from __future__ import annotations

import http.client
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from emulator_engine_double import EngineDouble

from personalize_lab import cli
from personalize_lab.emulator import server

ROOT = Path(__file__).resolve().parents[1]
AWS = ROOT / ".venv" / "bin" / "aws"
DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture
def engine() -> EngineDouble:
    return EngineDouble()


@pytest.fixture
def running(engine: EngineDouble) -> Iterator[server.LocalServer]:
    with server.running(engine) as live:
        yield live


def _client(url: str, service: str) -> Any:
    config = Config(retries={"total_max_attempts": 1})
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="any",
        aws_secret_access_key="any",
        config=config,
    )


def test_boto3_over_http_gets_answers_and_service_errors(
    running: server.LocalServer, engine: EngineDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="personalize_lab.server")
    control = _client(running.url, "personalize")
    runtime = _client(running.url, "personalize-runtime")
    assert [f["name"] for f in control.list_filters()["Filters"]] == ["no-bought"]
    answer = runtime.get_recommendations(campaignArn=engine.campaign_arn, numResults=1)
    assert answer["itemList"] == [{"itemId": "i0", "score": 1.0}]
    with pytest.raises(control.exceptions.ResourceNotFoundException, match="campaign/nope does not exist"):
        control.describe_campaign(campaignArn=engine.campaign_arn.replace("shop-up", "nope"))
    # one line per request; two connections (two clients) may log in either order, and a server thread
    # logs after it has answered, so give the last line a moment to arrive
    deadline = time.monotonic() + 5
    while True:
        lines = [r.getMessage() for r in caplog.records if r.name == "personalize_lab.server"]
        if len(lines) >= 3 or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert sorted(line.rsplit(" ", 2)[0] for line in lines) == [
        '127.0.0.1 "POST /" DescribeCampaign 404',
        '127.0.0.1 "POST /" ListFilters 200',
        '127.0.0.1 "POST /recommendations" GetRecommendations 200',
    ]


def test_raw_http_error_shape_and_body_limit(running: server.LocalServer) -> None:
    host, port = running.server_address[:2]
    conn = http.client.HTTPConnection(str(host), port, timeout=5)
    headers = {
        "X-Amz-Target": "AmazonPersonalize.DescribeFilter",
        "Content-Type": "application/x-amz-json-1.1",
    }
    conn.request(
        "POST", "/", body=b'{"filterArn": "arn:aws:personalize:us-east-1:1:filter/x"}', headers=headers
    )
    reply = conn.getresponse()
    assert reply.status == 404
    assert reply.getheader("x-amzn-ErrorType") == "ResourceNotFoundException"
    assert reply.getheader("x-amzn-RequestId")
    assert json.loads(reply.read()) == {
        "message": "Resource Arn arn:aws:personalize:us-east-1:1:filter/x does not exist.",
        "__type": "ResourceNotFoundException",
    }
    conn.request("POST", "/recommendations", body=b"x" * (server.MAX_BODY_BYTES + 1))
    reply = conn.getresponse()
    assert reply.status == 413
    assert reply.getheader("x-amzn-ErrorType") == "RequestEntityTooLargeException"
    assert json.loads(reply.read()) == {
        "message": "Request body of 1048577 bytes exceeds the local Personalize's limit of "
        "1048576 bytes (1 MiB)"
    }
    conn.close()


def test_concurrent_clients_are_all_answered(running: server.LocalServer) -> None:
    def calls(_: int) -> list[str]:
        client = _client(running.url, "personalize")
        return [client.list_filters()["Filters"][0]["name"] for _ in range(5)]

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(calls, range(8))) == [["no-bought"] * 5] * 8


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(host: str, port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            socket.create_connection((host, port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("server did not start")


SERVE_WITH_DOUBLE = """
import sys
sys.path.insert(0, "tests")
from emulator_engine_double import EngineDouble
from personalize_lab import cli
raise SystemExit(cli.main(sys.argv[1:], backend_factory=lambda data, demo: EngineDouble()))
"""


def test_cli_serve_answers_the_aws_cli_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    host = "127.0.0.2"  # loopback, but not the default: the wider-host warning must show
    args = ["serve", "--data", str(tmp_path), "--port", str(port), "--host", host]
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE_WITH_DOUBLE, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(host, port, process)
        env = {**os.environ, **DUMMY_ENV}
        url = f"http://{host}:{port}"
        listed = subprocess.run(
            [str(AWS), "personalize", "list-filters", "--endpoint-url", url, "--region", "us-east-1"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert listed.returncode == 0, listed.stderr
        assert [f["name"] for f in json.loads(listed.stdout)["Filters"]] == ["no-bought"]
        campaign = "arn:aws:personalize:us-east-1:123456789012:campaign/shop-up"
        recommended = subprocess.run(
            [
                str(AWS),
                "personalize-runtime",
                "get-recommendations",
                "--campaign-arn",
                campaign,
                "--num-results",
                "501",
                "--endpoint-url",
                url,
                "--region",
                "us-east-1",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert recommended.returncode == 255  # awscli v1: a service error
        assert "(InvalidInputException) when calling the GetRecommendations operation: numResults=501" in (
            recommended.stderr
        )
    finally:
        process.send_signal(signal.SIGTERM)
        _, log = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "anyone who can reach this address" in log
    assert f"local Personalize listening on http://{host}:{port} (credentials are not checked)" in log
    assert '"POST /" ListFilters 200' in log
    assert '"POST /recommendations" GetRecommendations 400' in log
    assert log.rstrip().endswith("stopping")


def test_cli_serve_needs_data_or_demo_and_a_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        cli.main(["serve"])
    assert "one of the arguments --data --demo is required" in capsys.readouterr().err
    with pytest.raises(SystemExit, match=r"--data .*missing is not a directory"):
        cli.main(["serve", "--data", str(tmp_path / "missing")], backend_factory=lambda d, demo: None)


def test_cli_serve_without_the_engine_says_what_is_missing() -> None:
    import importlib

    if hasattr(importlib.import_module("personalize_lab.emulator"), "LocalPersonalize"):
        pytest.skip("the engine is merged: serve --demo builds it (covered by the engine's tests)")
    with pytest.raises(SystemExit, match=r"no local engine \(personalize_lab\.emulator\.LocalPersonalize\)"):
        cli.main(["serve", "--demo"])
