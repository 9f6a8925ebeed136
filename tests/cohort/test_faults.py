"""Cohort runs under faults, injected through botocore's event hooks (tests/support/wire.py).

What the probe of issue 14 found, kept as tests: one failure of a variant's first request no longer decides
for the whole variant; dropped connections are retried like throttling; botocore's retries never run inside
the run's own, and the stats count what reached the wire; a checkpoint that cannot be written is refused
before the first request, and bad content in one names the file and the row.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.config import Config
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

import personalize_lab.errors as err
from personalize_lab.client import Lab
from personalize_lab.cohort.checkpoint import SCHEMA
from personalize_lab.cohort.wire import botocore_attempts
from personalize_lab.emulator import EmulatorOptions, LocalPersonalize
from tests.support.tiny_store import tiny_config, tiny_frames
from tests.support.wire import Failure, Wire, wired_lab

USERS = ["u00", "u01", "u02", "u03", "u04", "u05"]
URL = "https://personalize-runtime.us-east-1.amazonaws.com/recommendations"


@pytest.fixture(scope="module")
def local() -> LocalPersonalize:
    interactions, items, users = tiny_frames()
    return LocalPersonalize.from_frames(
        interactions, items, users, config=tiny_config(), options=EmulatorOptions(seed=7)
    )


def _quiet(**kw: Any) -> dict[str, Any]:
    return {"progress": False, "num_results": 5, "backoff": 0.001, **kw}


def _answered(frame: Any) -> set[tuple[str, str]]:
    return set(zip(frame["variant"], frame["userId"], strict=True))


def _connection_errors() -> list[Exception]:
    return [
        ConnectionClosedError(endpoint_url=URL),
        EndpointConnectionError(endpoint_url=URL),
        ReadTimeoutError(endpoint_url=URL),
        ConnectTimeoutError(endpoint_url=URL),
    ]


# --- a variant's first request no longer decides for the whole variant ---------------------------------


@pytest.mark.parametrize("error", _connection_errors(), ids=lambda e: type(e).__name__)
def test_a_dropped_connection_on_the_first_request_is_retried(
    local: LocalPersonalize, error: Exception
) -> None:
    dropped = []

    def fail(body: dict[str, Any], n: int) -> Exception | None:
        if n == 1:  # the variant's very first request: the connection drops once
            dropped.append(body["userId"])
            return error
        return None

    wire = Wire(fail)
    result = wired_lab(local, wire).recommend_many(USERS, variants={"A": {}, "B": {}}, **_quiet())
    assert dropped == ["u00"]
    assert result.errors.empty
    assert _answered(result.frame) == {(v, u) for v in "AB" for u in USERS}
    assert result.stats["calls"] == len(wire.sent) == 13
    assert result.stats["retries"] == 1
    assert result.stats["skipped"] == 0


def test_a_users_connection_errors_stay_that_users(local: LocalPersonalize) -> None:
    def fail(body: dict[str, Any], _: int) -> Exception | None:
        return ConnectionClosedError(endpoint_url=URL) if body["userId"] == "u00" else None

    wire = Wire(fail)
    with pytest.warns(err.PersonalizeLabWarning, match=r"ConnectionClosedError ×2"):
        result = wired_lab(local, wire).recommend_many(
            USERS, variants={"A": {}, "B": {}}, retries=2, **_quiet()
        )
    assert result.errors[["variant", "userId", "code", "attempts"]].to_dict("records") == [
        {"variant": v, "userId": "u00", "code": "ConnectionClosedError", "attempts": 3} for v in "AB"
    ]
    assert "Connection was closed" in result.errors["message"].iloc[0]
    assert _answered(result.frame) == {(v, u) for v in "AB" for u in USERS[1:]}
    assert wire.users().count("u00") == 6  # 3 attempts per variant: the run's retries, nothing more


def test_a_users_invalid_input_on_the_first_user_ends_no_variant(local: LocalPersonalize) -> None:
    def fail(body: dict[str, Any], _: int) -> tuple[int, str] | None:
        return (400, "InvalidInputException") if body["userId"] == "u00" else None

    wire = Wire(fail)
    with pytest.warns(err.PersonalizeLabWarning, match=r"InvalidInputException ×2"):
        result = wired_lab(local, wire).recommend_many(
            USERS, variants={"A": {}, "B": {"filter": "books"}}, **_quiet()
        )
    assert result.errors[["variant", "userId", "code", "attempts"]].to_dict("records") == [
        {"variant": v, "userId": "u00", "code": "InvalidInputException", "attempts": 1} for v in "AB"
    ]
    assert _answered(result.frame) == {(v, u) for v in "AB" for u in USERS[1:]}
    assert len(wire.sent) == 12
    assert result.stats["skipped"] == 0


def test_a_missing_filter_ends_its_variant_after_two_ids(local: LocalPersonalize) -> None:
    def fail(body: dict[str, Any], _: int) -> tuple[int, str] | None:
        return (404, "ResourceNotFoundException") if "filterArn" in body else None

    wire = Wire(fail)
    with pytest.warns(err.PersonalizeLabWarning, match=r"ResourceNotFoundException ×1"):
        result = wired_lab(local, wire).recommend_many(
            USERS, variants={"A": {}, "B": {"filter": "books"}}, **_quiet()
        )
    (row,) = result.errors.to_dict("records")
    assert (row["variant"], row["code"], row["attempts"]) == ("B", "ResourceNotFoundException", 1)
    assert "the same answer for 'u00' and 'u01', 4 other request(s) skipped" in row["message"]
    assert sum("filterArn" in b for b in wire.sent) == 2
    assert _answered(result.frame) == {("A", u) for u in USERS}
    assert (result.stats["sent"], result.stats["skipped"]) == (8, 4)


def test_a_failure_that_differs_between_ids_is_each_ids_own(local: LocalPersonalize) -> None:
    def fail(body: dict[str, Any], _: int) -> tuple[int, str] | None:
        if body["userId"] == "u00":
            return 400, "InvalidInputException"
        return (400, "ValidationException") if body["userId"] == "u01" else None

    with pytest.warns(err.PersonalizeLabWarning):
        result = wired_lab(local, Wire(fail)).recommend_many(USERS, **_quiet())
    assert result.errors["userId"].tolist() == ["u00", "u01"]
    assert _answered(result.frame) == {("default", u) for u in USERS[2:]}


# --- one retry layer, and stats that count what was sent --------------------------------------------------


def _always_throttled(body: dict[str, Any], _: int) -> tuple[int, str] | None:
    return (400, "ThrottlingException") if body["userId"] != "u05" else None


def test_a_lab_made_on_the_local_personalize_sends_cohorts_without_botocore_retries(
    local: LocalPersonalize,
) -> None:
    lab = Lab.local(local, campaign_arn=local.campaign_arns["up"])
    client = lab.connection.cohort_client
    assert client is not lab.client
    assert botocore_attempts(client) == 1
    assert botocore_attempts(lab.client) > 1  # single calls keep botocore's retries
    wire = Wire(_always_throttled)
    client.meta.events.register_first("before-send.personalize-runtime", wire)
    local.install(client)  # the local Personalize answers after the wire
    started = time.monotonic()
    with pytest.warns(err.PersonalizeLabWarning, match=r"ThrottlingException ×5"):
        result = lab.recommend_many(USERS, retries=4, **_quiet())
    assert time.monotonic() - started < 3.0
    assert len(wire.sent) == 5 * 5 + 1  # each throttled user: 1 + 4 retries, not 5 × botocore's 3
    assert result.stats["calls"] == len(wire.sent)
    assert result.stats["retries"] == 5 * 4
    assert result.errors["attempts"].tolist() == [5] * 5


def test_a_given_client_that_retries_itself_is_the_one_layer(local: LocalPersonalize) -> None:
    wire = Wire(_always_throttled)
    retrying = Config(retries={"mode": "standard", "total_max_attempts": 2})
    lab = wired_lab(local, wire, config=retrying)
    with pytest.warns(err.PersonalizeLabWarning, match=r"ThrottlingException ×5"):
        result = lab.recommend_many(USERS, retries=4, workers=5, **_quiet())
    assert len(wire.sent) == 5 * 2 + 1  # botocore's 2 attempts each; the run adds none on top
    assert result.stats["calls"] == len(wire.sent)
    assert result.stats["retries"] == 5
    assert result.errors["attempts"].tolist() == [2] * 5


def test_botocore_attempts_reads_the_clients_config(local: LocalPersonalize) -> None:
    def attempts(**retries: Any) -> int:
        return botocore_attempts(local.client("personalize-runtime", config=Config(retries=retries)))

    assert attempts(total_max_attempts=1) == 1
    assert attempts(max_attempts=0) == 1
    assert attempts(mode="legacy", max_attempts=4) == 5
    assert attempts(mode="standard") == 3


# --- the checkpoint ------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["under_a_file", "a_folder"])
def test_an_unwritable_checkpoint_is_refused_before_the_first_request(
    local: LocalPersonalize, tmp_path: Path, where: str
) -> None:
    (tmp_path / "notes.txt").write_text("a file")
    (tmp_path / "runs").mkdir()
    path = tmp_path / "notes.txt" / "run.parquet" if where == "under_a_file" else tmp_path / "runs"
    wire = Wire()
    with pytest.raises(err.ValidationError, match=r"Fix: pass a file") as info:
        wired_lab(local, wire).recommend_many(USERS, checkpoint=path, **_quiet())
    assert str(path) in str(info.value)
    assert info.value.field == "checkpoint"
    assert wire.sent == []


def _tamper(path: Path, row: int, response: str) -> None:
    table = pq.read_table(path).to_pylist()
    table[row - 1]["response"] = response
    pq.write_table(pa.Table.from_pylist(table, schema=SCHEMA), path)


@pytest.mark.parametrize(
    ("response", "problem"),
    [
        ('{"itemList": [{"itemId": "i1"', "not valid JSON"),
        ("[1, 2]", "a JSON list, not an object"),
        ('{"itemList": 5}', "itemList is a int, not a list"),
        ('{"itemList": [{"itemId": 7}]}', "itemList\\[0\\] is .*not an object with a string itemId"),
        ('{"itemList": [{"itemId": "i1", "score": "high"}]}', "itemList\\[0\\].score is 'high'"),
    ],
)
def test_bad_content_in_a_checkpoint_names_the_file_and_row(
    local: LocalPersonalize, tmp_path: Path, response: str, problem: str
) -> None:
    path = tmp_path / "run.parquet"
    wired_lab(local, Wire()).recommend_many(USERS, checkpoint=path, **_quiet())
    _tamper(path, 3, response)
    wire = Wire()
    with pytest.raises(err.DataError, match=rf"file {path}, row 3, column response: .*{problem}") as info:
        wired_lab(local, wire).recommend_many(USERS, checkpoint=path, **_quiet())
    assert "Fix: delete the file" in str(info.value)
    assert (info.value.file, info.value.row) == (str(path), 3)
    assert wire.sent == []


def test_a_checkpoint_that_stops_being_writable_warns_and_keeps_the_results(
    local: LocalPersonalize, tmp_path: Path
) -> None:
    folder = tmp_path / "runs"
    path = folder / "run.parquet"

    def pull_the_disk(p: Any) -> None:
        if p.done == 2:  # the folder disappears mid-run, and a file takes its name
            shutil.rmtree(folder)
            folder.write_text("")

    with pytest.warns(err.PersonalizeLabWarning, match=r"could not be written .*results"):
        result = wired_lab(local, Wire()).recommend_many(
            USERS, checkpoint=path, progress=pull_the_disk, num_results=5
        )
    assert _answered(result.frame) == {("default", u) for u in USERS}


def test_a_hook_that_raises_is_what_the_wire_counts(local: LocalPersonalize) -> None:
    """The count is botocore's own per-attempt event: a failure raised before any answer still counts."""
    fail: Failure = lambda body, n: EndpointConnectionError(endpoint_url=URL) if n <= 2 else None  # noqa: E731
    wire = Wire(fail)
    result = wired_lab(local, wire).recommend_many(USERS[:2], **_quiet())
    assert result.errors.empty
    assert result.stats["calls"] == len(wire.sent) == 4
    assert result.stats["retries"] == 2
