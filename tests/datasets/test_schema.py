"""Personalize Avro schemas: parsing, the reserved-field rules of semantics §8, printing and inference."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest

from personalize_lab.datasets import Field, Schema, infer_schema, load_schema
from personalize_lab.errors import DataError
from tests.support.paths import GOLDEN

SHOP = GOLDEN / "datasets" / "shop"
NS = "com.amazonaws.personalize.schema"


def record(name: str, *fields: dict[str, Any]) -> dict[str, Any]:
    return {"type": "record", "name": name, "namespace": NS, "fields": list(fields), "version": "1.0"}


def f(name: str, typ: Any, **flags: Any) -> dict[str, Any]:
    return {"name": name, "type": typ, **flags}


INTERACTION_IDS = (f("USER_ID", "string"), f("ITEM_ID", "string"))


def test_golden_schema_parses_with_types_flags_and_order() -> None:
    schema = load_schema(SHOP / "interactions.schema.json")
    assert schema.dataset_type == "Interactions"
    assert schema.names == ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE", "DEVICE"]
    assert schema.field("EVENT_VALUE") == Field("EVENT_VALUE", "float", nullable=True)
    assert schema.field("DEVICE") == Field("DEVICE", "string", nullable=True, categorical=True)
    assert schema.field("DEVICE").filterable
    assert not schema.field("EVENT_TYPE").filterable


def test_to_json_round_trips_and_matches_the_service_spelling() -> None:
    text = (SHOP / "items.schema.json").read_text()
    schema = Schema.from_json(text)
    assert json.loads(schema.to_json()) == json.loads(text)
    assert Schema.from_json(schema.to_json()) == schema


def test_repr_is_a_readable_table() -> None:
    schema = load_schema(SHOP / "interactions.schema.json")
    assert repr(schema) == (
        "Schema(Interactions, 6 fields)\n"
        "  USER_ID      string\n"
        "  ITEM_ID      string\n"
        "  TIMESTAMP    long\n"
        "  EVENT_TYPE   string\n"
        "  EVENT_VALUE  float    nullable\n"
        "  DEVICE       string   nullable categorical"
    )
    assert list(schema.to_frame().columns) == [
        "name",
        "type",
        "nullable",
        "categorical",
        "textual",
        "filterable",
    ]


@pytest.mark.parametrize(
    ("doc", "dataset_type", "message"),
    [
        (
            record("Items", f("ITEM_ID", "string"), f("TAGS", {"type": "array", "items": "string"})),
            None,
            'file s.json, column TAGS: field TAGS: unknown schema type "array"; Personalize schemas '
            "are flat and "
            'allow string, long, int, float, double, boolean and null (unions like ["null", "string"])',
        ),
        (
            record("Items", f("ITEM_ID", "string"), f("X", "integer")),
            None,
            'file s.json, column X: field X: unknown schema type "integer"; Personalize schemas are flat and '
            'allow string, long, int, float, double, boolean and null (unions like ["null", "string"])',
        ),
        (
            record("Interactions", *INTERACTION_IDS),
            None,
            "file s.json, column TIMESTAMP: Interactions schema is missing required field TIMESTAMP (long)",
        ),
        (
            record("Interactions", *INTERACTION_IDS, f("TIMESTAMP", "int")),
            None,
            "file s.json, column TIMESTAMP: reserved field TIMESTAMP must have type 'long', not 'int'",
        ),
        (
            record("Interactions", *INTERACTION_IDS, f("TIMESTAMP", "long"), f("EVENT_VALUE", "string")),
            None,
            "file s.json, column EVENT_VALUE: reserved field EVENT_VALUE must have type 'float', not "
            "'string'",
        ),
        (
            record(
                "Interactions",
                *INTERACTION_IDS,
                f("TIMESTAMP", "long"),
                f("EVENT_TYPE", "string", categorical=True),
            ),
            None,
            "file s.json, column EVENT_TYPE: reserved field EVENT_TYPE must not be categorical; "
            'remove "categorical": '
            "true",
        ),
        (
            record("Items", f("ITEM_ID", "string"), f("CREATION_TIMESTAMP", "int")),
            None,
            "file s.json, column CREATION_TIMESTAMP: reserved field CREATION_TIMESTAMP must have "
            "type 'long', "
            "not 'int'",
        ),
        (
            record(
                "Items", f("ITEM_ID", "string"), f("GENRES_FIELD_1", "string"), f("GENRESFIELD1", "string")
            ),
            None,
            "file s.json, column GENRESFIELD1: field names 'GENRES_FIELD_1' and 'GENRESFIELD1' clash "
            "(names must "
            "differ ignoring case and _)",
        ),
        (
            record("Users", f("USER_ID", "string"), f("BIO", "string", textual=True)),
            None,
            "file s.json, column BIO: field BIO: textual fields are only allowed in the Items dataset",
        ),
        (
            record("Users", f("USER_ID", "string"), f("AGE", "int", categorical=True)),
            None,
            "file s.json, column AGE: field AGE: categorical is only allowed on string fields, not int",
        ),
        (
            record("Users", f("USER_ID", "string")),
            None,
            "file s.json: Users schema has 0 metadata fields besides the reserved ones; allowed 1 to 25",
        ),
        (
            record("Users", f("USER_ID", "string"), f("A", ["string", "int"])),
            None,
            'file s.json, column A: field A: union ["string", "int"] is not supported; use one type '
            'or ["null", type]',
        ),
        (
            record("Users", f("USER_ID", "string"), f("1A", "int")),
            None,
            "file s.json, column 1A: field name '1A' must start with a letter or _ and hold only "
            "letters, digits and _",
        ),
        (
            record("Users", f("USER_ID", "string"), f("A", "int")),
            "Items",
            "file s.json: schema is named 'Users' but is used for the Items dataset",
        ),
        (
            {"type": "enum", "name": "Users"},
            None,
            "file s.json: schema type must be \"record\", got 'enum'",
        ),
        (
            {**record("Users", f("USER_ID", "string"), f("A", "int")), "namespace": "x"},
            None,
            "file s.json: schema namespace must be 'com.amazonaws.personalize.schema', got 'x'",
        ),
        (
            record("MyEvents", *INTERACTION_IDS, f("TIMESTAMP", "long")),
            None,
            "file s.json: schema name 'MyEvents' is not a dataset type; pass dataset_type= (one of "
            "Interactions, "
            "Items, Users, Actions, ActionInteractions)",
        ),
    ],
)
def test_broken_rules_raise_data_errors_naming_the_field(
    doc: dict[str, Any], dataset_type: str | None, message: str
) -> None:
    with pytest.raises(DataError) as err:
        Schema.from_json(doc, dataset_type, source="s.json")
    assert str(err.value) == message


def test_invalid_json_names_the_position() -> None:
    with pytest.raises(DataError, match=r"schema is not valid JSON: Expecting value at line 1 column 1"):
        Schema.from_json("nope", source="s.json")


def test_custom_record_name_is_accepted_for_an_explicit_dataset_type() -> None:
    schema = Schema.from_json(record("MyEvents", *INTERACTION_IDS, f("TIMESTAMP", "long")), "Interactions")
    assert schema.name == "MyEvents"
    assert schema.dataset_type == "Interactions"


def test_infer_schema_types_reserved_fields_and_flags() -> None:
    frame = pd.DataFrame(
        {
            "ITEM_ID": ["a", "b"],
            "GENRES": ["x|y", None],
            "PRICE": [1.5, 2.0],
            "STOCK": [3, 4],
            "ON_SALE": ["true", "false"],
            "DESCRIPTION": ["long text " * 20, "more text " * 20],
            "CREATION_TIMESTAMP": [1, 2],
        }
    )
    schema = infer_schema(frame, "Items")
    assert schema.fields == (
        Field("ITEM_ID", "string"),
        Field("GENRES", "string", nullable=True, categorical=True),
        Field("PRICE", "float"),
        Field("STOCK", "long"),
        Field("ON_SALE", "boolean"),
        Field("DESCRIPTION", "string", textual=True),
        Field("CREATION_TIMESTAMP", "long"),
    )
    interactions = pd.DataFrame(
        {"USER_ID": ["u"], "ITEM_ID": ["i"], "TIMESTAMP": [1], "EVENT_TYPE": ["View"], "EVENT_VALUE": [1.0]}
    )
    assert infer_schema(interactions, "Interactions").field("EVENT_TYPE") == Field("EVENT_TYPE", "string")
    assert infer_schema(interactions, "Interactions").field("EVENT_VALUE") == Field("EVENT_VALUE", "float")


def test_schema_built_in_python_is_validated_too() -> None:
    with pytest.raises(DataError, match="Users schema is missing required field USER_ID"):
        Schema("Users", (Field("AGE", "int"),))
