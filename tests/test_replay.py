"""Record a session through the botocore seam, then replay it offline: same frames, same errors."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import personalize_lab.errors as err
from personalize_lab.client import Lab
from tests.support.fake_service import CAMPAIGN, FakeService


def test_record_then_replay_identically(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    service = FakeService(
        runtime_answer={
            "itemList": [{"itemId": "i1", "score": 0.5}, {"itemId": "i2"}],
            "recommendationId": "R",
        }
    )
    runtime, control = service.clients()
    live = Lab(CAMPAIGN, client=runtime, control_client=control, record=path)
    recorded = live.recommend("u1", num_results=2)
    service.error = (400, "InvalidInputException", "bad user")
    with pytest.raises(err.InvalidInputError):
        live.recommend("u2", num_results=2)

    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(e["service"], e["operation"]) for e in lines] == [
        ("personalize", "DescribeCampaign"),
        ("personalize", "DescribeSolutionVersion"),
        ("personalize", "DescribeRecipe"),
        ("personalize-runtime", "GetRecommendations"),
        ("personalize-runtime", "GetRecommendations"),
    ]
    assert lines[3]["request"] == {"campaignArn": CAMPAIGN, "userId": "u1", "numResults": 2}
    assert lines[4]["status"] == 400

    offline = Lab.replay(path)
    assert offline.campaign_arn == CAMPAIGN
    again = offline.recommend("u1", num_results=2)
    assert again.attrs["source"] == "replay"
    pd.testing.assert_frame_equal(again, recorded, check_flags=False)
    assert offline.describe()["recipeArn"] == live.describe()["recipeArn"]
    with pytest.raises(err.InvalidInputError) as info:
        offline.recommend("u2", num_results=2)
    assert str(info.value) == "GetRecommendations: InvalidInputException: bad user"


def test_replay_miss_names_the_nearest_requests(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    runtime, control = FakeService().clients()
    live = Lab(CAMPAIGN, client=runtime, control_client=control, record=path)
    live.recommend("u1", num_results=2)
    live.recommend("u1", num_results=3)
    offline = Lab.replay(path)
    with pytest.raises(err.ReplayMissError) as info:
        offline.recommend("u1", num_results=4)
    text = str(info.value)
    first_line = text.splitlines()[0]
    assert first_line == (
        'request ["GetRecommendations",{"campaignArn":"'
        + CAMPAIGN
        + '","numResults":4,"userId":"u1"}] is not in the recording '
        + f"{path} (exact match on the canonical request). Nearest recorded requests:"
    )
    nearest = text.splitlines()[1:4]
    assert all('["GetRecommendations",' in line for line in nearest[:2])
    assert text.endswith("Fix: send exactly a recorded request, or record again with pl.Lab(..., record=...)")


# --- damaged recordings (issue 14) ---------------------------------------------------------------------


def _recording(tmp_path: Path) -> Path:
    path = tmp_path / "calls.jsonl"
    runtime, control = FakeService().clients()
    live = Lab(CAMPAIGN, client=runtime, control_client=control, record=path)
    live.recommend("u1", num_results=2)
    live.recommend("u2", num_results=2)
    return path


def test_a_torn_last_line_is_skipped_with_a_warning(tmp_path: Path) -> None:
    path = _recording(tmp_path)
    whole = path.read_text()
    last = whole.splitlines()[-1]
    path.write_text(whole + last[: len(last) // 2])  # killed mid-write: half a line, no newline
    with pytest.warns(err.PersonalizeLabWarning, match=r"line 6: the last line is incomplete"):
        offline = Lab.replay(path)
    assert offline.recommend("u2", num_results=2)["itemId"].tolist() == ["i0", "i1"]


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _write(path: Path, entries: list[Any]) -> None:
    path.write_text("".join(json.dumps(e) + "\n" for e in entries))


def _set(member: str, value: Any) -> Callable[[dict[str, Any]], Any]:
    def change(entry: dict[str, Any]) -> Any:
        entry[member] = value
        return entry

    return change


def _drop(member: str) -> Callable[[dict[str, Any]], Any]:
    def change(entry: dict[str, Any]) -> Any:
        del entry[member]
        return entry

    return change


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (_drop("operation"), "'operation' is null, not a str"),
        (_set("request", ["u1"]), "'request' is \\[\"u1\"\\], not a dict"),
        (_set("status", "200"), "'status' is \"200\", not a int"),
        (_set("status", 42), "'status' is 42, not an HTTP status"),
        (_set("headers", {"content-type": 1}), "header 'content-type' is not a string"),
        (_set("body", {"itemList": []}), "'body' is .*not a str"),
        (_set("region", "us east 1!"), "'region' is \"us east 1!\", not an AWS region name"),
        (lambda entry: [entry], "a JSON list, not an object"),
    ],
)
def test_a_tampered_line_names_the_file_and_line(
    tmp_path: Path, change: Callable[[dict[str, Any]], Any], problem: str
) -> None:
    path = _recording(tmp_path)
    entries: list[Any] = _lines(path)
    entries[1] = change(entries[1])
    _write(path, entries)
    with pytest.raises(err.ReplayError, match=rf"recording {path}, line 2: not a recorded call: {problem}"):
        Lab.replay(path)


def test_a_broken_line_that_is_not_the_last_is_an_error(tmp_path: Path) -> None:
    path = _recording(tmp_path)
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = lines[2][:30] + "\n"
    path.write_text("".join(lines))
    with pytest.raises(err.ReplayError, match=rf"recording {path}, line 3: not a JSON line") as info:
        Lab.replay(path)
    assert (info.value.file, info.value.line) == (str(path), 3)
    # cut short but ended by a newline: not a torn write, so not skipped either
    path.write_text("".join(lines[:2]) + lines[3][:30] + "\n")
    with pytest.raises(err.ReplayError, match=r"line 3: not a JSON line"):
        Lab.replay(path)


def test_bytes_that_are_not_utf8_name_their_line(tmp_path: Path) -> None:
    path = _recording(tmp_path)
    data = path.read_bytes().split(b"\n")
    data[3] = data[3].replace(b"u1", b"u\xff")
    path.write_bytes(b"\n".join(data))
    with pytest.raises(err.ReplayError, match=r"line 4: bytes that are not UTF-8"):
        Lab.replay(path)
    with pytest.raises(err.ReplayError, match=r"cannot be read .*Fix: pass the path"):
        Lab.replay(tmp_path / "missing.jsonl")


def test_misses_are_indexed_and_still_name_the_nearest(tmp_path: Path) -> None:
    path = _recording(tmp_path)
    entries = _lines(path)
    answer = entries[3]
    for k in range(3_000):  # a 3,000-call cohort recording: one GetRecommendations per user
        entries.append({**answer, "request": {**answer["request"], "userId": f"user{k}"}})
    _write(path, entries)
    offline = Lab.replay(path)
    started = time.perf_counter()
    for k in range(100):
        with pytest.raises(err.ReplayMissError) as info:
            offline.recommend(f"stranger{k}", num_results=2)
    assert time.perf_counter() - started < 1.0
    nearest = str(info.value).splitlines()[1:4]
    assert all(line.endswith("(differs in userId)") for line in nearest)
    with pytest.raises(err.ReplayMissError) as info:
        offline.recommend("user7", num_results=3)
    first = str(info.value).splitlines()[1]
    assert '"userId":"user7"' in first
    assert first.endswith("(differs in numResults)")
