"""Batch-inference files: exact input lines, output into the frame contract, error lines kept, S3 via moto."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import boto3
import pandas as pd
import pytest
from moto import mock_aws

from personalize_lab.batch import read_batch_output, write_batch_input
from personalize_lab.errors import DataError, PersonalizeLabWarning, ValidationError

GOLDEN = Path(__file__).parent / "golden" / "client"


def test_write_users_items_and_item_lists(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    assert write_batch_input(path, users=["4638", 7]) == 2
    assert path.read_text() == '{"userId":"4638"}\n{"userId":"7"}\n'
    write_batch_input(path, items=["105"], filter_values={"GENRES": ["horror", "comedy"]})
    assert json.loads(path.read_text()) == {"itemId": "105", "filterValues": {"GENRES": '"horror","comedy"'}}
    write_batch_input(path, item_lists={"891": ["27", "886", "101"]})
    assert path.read_text() == '{"userId":"891","itemList":["27","886","101"]}\n'


def test_write_needs_exactly_one_kind(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        write_batch_input(tmp_path / "x", users=["1"], items=["2"])
    assert str(info.value) == (
        "write_batch_input got ['users', 'items'] of users/items/item_lists; a file holds exactly one "
        "kind of line. Fix: pass users=... (User-Personalization), items=... (related items) or "
        "item_lists=... (Personalized-Ranking)"
    )
    with pytest.raises(ValidationError, match=r"userId=None must be a non-empty string ID"):
        write_batch_input(tmp_path / "x", users=[None])


def test_read_output_into_the_frame_contract() -> None:
    frame, errors = read_batch_output(GOLDEN / "batch_output.json.out", errors="frame")
    assert list(frame.columns) == [
        "userId",
        "seedItemId",
        "rank",
        "itemId",
        "score",
        "promotionName",
        "reason",
        "recommendationId",
    ]
    assert {c: str(t) for c, t in frame.dtypes.items()} == {
        "userId": "string",
        "seedItemId": "string",
        "rank": "Int64",
        "itemId": "string",
        "score": "Float64",
        "promotionName": "string",
        "reason": "object",
        "recommendationId": "string",
    }
    assert frame["userId"].tolist() == ["4638"] * 3 + ["891"] * 3 + [pd.NA] * 2
    assert frame["seedItemId"].tolist() == [pd.NA] * 6 + ["105"] * 2
    assert frame["rank"].tolist() == [1, 2, 3, 1, 2, 3, 1, 2]
    assert frame["itemId"].tolist() == ["27", "886", "101", "886", "27", "101", "106", "107"]
    assert frame["score"].tolist() == [0.0132, 0.0121, 0.0087, 0.5, 0.3, 0.2, pd.NA, pd.NA]
    assert frame["reason"].tolist() == [()] * 8
    assert frame.attrs["source"] == "batch"
    assert errors["file"].tolist() == [str(GOLDEN / "batch_output.json.out")]
    assert errors["line"].tolist() == [2]
    assert errors["userId"].tolist() == ["663"]
    assert errors["seedItemId"].isna().tolist() == [True]
    assert errors["error"].tolist() == ["User error: Required fields for the provided recipe are userId"]
    assert errors["raw"].isna().tolist() == [True]


def test_default_warns_and_raise_raises() -> None:
    with pytest.warns(PersonalizeLabWarning, match=r"line 2: 1 error line\(s\) kept out of the frame"):
        frame = read_batch_output(GOLDEN / "batch_output.json.out")
    assert frame.attrs["error_count"] == 1
    with pytest.raises(DataError) as info:
        read_batch_output(GOLDEN / "batch_output.json.out", errors="raise")
    assert str(info.value).endswith(
        "row 2, column error: batch output error: User error: Required fields for the provided recipe are "
        "userId. Fix: read_batch_output(..., errors='frame') returns every error line"
    )


@pytest.mark.parametrize("chunksize", [40, 2**20])
def test_messy_file_keeps_every_line_whatever_the_chunking(chunksize: int) -> None:
    frame, errors = read_batch_output(
        GOLDEN / "batch_output_messy.json.out", chunksize=chunksize, errors="frame"
    )
    assert frame["userId"].tolist() == ["1", "2", "2", "4"]
    assert frame["itemId"].tolist() == ["a", "b", "c", "d"]
    assert frame["score"].tolist() == [0.9, pd.NA, pd.NA, 0.1]
    assert errors["line"].tolist() == [4]
    assert errors["raw"].tolist() == ['{"input":{"userId":"3"},"output":']
    assert errors["error"].iloc[0].startswith("malformed line: ")


def test_s3_round_trip_with_moto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bucket")
        assert write_batch_input("s3://bucket/in/users.json", users=["1", "2"], s3_client=s3) == 2
        body = s3.get_object(Bucket="bucket", Key="in/users.json")["Body"].read()
        assert body == b'{"userId":"1"}\n{"userId":"2"}\n'
        local = tmp_path / "out.json.out"
        shutil.copy(GOLDEN / "batch_output.json.out", local)
        s3.upload_file(str(local), "bucket", "out/users.json.out")
        from_s3, errors = read_batch_output(
            "s3://bucket/out/users.json.out", errors="frame", s3_client=s3, chunksize=64
        )
        from_disk, disk_errors = read_batch_output(local, errors="frame")
        from_s3.attrs.clear()
        from_disk.attrs.clear()
        pd.testing.assert_frame_equal(from_s3, from_disk)
        assert errors["line"].tolist() == disk_errors["line"].tolist() == [2]
        s3.upload_file(str(local), "bucket", "out/more.json.out")
        s3.put_object(Bucket="bucket", Key="out/_SUCCESS", Body=b"")
        both, both_errors = read_batch_output("s3://bucket/out/", errors="frame", s3_client=s3)
        assert len(both) == 2 * len(from_disk)
        assert both_errors["file"].tolist() == [
            "s3://bucket/out/more.json.out",
            "s3://bucket/out/users.json.out",
        ]


def test_a_job_output_folder_reads_every_out_file(tmp_path: Path) -> None:
    shutil.copy(GOLDEN / "batch_output.json.out", tmp_path / "a.json.out")
    shutil.copy(GOLDEN / "batch_output_messy.json.out", tmp_path / "b.json.out")
    (tmp_path / "_SUCCESS").write_text("")
    frame, errors = read_batch_output(tmp_path, errors="frame")
    assert len(frame) == 8 + 4
    assert errors[["file", "line"]].values.tolist() == [
        [str(tmp_path / "a.json.out"), 2],
        [str(tmp_path / "b.json.out"), 4],
    ]
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValidationError) as info:
        read_batch_output(tmp_path / "empty")
    assert str(info.value) == (
        f"path={str(tmp_path / 'empty')!r} holds no *.out files. Fix: point at a batch inference job's "
        "output folder or at one of its .out files"
    )


def test_blocks_read_alike_with_uneven_lines(tmp_path: Path) -> None:
    """Block by block or in one go, the frame is the same: ranks restart per line, lines without items
    or with misaligned scores keep their rows' scores <NA>, error lines keep their file line numbers."""
    lines = [
        {
            "input": {"userId": "u1"},
            "output": {"recommendedItems": ["a", "b", "c"], "scores": [0.3, 0.2, 0.1]},
        },
        {"input": {"userId": "u2"}, "output": {"recommendedItems": []}, "error": "User error: bad"},
        {"input": {"userId": "u3"}, "output": {"recommendedItems": ["d", "e"], "scores": [0.5]}},
        {"input": {"itemId": "i9"}, "output": {"recommendedItems": ["f"]}},
        {"input": {"userId": "u4"}, "output": {"recommendedItems": ["g", "h"], "scores": [0.9, 0.8]}},
    ]
    path = tmp_path / "in.json.out"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    whole, whole_errors = read_batch_output(path, errors="frame")
    small, small_errors = read_batch_output(path, errors="frame", chunksize=40)
    pd.testing.assert_frame_equal(whole, small)
    pd.testing.assert_frame_equal(whole_errors, small_errors)
    assert whole["rank"].tolist() == [1, 2, 3, 1, 2, 1, 1, 2]
    assert whole["itemId"].tolist() == list("abcdefgh")
    assert whole["score"].isna().tolist() == [False] * 3 + [True] * 3 + [False] * 2
    assert whole["seedItemId"].tolist() == [pd.NA] * 5 + ["i9"] + [pd.NA] * 2
    assert whole_errors["line"].tolist() == [2]
