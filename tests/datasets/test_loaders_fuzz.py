"""Fuzzing the loaders (issue 14): whatever bytes or JSON a folder holds, only a DataError (or a load)
comes out. The bounded-memory probe (48 MiB without a line break) is in test_loader_faults.py."""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from personalize_lab.datasets import load_config, load_csv, load_dir, load_movielens, load_schema
from personalize_lab.errors import DataError

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

TOKENS = [
    "USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE", "GENRES", "PRICE", "u1", "i1", ",", ",",
    "\n", "\n", "\r\n", "\r", '"', '\\"', "\\", "|", " ", "1", "-", "0", "1.5", "nan", "true", "1700000000",
    "1700000000123", "9" * 25, "\ufeff", "é", "\x00", "",
]  # fmt: skip
csv_text = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)
csv_bytes = st.one_of(
    st.binary(max_size=300),
    csv_text.map(lambda t: t.encode("utf-8")),
    st.tuples(csv_text, st.binary(max_size=4), csv_text).map(lambda p: p[0].encode() + p[1] + p[2].encode()),
    csv_text.map(lambda t: ("USER_ID,ITEM_ID,TIMESTAMP\n" + t).encode("utf-8")),
    csv_text.map(lambda t: ("ITEM_ID,GENRES,PRICE\n" + t).encode("utf-8")),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
config_keys = st.sampled_from(
    ["region", "account", "datasetGroup", "campaigns", "recommenders", "filters", "eventTrackers", "name",
     "recipe", "campaignConfig", "recommenderConfig", "itemExplorationConfig", "explorationWeight",
     "explorationItemAgeCutOff", "expression", "enableMetadataWithRecommendations"]
)  # fmt: skip
schema_keys = st.sampled_from(
    ["type", "name", "namespace", "fields", "version", "categorical", "textual", "record", "Interactions"]
)
leaf = st.sampled_from(
    ["aws-sims", "sims", "x", "0.3", "2", "-1", "INCLUDE ItemID WHERE Items.A IN ($A)", "EXCLUDE", "us-east-1",
     "123456789012", "c1", "string", "long", ["null", "string"], True, 7, None, "record", "USER_ID"]
)  # fmt: skip


def shaped(keys: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    """JSON that looks like the real document (its keys) with wrong values in places."""
    return st.recursive(
        leaf,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=5),
        max_leaves=25,
    )


@pytest.fixture
def folder() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="fuzz-"))
    yield path
    shutil.rmtree(path)


def only_data_errors(load: Callable[[], Any]) -> None:
    with contextlib.suppress(DataError):
        load()


@FUZZ
@given(data=csv_bytes, dataset=st.sampled_from(["Interactions", "Items", "Users"]))
def test_any_csv_bytes_give_a_frame_or_a_data_error(folder: Path, data: bytes, dataset: str) -> None:
    path = folder / "data.csv"
    path.write_bytes(data)
    only_data_errors(lambda: load_csv(path, dataset_type=dataset))


@FUZZ
@given(interactions=csv_bytes, items=st.none() | csv_bytes, schema=st.none() | shaped(schema_keys))
def test_any_folder_gives_data_or_a_data_error(
    folder: Path, interactions: bytes, items: bytes | None, schema: Any
) -> None:
    (folder / "interactions.csv").write_bytes(interactions)
    for name in ("items.csv", "interactions.schema.json"):
        (folder / name).unlink(missing_ok=True)
    if items is not None:
        (folder / "items.csv").write_bytes(items)
    if schema is not None:
        (folder / "interactions.schema.json").write_text(json.dumps(schema))
    only_data_errors(lambda: load_dir(folder))


@FUZZ
@given(doc=st.one_of(json_values, shaped(config_keys), shaped(schema_keys)))
def test_any_json_gives_a_config_or_schema_or_a_data_error(folder: Path, doc: Any) -> None:
    path = folder / "x.json"
    path.write_text(json.dumps(doc))
    only_data_errors(lambda: load_config(path))
    only_data_errors(lambda: load_schema(path))
    only_data_errors(lambda: load_schema(path, "Items"))


@FUZZ
@given(data=st.binary(max_size=200) | csv_text.map(str.encode))
def test_any_json_bytes_give_a_data_error(folder: Path, data: bytes) -> None:
    path = folder / "x.json"
    path.write_bytes(data)
    only_data_errors(lambda: load_config(path))
    only_data_errors(lambda: load_schema(path))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=csv_bytes, latest=st.booleans())
def test_any_movielens_bytes_give_data_or_a_data_error(folder: Path, data: bytes, latest: bool) -> None:
    for name in ("ratings.csv", "u.data"):
        (folder / name).unlink(missing_ok=True)
    if latest:
        (folder / "ratings.csv").write_bytes(b"userId,movieId,rating,timestamp\n" + data)
    else:
        (folder / "u.data").write_bytes(data.replace(b",", b"\t"))
    only_data_errors(lambda: load_movielens(folder))
