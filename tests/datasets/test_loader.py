"""Loading Personalize CSV files and data folders: typed frames, skipped-row reports, precise errors."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from personalize_lab.datasets import (
    LoadReport,
    PersonalizeData,
    Schema,
    SkippedRows,
    load_csv,
    load_dir,
    load_schema,
    write_dir,
)
from personalize_lab.errors import DataError
from tests.support.paths import GOLDEN

SHOP = GOLDEN / "datasets" / "shop"
ITEMS_HEADER = "ITEM_ID,TITLE,GENRES,PRICE,ON_SALE,CREATION_TIMESTAMP\n"


@pytest.fixture(scope="module")
def shop() -> PersonalizeData:
    return load_dir(SHOP)


def test_golden_folder_loads_typed_frames(shop: PersonalizeData) -> None:
    i = shop.interactions
    assert i["USER_ID"].tolist() == ["u1", "u1", "u2", "u3"]
    assert i["ITEM_ID"].tolist() == ["i1", "i2", "i1", "i3"]
    assert i["TIMESTAMP"].tolist() == [1700000000, 1700000060, 1700000180, 1700000300]
    assert i["EVENT_VALUE"].fillna(-1).tolist() == [-1, 19.99, -1, 5.5]
    assert i["DEVICE"].fillna("<none>").tolist() == ["mobile", "mobile", "desktop", "<none>"]
    assert i.dtypes.astype(str).to_dict() == {
        "USER_ID": "str",
        "ITEM_ID": "str",
        "TIMESTAMP": "int64",
        "EVENT_TYPE": "str",
        "EVENT_VALUE": "float64",
        "DEVICE": "str",
    }
    assert shop.items is not None
    assert shop.users is not None
    assert shop.items["TITLE"].tolist() == ['Trail Shoe, "Pro"', "Rain Jacket", "Sock Pack"]
    assert shop.items["ON_SALE"].tolist() == ["true", "false", "true"]  # booleans stay Personalize strings
    assert shop.items["PRICE"].tolist() == [89.5, 120.0, 7.25]
    assert shop.users["AGE"].dtype == "Int64"  # inferred nullable long: u3 has no age
    assert shop.users["AGE"].isna().tolist() == [False, False, True]


def test_skipped_rows_are_counted_with_rule_and_row_numbers(shop: PersonalizeData) -> None:
    file = str(SHOP / "interactions.csv")
    assert shop.report.skipped == (
        SkippedRows(file, "USER_ID is empty", 1, (3,)),
        SkippedRows(file, "ITEM_ID is empty", 1, (5,)),
    )
    assert shop.report.rows_read[file] == 6
    assert shop.report.rows_skipped == 2
    assert "users.csv: no users.schema.json, schema inferred" in shop.report.notes
    assert f"skipped 1 row of {file} (USER_ID is empty); first rows 3" in str(shop.report)


def test_helpers_for_widgets_and_filters(shop: PersonalizeData) -> None:
    assert shop.categorical_values("Items", "GENRES") == ["apparel", "outdoor", "shoes"]
    assert shop.categorical_values("interactions", "DEVICE") == ["desktop", "mobile"]
    assert shop.field_names("Users") == ["USER_ID", "AGE", "MEMBERSHIP"]
    summary = shop.summary()
    assert summary.loc["Interactions", "rows"] == 4
    assert summary.loc["Interactions", "users"] == 3
    assert summary.loc["Interactions", "event types"] == "Purchase, View"
    assert summary.loc["Items", "first"] == pd.Timestamp("2023-07-22 04:26:40")
    with pytest.raises(DataError, match=r"Items has no field 'COLOR'; fields are ITEM_ID, TITLE, GENRES"):
        shop.categorical_values("Items", "COLOR")


def test_config_comes_with_the_folder(shop: PersonalizeData) -> None:
    assert shop.config is not None
    assert shop.config.region == "eu-west-1"
    assert [c.name for c in shop.config.campaigns] == ["main", "similar"]


def test_round_trip_through_write_dir_is_exact(shop: PersonalizeData, tmp_path: Path) -> None:
    again = load_dir(write_dir(shop, tmp_path / "copy"))
    for name in ("Interactions", "Items", "Users"):
        pd.testing.assert_frame_equal(again.frame(name), shop.frame(name))
        assert again.schemas[name] == shop.schemas[name]
    assert again.config == shop.config
    assert (tmp_path / "copy" / "items.csv").read_text().splitlines()[1] == (
        'i1,"Trail Shoe, \\"Pro\\"",shoes|outdoor,89.5,true,1690000000'
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "data.csv"
    path.write_text(text)
    return path


ITEMS_SCHEMA = load_schema(SHOP / "items.schema.json")
INTERACTIONS_SCHEMA = load_schema(SHOP / "interactions.schema.json")


@pytest.mark.parametrize(
    ("text", "schema", "dataset_type", "message", "where"),
    [
        (
            "ITEM_ID,TIMESTAMP\ni1,1\n",
            None,
            "Interactions",
            "missing required column USER_ID; the header is ITEM_ID,TIMESTAMP. Fix: add a USER_ID column "
            "(Interactions requires USER_ID, ITEM_ID, TIMESTAMP)",
            (None, "USER_ID", None, "missing required column"),
        ),
        (
            "USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1700000000\nu2,i2,yesterday\n",
            None,
            "Interactions",
            "TIMESTAMP='yesterday' is not an integer (schema type 'long'). Fix: epoch seconds as a "
            "whole number",
            (2, "TIMESTAMP", "yesterday", "non-numeric TIMESTAMP"),
        ),
        (
            "USER_ID,TIMESTAMP,ITEM_ID,EVENT_TYPE,EVENT_VALUE,DEVICE\n",
            INTERACTIONS_SCHEMA,
            "Interactions",
            "header does not match the schema: column 2 is TIMESTAMP but schema field 2 is ITEM_ID. "
            "Fix: make the "
            "header exactly USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE",
            (None, "TIMESTAMP", None, "header must match the schema order"),
        ),
        (
            "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE\n",
            INTERACTIONS_SCHEMA,
            "Interactions",
            "header does not match the schema: the schema field DEVICE has no column. Fix: make the header "
            "exactly USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE",
            (None, "DEVICE", None, "header must match the schema order"),
        ),
        (
            ITEMS_HEADER + "i1,a,b,1,true,1\ni2,a,b,1,True,1\n",
            ITEMS_SCHEMA,
            "Items",
            "ON_SALE='True' is not a boolean; Personalize booleans are lower-case true or false. "
            "Fix: write true "
            "or false in lower case",
            (2, "ON_SALE", "True", "boolean not lower-case"),
        ),
        (
            ITEMS_HEADER + "i1,a,b,cheap,true,1\n",
            ITEMS_SCHEMA,
            "Items",
            "PRICE='cheap' is not a number (schema type 'float'). Fix: write a number or change the "
            "schema type",
            (1, "PRICE", "cheap", "not a number"),
        ),
        (
            ITEMS_HEADER + "i1,a,,1,true,1\n",
            ITEMS_SCHEMA,
            "Items",
            "GENRES is empty but the schema type 'string' is not nullable. Fix: declare the field as "
            '["null", '
            '"string"] or fill the value',
            (1, "GENRES", "", "not nullable"),
        ),
        (
            "USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1700000000\nu2,i2,1700000000123\n",
            None,
            "Interactions",
            "TIMESTAMP=1700000000123 looks like epoch milliseconds (as milliseconds it is 2023-11-14 "
            "22:13:20); "
            "Personalize expects epoch seconds. Fix: divide the column by 1000, or pass "
            "timestamp_unit='ms' to "
            "convert while loading",
            (2, "TIMESTAMP", 1700000000123, "timestamp in milliseconds"),
        ),
        (
            "USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1\nu1,i1,1,extra\n",
            None,
            "Interactions",
            "4 values but the header has 3 columns: 'u1,i1,1,extra'. Fix: quote values that contain "
            "commas, and "
            'escape quotes inside them as \\"',
            (2, None, None, "CSV syntax"),
        ),
    ],
)
def test_bad_data_names_file_row_column_value_and_rule(
    tmp_path: Path,
    text: str,
    schema: Schema | None,
    dataset_type: str,
    message: str,
    where: tuple[int | None, str | None, object, str],
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataError) as err:
        load_csv(path, schema, dataset_type)
    e = err.value
    prefix = ", ".join(
        p
        for p in (
            f"file {path}",
            f"row {where[0]}" if where[0] else "",
            f"column {where[1]}" if where[1] else "",
        )
        if p
    )
    assert str(e) == f"{prefix}: {message}"
    assert (e.row, e.column, e.value, e.rule) == where


def test_milliseconds_convert_only_when_asked(tmp_path: Path) -> None:
    loaded = load_csv(
        write(tmp_path, "USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1700000000123\n"), timestamp_unit="ms"
    )
    assert loaded.frame["TIMESTAMP"].tolist() == [1700000000]
    assert loaded.report.notes == (
        "TIMESTAMP: converted epoch milliseconds to seconds (timestamp_unit='ms')",
    )


def test_duplicate_item_rows_keep_the_later_one_and_are_reported(tmp_path: Path) -> None:
    path = write(tmp_path, ITEMS_HEADER + "i1,a,x,1,true,1\ni2,b,y,2,true,1\ni1,c,z,3,false,1\n")
    loaded = load_csv(path, ITEMS_SCHEMA)
    assert loaded.frame["ITEM_ID"].tolist() == ["i2", "i1"]
    assert loaded.frame["TITLE"].tolist() == ["b", "c"]
    assert loaded.report.skipped == (
        SkippedRows(str(path), "duplicate ITEM_ID (a later row replaces it)", 1, (1,)),
    )


def test_a_row_with_several_empty_required_fields_is_counted_once(tmp_path: Path) -> None:
    loaded = load_csv(write(tmp_path, "USER_ID,ITEM_ID,TIMESTAMP\n,,1\nu1,i1,2\n"))
    assert loaded.report.rows_skipped == 1
    assert loaded.frame["USER_ID"].tolist() == ["u1"]


def test_folder_without_interactions_says_what_it_holds(tmp_path: Path) -> None:
    (tmp_path / "items.csv").write_text("ITEM_ID,A\ni1,x\n")
    with pytest.raises(DataError) as err:
        load_dir(tmp_path)
    assert str(err.value) == (
        f"file {tmp_path / 'interactions.csv'}: no interactions.csv in {tmp_path} (it holds items.csv). "
        "Fix: add interactions.csv (items.csv, users.csv and *.schema.json are optional)"
    )


def test_schema_file_errors_name_the_schema_file(tmp_path: Path) -> None:
    shutil.copy(SHOP / "interactions.csv", tmp_path)
    (tmp_path / "interactions.schema.json").write_text(
        '{"type": "record", "name": "Interactions", "fields": []}'
    )
    with pytest.raises(
        DataError, match=r"interactions.schema.json: schema needs a non-empty \"fields\" list"
    ):
        load_dir(tmp_path)


def test_report_frame_lists_rules() -> None:
    report = LoadReport({"a.csv": 3}, (SkippedRows("a.csv", "USER_ID is empty", 2, (1, 3)),))
    assert report.to_frame().to_dict("records") == [
        {"file": "a.csv", "rule": "USER_ID is empty", "count": 2, "first rows": [1, 3]}
    ]
    assert math.isclose(report.rows_skipped, 2)


def test_header_only_file_gives_an_empty_typed_frame(tmp_path: Path) -> None:
    loaded = load_csv(write(tmp_path, "USER_ID,ITEM_ID,TIMESTAMP"))
    assert list(loaded.frame.columns) == ["USER_ID", "ITEM_ID", "TIMESTAMP"]
    assert len(loaded.frame) == 0
    assert loaded.frame["TIMESTAMP"].dtype == "int64"


def test_byte_order_mark_and_windows_line_ends_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfUSER_ID,ITEM_ID,TIMESTAMP\r\nu1,i1,5\r\n")
    assert load_csv(path).frame.to_dict("list") == {"USER_ID": ["u1"], "ITEM_ID": ["i1"], "TIMESTAMP": [5]}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    titles=st.lists(
        st.text(alphabet=st.sampled_from('ab ,"\\|\n\r\té;'), min_size=1, max_size=12), min_size=1, max_size=6
    )
)
def test_any_text_round_trips_through_the_csv_escaping(tmp_path: Path, titles: list[str]) -> None:
    items = pd.DataFrame(
        {"ITEM_ID": [f"i{n}" for n in range(len(titles))], "TITLE": pd.array(titles, dtype="str")}
    )
    interactions = pd.DataFrame(
        {"USER_ID": ["u"], "ITEM_ID": ["i0"], "TIMESTAMP": np.array([1], dtype=np.int64)}
    )
    data = PersonalizeData(interactions.astype({"USER_ID": "str", "ITEM_ID": "str"}), items)
    again = load_dir(write_dir(data, tmp_path / "rt"))
    assert again.items is not None
    assert again.items["TITLE"].tolist() == titles


def test_hand_built_data_must_match_its_schemas(shop: PersonalizeData) -> None:
    with pytest.raises(DataError) as err:
        PersonalizeData(
            shop.interactions.drop(columns=["DEVICE"]), schemas={"Interactions": INTERACTIONS_SCHEMA}
        )
    assert str(err.value) == (
        "column DEVICE: Interactions frame does not match its schema: missing ['DEVICE'], not in the schema "
        "nothing. Fix: rename the columns or pass a schema that lists them (infer_schema(frame, dataset))"
    )


def test_nullable_long_keeps_large_values_exact(tmp_path: Path) -> None:
    loaded = load_csv(write(tmp_path, "USER_ID,BIG\nu1,9007199254740993\nu2,\n"), dataset_type="Users")
    assert loaded.frame["BIG"].dtype == "Int64"
    assert loaded.frame["BIG"].tolist()[0] == 9007199254740993
    assert loaded.frame["BIG"].isna().tolist() == [False, True]
