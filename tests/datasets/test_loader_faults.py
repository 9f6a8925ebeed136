"""Hostile and unlucky input to the CSV loaders (issue 14): every probe ends in a DataError that names the
file, the row or line, the column and the value, and memory stays bounded."""

from __future__ import annotations

import os
import shutil
import tracemalloc
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from personalize_lab.datasets import load_csv, load_dir, load_movielens
from personalize_lab.datasets.bounded import MAX_ROW_BYTES
from personalize_lab.emulator.engine import LocalPersonalize
from personalize_lab.errors import DataError
from tests.support.paths import GOLDEN

SHOP = GOLDEN / "datasets" / "shop"
HEADER = b"USER_ID,ITEM_ID,TIMESTAMP\n"


def folder_with(tmp_path: Path, interactions: bytes) -> Path:
    (tmp_path / "interactions.csv").write_bytes(interactions)
    return tmp_path


def test_header_only_interactions_are_refused_before_the_emulator(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, HEADER)
    with pytest.raises(DataError) as err:
        LocalPersonalize.from_csv(folder)
    assert err.value.file == str(folder / "interactions.csv")
    assert "interactions.csv has no rows; a dataset group needs at least 1 interaction" in str(err.value)


def test_interactions_whose_user_ids_are_all_empty_are_refused(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, HEADER + b",i1,1\n,i2,2\n")
    with pytest.raises(DataError) as err:
        LocalPersonalize.from_csv(folder)
    assert "all 2 rows were skipped: 2 skipped (USER_ID is empty)" in str(err.value)


def test_header_only_items_and_users_still_load_and_serve(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, HEADER + b"u1,i1,1\nu2,i2,2\n")
    (folder / "items.csv").write_text("ITEM_ID,GENRE\n")
    (folder / "users.csv").write_text("USER_ID,AGE\n")
    lab = LocalPersonalize.from_csv(folder)
    arn = next(iter(lab.campaign_arns.values()))
    assert {i["itemId"] for i in lab.get_recommendations(campaignArn=arn, userId="u1")["itemList"]} == {
        "i1",
        "i2",
    }


def test_a_huge_timestamp_is_reported_at_its_own_row_with_its_value(tmp_path: Path) -> None:
    path = tmp_path / "i.csv"
    path.write_bytes(HEADER + b"u1,i1,1\nu2,i2," + b"1" + b"0" * 29 + b"\nu3,i3,x\n")
    with pytest.raises(DataError) as err:
        load_csv(path)
    e = err.value
    assert (e.row, e.column, e.value, e.rule) == (
        2,
        "TIMESTAMP",
        10**29,
        "epoch seconds in a plausible range",
    )
    assert "between -9223372036 and 9223372036 (1677-09-21 to 2262-04-11" in str(e)


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (b"-99999999999", "epoch seconds in a plausible range"),
        (b"50000000000", "epoch seconds in a plausible range"),  # year 3554: neither seconds nor ms
        (b"1700000000123", "timestamp in milliseconds"),
        (b"1700000000123456", "epoch seconds in a plausible range"),  # microseconds
    ],
)
def test_implausible_timestamps_name_the_rule(tmp_path: Path, value: bytes, rule: str) -> None:
    path = tmp_path / "i.csv"
    path.write_bytes(HEADER + b"u1,i1,1\nu2,i2," + value + b"\n")
    with pytest.raises(DataError) as err:
        load_csv(path)
    assert (err.value.row, err.value.column, err.value.value, err.value.rule) == (
        2,
        "TIMESTAMP",
        int(value),
        rule,
    )


def test_milliseconds_beyond_the_plausible_range_are_refused_even_when_converted(tmp_path: Path) -> None:
    path = tmp_path / "i.csv"
    path.write_bytes(HEADER + b"u1,i1,1700000000000\nu2,i2,99999999999999999\n")
    with pytest.raises(DataError) as err:
        load_csv(path, timestamp_unit="ms")
    assert (err.value.row, err.value.value) == (2, 99999999999999)


def test_a_long_beyond_64_bits_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("ITEM_ID,STOCK\ni1,5\ni2,99999999999999999999\n")
    with pytest.raises(DataError) as err:
        load_csv(path, dataset_type="Items")
    assert (err.value.row, err.value.column, err.value.rule) == (2, "STOCK", "long out of range")


def test_non_utf8_bytes_name_the_row_column_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "i.csv"
    path.write_bytes(HEADER + b"u1,i1,1\nu2,i1,2\nu3,caf\xe9,3\nu\xff,i4,4\n")
    with pytest.raises(DataError) as err:
        load_csv(path)
    e = err.value
    assert (e.row, e.column, e.value, e.rule) == (3, "ITEM_ID", b"caf\xe9", "UTF-8")
    assert "byte 0xE9 at byte 3 of the value" in str(e)


def test_non_utf8_header_names_the_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "i.csv"
    path.write_bytes(b"USER_ID,ITEM\xe9_ID,TIMESTAMP\nu1,i1,1\n")
    with pytest.raises(
        DataError, match=r"the header line is not UTF-8: byte 0xE9 at byte offset 12 \(line 1\)"
    ):
        load_csv(path)


def test_latin1_files_load_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "i.csv"
    path.write_bytes(HEADER + b"u1,caf\xe9,1\n")
    assert load_csv(path, encoding="latin-1").frame["ITEM_ID"].tolist() == ["café"]


def test_interactions_csv_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "interactions.csv").mkdir()
    with pytest.raises(DataError, match=r"interactions.csv is a folder, not a file"):
        load_dir(tmp_path)


def test_a_schema_or_config_that_is_a_folder(tmp_path: Path) -> None:
    shutil.copy(SHOP / "interactions.csv", tmp_path)
    (tmp_path / "personalize-lab.json").mkdir()
    with pytest.raises(DataError, match=r"personalize-lab.json is a folder, not a config file"):
        load_dir(tmp_path)
    (tmp_path / "personalize-lab.json").rmdir()
    (tmp_path / "interactions.schema.json").mkdir()
    with pytest.raises(DataError, match=r"interactions.schema.json is a folder, not a schema file"):
        load_dir(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_instead_of_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "interactions.csv")
    with pytest.raises(DataError, match=r"is not a regular file"):
        load_dir(tmp_path)


def test_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "i.csv"
    path.write_bytes(HEADER + b"u1,i1,1\n")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who reads everything")
        with pytest.raises(DataError, match=r"cannot read .*Permission denied"):
            load_csv(path)
    finally:
        path.chmod(0o644)


def test_a_row_over_the_limit_is_refused_wherever_it_starts(tmp_path: Path) -> None:
    """Rows up to MAX_ROW_BYTES load; a row whose values hold more is refused at its row, whether or not
    pyarrow's 1 MiB blocks happen to let it through."""
    ok = tmp_path / "ok.csv"
    ok.write_bytes(HEADER + b"u1,i1,1\nu2," + b"i" * (MAX_ROW_BYTES - 20) + b",2\n")
    assert len(load_csv(ok).frame) == 2
    for lead in (0, 1000, 200_000):  # the last puts the long row in a later block
        big = tmp_path / f"big{lead}.csv"
        big.write_bytes(
            HEADER + b"u0,i0,0\n" * lead + b"u1,i1,1\nu2," + b"i" * (MAX_ROW_BYTES + 10) + b",2\n"
        )
        with pytest.raises(DataError) as err:
            load_csv(big)
        assert (err.value.row, err.value.rule) == (lead + 2, f"a row is at most {MAX_ROW_BYTES:,} bytes")


def test_a_file_without_line_breaks_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    """The probe: 1 GiB without a newline was read whole (MemoryError at 5.2 GB). 48 MiB here."""
    big = tmp_path / "interactions.csv"
    with big.open("wb") as fh:
        fh.write(HEADER + b"u1,i1,1\n")
        block = b"x" * (1 << 20)
        for _ in range(48):
            fh.write(block)
    pool = pa.default_memory_pool()
    before = pool.max_memory()
    tracemalloc.start()
    try:
        with pytest.raises(DataError) as err:
            load_csv(big)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.row == 2
    assert "line 3 (from byte offset 34) has more than 1,048,576 bytes" in str(err.value)
    assert peak < 8 * MAX_ROW_BYTES, f"Python peak {peak:,} bytes"
    assert pool.max_memory() - before < 16 * MAX_ROW_BYTES


def test_a_header_without_line_break_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "i.csv"
    path.write_bytes(b"USER_ID," * (MAX_ROW_BYTES // 4))
    with pytest.raises(DataError, match=r"the first line is longer than 1,048,576 bytes"):
        load_csv(path)


def test_movielens_without_ratings_or_with_bad_bytes(tmp_path: Path) -> None:
    (tmp_path / "ratings.csv").write_text("userId,movieId,rating,timestamp\n")
    with pytest.raises(DataError, match=r"ratings.csv has no ratings; a dataset group needs at least 1"):
        load_movielens(tmp_path)
    (tmp_path / "ratings.csv").write_bytes(b"userId,movieId,rating,timestamp\n1,2,3.5,4\n1\xff,3,4,5\n")
    with pytest.raises(DataError) as err:
        load_movielens(tmp_path)
    assert (err.value.row, err.value.column, err.value.rule) == (2, "userId", "UTF-8")


def test_frames_without_interactions_are_refused_before_the_emulator_sees_them() -> None:
    from personalize_lab.emulator import LocalPersonalize

    empty = pd.DataFrame({"USER_ID": [], "ITEM_ID": [], "TIMESTAMP": []})
    with pytest.raises(DataError, match="interactions frame has no rows; a dataset group needs at least 1"):
        LocalPersonalize.from_frames(empty)
