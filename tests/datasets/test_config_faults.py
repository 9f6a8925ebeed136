"""personalize-lab.json and *.schema.json under hostile input (issue 14): DataErrors that name the file,
the entry and the value, raised while the file is read, never later inside the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from personalize_lab.datasets import load_config, load_schema, parse_config
from personalize_lab.datasets.bounded import MAX_JSON_BYTES, MAX_JSON_DEPTH
from personalize_lab.emulator.engine import LocalPersonalize
from personalize_lab.errors import DataError
from tests.support.paths import GOLDEN

SHOP = GOLDEN / "datasets" / "shop"
UP = "aws-user-personalization"


def campaigns(*configs: dict[str, Any]) -> dict[str, Any]:
    return {"campaigns": [{"name": f"c{i}", "recipe": UP, **c} for i, c in enumerate(configs)]}


@pytest.mark.parametrize(
    ("doc", "entry", "value", "message"),
    [
        (
            campaigns({}, {}, {"campaignConfig": {"itemExplorationConfig": {"explorationWeight": "1.5"}}}),
            "campaigns[2].campaignConfig.itemExplorationConfig.explorationWeight",
            "1.5",
            "must be a number from 0 to 1 written as a string",
        ),
        (
            campaigns({"campaignConfig": {"itemExplorationConfig": {"explorationWeight": "lots"}}}),
            "campaigns[0].campaignConfig.itemExplorationConfig.explorationWeight",
            "lots",
            "must be a number from 0 to 1 written as a string",
        ),
        (
            campaigns({"campaignConfig": {"itemExplorationConfig": {"explorationItemAgeCutOff": "0"}}}),
            "campaigns[0].campaignConfig.itemExplorationConfig.explorationItemAgeCutOff",
            "0",
            "must be a positive number of days written as a string",
        ),
        (
            {"campaigns": [{"name": "c", "recipe": "aws-hrnn"}]},
            "campaigns[0].recipe",
            "aws-hrnn",
            "is not a recipe the local Personalize deploys",
        ),
        (
            {"recommenders": [{"name": "r", "recipe": "aws-sims"}]},
            "recommenders[0].recipe",
            "aws-sims",
            "is not a domain use case; recommenders take ECOMMERCE or VIDEO_ON_DEMAND recipes",
        ),
        (
            {
                "filters": [
                    {"name": "ok", "expression": 'EXCLUDE ItemID WHERE Items.A IN ("x")'},
                    {"name": "f", "expression": "INCLUDE ItemID WHERE Items.GENRE IN"},
                ]
            },
            "filters[1].expression",
            "INCLUDE ItemID WHERE Items.GENRE IN",
            "does not parse",
        ),
    ],
)
def test_semantic_errors_name_file_entry_and_value(
    tmp_path: Path, doc: dict[str, Any], entry: str, value: str, message: str
) -> None:
    path = tmp_path / "personalize-lab.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(DataError) as err:
        load_config(path)
    e = err.value
    assert (e.file, e.column, e.value) == (str(path), entry, value)
    assert message in str(e)


def test_the_emulator_gets_the_named_error_from_a_bad_config(tmp_path: Path) -> None:
    for name in ("interactions.csv", "items.csv"):
        (tmp_path / name).write_bytes((SHOP / name).read_bytes())
    doc = campaigns({"campaignConfig": {"itemExplorationConfig": {"explorationWeight": "2"}}})
    (tmp_path / "personalize-lab.json").write_text(json.dumps(doc))
    with pytest.raises(DataError, match=r"campaigns\[0\]\.campaignConfig\.itemExplorationConfig"):
        LocalPersonalize.from_csv(tmp_path)


def test_recipe_spellings_the_emulator_accepts_pass() -> None:
    config = parse_config(
        {
            "campaigns": [
                {"name": "a", "recipe": "sims"},
                {"name": "b", "recipe": "aws-sims"},
                {"name": "c", "recipe": "arn:aws:personalize:::recipe/aws-sims"},
            ],
            "recommenders": [{"name": "r", "recipe": "vod-top-picks"}],
        }
    )
    assert [c.recipe for c in config.campaigns] == [
        "sims",
        "aws-sims",
        "arn:aws:personalize:::recipe/aws-sims",
    ]


@pytest.mark.parametrize("load", [load_config, load_schema])
def test_deeply_nested_json_is_refused(tmp_path: Path, load: Any) -> None:
    path = tmp_path / "x.json"
    for depth in (MAX_JSON_DEPTH + 1, 100_000):  # the second raised RecursionError inside json
        path.write_text("[" * depth + "]" * depth)
        with pytest.raises(DataError, match=rf"nested deeper than {MAX_JSON_DEPTH} levels") as err:
            load(path)
        assert err.value.file == str(path)


@pytest.mark.parametrize("load", [load_config, load_schema])
def test_non_utf8_json_names_the_byte_offset_and_line(tmp_path: Path, load: Any) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(b'{\n  "region": "eu-west-1",\n  "account": "\xff"\n}\n')
    with pytest.raises(DataError, match=r"is not UTF-8: byte 0xFF at byte offset 41 \(line 3\)") as err:
        load(path)
    assert err.value.file == str(path)


@pytest.mark.parametrize("load", [load_config, load_schema])
def test_oversized_json_is_refused_without_reading_it(tmp_path: Path, load: Any) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(b" " * (MAX_JSON_BYTES + 1))
    with pytest.raises(DataError, match=r"has 1,048,577 bytes; a (config|schema) file is at most 1,048,576"):
        load(path)


def test_numbers_python_will_not_convert_are_named(tmp_path: Path) -> None:
    path = tmp_path / "personalize-lab.json"
    path.write_text('{"account": ' + "9" * 5000 + "}")
    with pytest.raises(DataError, match=r"not valid JSON: Exceeds the limit"):
        load_config(path)


def test_long_values_are_shortened_in_messages() -> None:
    with pytest.raises(DataError) as err:
        parse_config({"region": "x" * 100_000})
    assert len(str(err.value)) < 300
    assert err.value.value == "x" * 100_000


def test_a_byte_order_mark_before_json_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "personalize-lab.json"
    path.write_bytes(b'\xef\xbb\xbf{"region": "eu-west-1"}')
    assert load_config(path).region == "eu-west-1"
