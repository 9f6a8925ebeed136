"""The local Personalize over HTTP on the real engine: boto3 with endpoint_url, raw HTTP, and the real AWS
CLI against ``personalize-lab serve`` started as a subprocess (demo store and a data folder)."""

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

from personalize_lab import cli
from personalize_lab.emulator import LocalPersonalize, arns, server
from personalize_lab.emulator.demo import DEMO_FILTERS
from tests.support.local_store import campaign, tiny_local
from tests.support.paths import ROOT
from tests.support.tiny_store import tiny_frames

AWS = ROOT / ".venv" / "bin" / "aws"
DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
}
DEMO = "arn:aws:personalize:us-east-1:123456789012"


@pytest.fixture(scope="module")
def local() -> LocalPersonalize:
    return tiny_local()


@pytest.fixture(scope="module")
def running(local: LocalPersonalize) -> Iterator[server.LocalServer]:
    with server.running(local) as live:
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


def test_boto3_over_http_gets_the_engines_answers_and_service_errors(
    running: server.LocalServer, local: LocalPersonalize, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="personalize_lab.server")
    control = _client(running.url, "personalize")
    runtime = _client(running.url, "personalize-runtime")
    assert [f["name"] for f in control.list_filters()["Filters"]][:2] == ["category", "not-category"]
    answer = runtime.get_recommendations(campaignArn=campaign("up"), userId="u00", numResults=3)
    direct = local.get_recommendations(campaignArn=campaign("up"), userId="u00", numResults=3)
    assert answer["itemList"] == direct["itemList"]
    with pytest.raises(control.exceptions.ResourceNotFoundException, match="campaign/nope does not exist"):
        control.describe_campaign(campaignArn=campaign("nope"))
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


def test_raw_http_error_shapes_and_body_limit(running: server.LocalServer) -> None:
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
    body = json.dumps({"filterArn": f"{DEMO}:filter/books", "verbose": True}).encode()
    conn.request("POST", "/", body=body, headers=headers)
    reply = conn.getresponse()
    assert (reply.status, reply.getheader("x-amzn-ErrorType")) == (400, "InvalidInputException")
    assert json.loads(reply.read())["message"] == (
        "DescribeFilter: the local Personalize does not take this request (got an unexpected keyword "
        "argument 'verbose'); docs/emulator-coverage.md lists what it emulates"
    )
    conn.request("POST", "/recommendations", body=b"x" * (server.MAX_BODY_BYTES + 1))
    reply = conn.getresponse()
    assert reply.status == 413
    assert reply.getheader("x-amzn-ErrorType") == "RequestEntityTooLargeException"
    assert json.loads(reply.read()) == {
        "message": "Request body of 1048577 bytes exceeds the local Personalize's limit of "
        "1048576 bytes (1 MiB)"
    }
    conn.close()


def test_concurrent_clients_are_all_answered_alike(running: server.LocalServer) -> None:
    def calls(user: int) -> list[list[str]]:
        runtime = _client(running.url, "personalize-runtime")
        return [
            [
                e["itemId"]
                for e in runtime.get_recommendations(
                    campaignArn=campaign("up"), userId=f"u{user % 3:02d}", numResults=3
                )["itemList"]
            ]
            for _ in range(3)
        ]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(calls, range(9)))
    assert all(len({tuple(a) for a in per_client}) == 1 for per_client in answers)
    assert [answers[k][0] for k in range(3)] * 3 == [a[0] for a in answers]


# ------------------------------------------------------------------ `personalize-lab serve` as a process
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "personalize_lab.cli", "serve", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"},
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(host: str, port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            socket.create_connection((host, port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("server did not start")


def _aws(url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(AWS), *args, "--endpoint-url", url, "--region", "us-east-1", "--output", "json"],
        env={**os.environ, **DUMMY_ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _done(call: subprocess.Popen[str]) -> Any:
    out, err = call.communicate(timeout=60)
    assert call.returncode == 0, err
    return json.loads(out) if out.strip() else {}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Both server processes start together (their start-up overlaps): ``--demo`` on 127.0.0.1 and a
    data folder (the tiny store as CSV files) on 127.0.0.2, a loopback address that is not the default."""
    folder = tmp_path_factory.mktemp("tiny")
    interactions, items, users = tiny_frames()
    interactions.to_csv(folder / "interactions.csv", index=False)
    items.to_csv(folder / "items.csv", index=False)
    users.to_csv(folder / "users.csv", index=False)
    demo_port, data_port = _free_port(), _free_port()
    started = {
        "demo": (_serve("--demo", "--port", str(demo_port)), "127.0.0.1", demo_port),
        "data": (
            _serve("--data", str(folder), "--port", str(data_port), "--host", "127.0.0.2"),
            "127.0.0.2",
            data_port,
        ),
    }
    try:
        for process, host, port in started.values():
            _wait_for(host, port, process)
        yield {name: (process, f"http://{host}:{port}") for name, (process, host, port) in started.items()}
    finally:
        for process, _, _ in started.values():
            if process.poll() is None:
                process.kill()
                process.communicate()


def test_serve_demo_answers_the_aws_cli_and_boto3_and_stops_on_sigint(servers: dict[str, Any]) -> None:
    process, url = servers["demo"]
    up = f"{DEMO}:campaign/user-personalization-no-exploration"
    no_purchases = f"{DEMO}:filter/exclude-purchased"
    recommend = ("personalize-runtime", "get-recommendations", "--campaign-arn", up, "--user-id", "1")
    recommend_unpurchased = (*recommend, "--num-results", "5", "--filter-arn", no_purchases)
    # independent calls run side by side: each AWS CLI process takes about a second to start
    before, ranked, listed = (
        _aws(url, *recommend_unpurchased),
        _aws(
            url,
            "personalize-runtime",
            "get-personalized-ranking",
            "--campaign-arn",
            f"{DEMO}:campaign/personalized-ranking",
            "--user-id",
            "1",
            "--input-list",
            "P00001",
            "P00002",
            "P00003",
        ),
        _aws(url, "personalize", "list-filters"),
    )
    before, ranked, listed = _done(before), _done(ranked), _done(listed)
    first = [e["itemId"] for e in before["itemList"]]
    assert len(first) == 5
    assert all(0 < e["score"] < 1 for e in before["itemList"])
    ranking = ranked["personalizedRanking"]
    assert sorted(e["itemId"] for e in ranking) == ["P00001", "P00002", "P00003"]
    assert sum(e["score"] for e in ranking) == pytest.approx(1.0)  # a softmax over the input list
    assert [f["name"] for f in listed["Filters"]] == [f.name for f in DEMO_FILTERS]
    assert all("filterExpression" not in f for f in listed["Filters"])

    tracking_id = arns.tracking_id(f"{DEMO}:event-tracker/demo-store-tracker")
    events = json.dumps([{"eventType": "Purchase", "itemId": first[0], "sentAt": 1_900_000_000}])
    _done(
        _aws(
            url,
            "personalize-events",
            "put-events",
            "--tracking-id",
            tracking_id,
            "--user-id",
            "1",
            "--session-id",
            "s1",
            "--event-list",
            events,
        )
    )
    after = [e["itemId"] for e in _done(_aws(url, *recommend_unpurchased))["itemList"]]
    assert first[0] not in after  # the interaction filter sees the streamed purchase at once
    assert len(after) == 5
    described = _client(url, "personalize").describe_campaign(campaignArn=up)["campaign"]
    assert described["campaignConfig"]["itemExplorationConfig"] == {"explorationWeight": "0"}

    process.send_signal(signal.SIGINT)
    _, log = process.communicate(timeout=10)
    assert process.returncode == 0
    assert f"local Personalize listening on {url} (credentials are not checked)" in log
    assert '"POST /personalize-ranking" GetPersonalizedRanking 200' in log
    assert '"POST /events" PutEvents 200' in log
    assert log.count('"POST /recommendations" GetRecommendations 200') == 2
    assert log.rstrip().endswith("stopping")
    assert "Traceback" not in log


def test_serve_data_folder_warns_for_a_wider_host_and_stops_on_sigterm(servers: dict[str, Any]) -> None:
    process, url = servers["data"]
    runtime = _client(url, "personalize-runtime")
    answer = runtime.get_recommendations(
        campaignArn=f"{DEMO}:campaign/user-personalization", userId="u01", numResults=3
    )
    assert len(answer["itemList"]) == 3  # the folder declares no campaigns: one per recipe by default
    failed = _aws(
        url,
        "personalize-runtime",
        "get-recommendations",
        "--campaign-arn",
        f"{DEMO}:campaign/user-personalization",
        "--user-id",
        "u01",
        "--num-results",
        "501",
    )
    _, err = failed.communicate(timeout=60)
    assert failed.returncode == 255  # awscli v1: a service error
    assert "(InvalidInputException) when calling the GetRecommendations operation: numResults=501" in err
    process.send_signal(signal.SIGTERM)
    _, log = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "anyone who can reach this address" in log
    assert '"POST /recommendations" GetRecommendations 200' in log
    assert log.rstrip().endswith("stopping")


def test_cli_serve_takes_data_or_demo_not_both_and_a_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        cli.main(["serve", "--demo", "--data", str(tmp_path)])
    assert "not allowed with argument" in capsys.readouterr().err
    assert cli.main(["serve", "--data", str(tmp_path / "missing")], backend_factory=lambda d, demo: None) == 2
    assert capsys.readouterr().err == (
        f"personalize-lab serve: --data {tmp_path / 'missing'}: not a folder; "
        "give the folder that holds interactions.csv\n"
    )


@pytest.mark.parametrize("port", ["99999", "-1"])
def test_cli_serve_refuses_a_port_that_is_not_one_in_a_line(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve", "--demo", "--port", port], backend_factory=lambda d, demo: None) == 2
    assert capsys.readouterr().err == (
        f"personalize-lab serve: --port {port}: not a TCP port; give a number from 1 to 65535\n"
    )


def test_cli_serve_names_a_port_in_use_and_a_foreign_host_before_loading(
    capsys: pytest.CaptureFixture[str],
) -> None:
    loaded: list[bool] = []
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        assert (
            cli.main(["serve", "--demo", "--port", port], backend_factory=lambda d, demo: loaded.append(True))
            == 2
        )
    assert capsys.readouterr().err == (
        f"personalize-lab serve: --port {port}: already in use; stop what uses it or pick another port\n"
    )
    assert (
        cli.main(
            ["serve", "--demo", "--host", "192.0.2.1"], backend_factory=lambda d, demo: loaded.append(True)
        )
        == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("personalize-lab serve: --host 192.0.2.1: cannot listen there (")
    assert err.count("\n") == 1
    assert not loaded  # named before seconds are spent loading a store


def test_cli_serve_prints_a_data_error_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "interactions.csv").write_text("USER_ID,ITEM_ID,TIMESTAMP\n")
    assert cli.main(["serve", "--data", str(tmp_path), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"personalize-lab serve: file {tmp_path / 'interactions.csv'}: ")
    assert "has no rows" in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_cli_serve_listens_on_ipv6_loopback(local: LocalPersonalize) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "from personalize_lab import cli; "
         "import sys; from tests.support.local_store import tiny_local; "
         f"sys.exit(cli.main(['serve', '--demo', '--host', '::1', '--port', '{port}'], "
         "backend_factory=lambda d, demo: tiny_local()))"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"},
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        _wait_for("::1", port, process)
        runtime = _client(f"http://[::1]:{port}", "personalize-runtime")
        assert runtime.get_recommendations(campaignArn=campaign("up"), userId="u01", numResults=2)["itemList"]
        process.send_signal(signal.SIGINT)
        _, log = process.communicate(timeout=10)
        assert process.returncode == 0
        assert f"local Personalize listening on http://[::1]:{port}" in log
        assert "Traceback" not in log
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
