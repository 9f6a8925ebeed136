"""Personalize's Avro dataset schemas: parse, validate, print and infer them (semantics §8).

A schema is a flat Avro record. Its field order is the CSV header order, its reserved fields have fixed
types per dataset type, and it says which string fields are ``categorical`` (filterable, ``|``-separated
multi-values) or ``textual`` (Items only). Every broken rule raises :class:`DataError` naming the field.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from personalize_lab.datasets.bounded import parse_json, read_json
from personalize_lab.errors import DataError
from personalize_lab.fields import REQUIRED, RESERVED

__all__ = [
    "DATASET_TYPES",
    "NAMESPACE",
    "Field",
    "Schema",
    "infer_schema",
    "load_schema",
]

NAMESPACE = "com.amazonaws.personalize.schema"
DATASET_TYPES = ("Interactions", "Items", "Users", "Actions", "ActionInteractions")
BASE_TYPES = ("string", "long", "int", "float", "double", "boolean")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FIELD_KEYS = {"name", "type", "categorical", "textual", "doc", "default"}
_RECORD_KEYS = {"type", "name", "namespace", "fields", "version", "doc"}

# (min, max) metadata fields besides required/reserved ones; Items/Users use the [newer] limits.
METADATA_LIMITS: dict[str, tuple[int, int]] = {
    "Interactions": (0, 5),
    "Items": (1, 100),
    "Users": (1, 25),
    "Actions": (1, 10),
    "ActionInteractions": (0, 5),
}


@dataclass(frozen=True)
class Field:
    """One schema field. ``type`` is the base Avro type; ``nullable`` means the union ``["null", type]``."""

    name: str
    type: str
    nullable: bool = False
    categorical: bool = False
    textual: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The field as Avro JSON, in the spelling Personalize's examples use."""
        out: dict[str, Any] = {"name": self.name, "type": ["null", self.type] if self.nullable else self.type}
        if self.categorical:
            out["categorical"] = True
        if self.textual:
            out["textual"] = True
        return out

    @property
    def filterable(self) -> bool:
        """Filters can test categorical strings and numbers; booleans and plain/textual strings not."""
        return self.categorical or self.type in ("long", "int", "float", "double")


@dataclass(frozen=True)
class Schema:
    """A validated Personalize schema for one dataset type (``Interactions``, ``Items``, ``Users`` …)."""

    dataset_type: str
    fields: tuple[Field, ...]
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.dataset_type)
        _validate(self, source=None)

    # -- reading and writing -------------------------------------------------------------------------------
    @classmethod
    def from_json(
        cls, text: str | dict[str, Any], dataset_type: str | None = None, *, source: str | None = None
    ) -> Schema:
        """Parse Avro record JSON (text or dict). ``dataset_type`` defaults to the record's name."""
        doc = parse_json(text, source, prefix="schema is not valid JSON") if isinstance(text, str) else text
        return _parse(doc, dataset_type, source)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "record",
            "name": self.name,
            "namespace": NAMESPACE,
            "fields": [f.to_dict() for f in self.fields],
            "version": "1.0",
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The schema as the JSON string ``create_schema(schema=...)`` takes."""
        return json.dumps(self.to_dict(), indent=indent)

    # -- queries -----------------------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise DataError(
            f"{self.dataset_type} schema has no field {name!r}; fields are {', '.join(self.names)}",
            column=name,
        )

    def __contains__(self, name: object) -> bool:
        return any(f.name == name for f in self.fields)

    def to_frame(self) -> pd.DataFrame:
        """One row per field: name, type, nullable, categorical, textual, filterable."""
        return pd.DataFrame(
            [
                {
                    "name": f.name,
                    "type": f.type,
                    "nullable": f.nullable,
                    "categorical": f.categorical,
                    "textual": f.textual,
                    "filterable": f.filterable,
                }
                for f in self.fields
            ]
        )

    def __repr__(self) -> str:
        width = max(len(f.name) for f in self.fields)
        lines = [f"Schema({self.dataset_type}, {len(self.fields)} fields)"]
        for f in self.fields:
            flags = [x for x, on in (("nullable", f.nullable), ("categorical", f.categorical)) if on]
            flags += ["textual"] if f.textual else []
            lines.append(f"  {f.name:<{width}}  {f.type:<7}  {' '.join(flags)}".rstrip())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<b>Schema {self.dataset_type}</b>" + str(self.to_frame().to_html(index=False))


def load_schema(path: str | Path, dataset_type: str | None = None) -> Schema:
    """Read a ``*.schema.json`` file (at most 1 MiB of UTF-8 JSON; anything else is a DataError)."""
    p = Path(path)
    doc = read_json(p, "schema file", prefix="schema is not valid JSON")
    return Schema.from_json(doc, dataset_type, source=str(p))


def _parse(doc: Any, dataset_type: str | None, source: str | None) -> Schema:
    if not isinstance(doc, dict):
        raise DataError("a schema must be a JSON object (an Avro record)", file=source)
    unknown = sorted(set(doc) - _RECORD_KEYS)
    if unknown:
        raise DataError(
            f"unknown schema key {unknown[0]!r}; allowed keys are {', '.join(sorted(_RECORD_KEYS))}",
            file=source,
        )
    if doc.get("type") != "record":
        raise DataError(f'schema type must be "record", got {doc.get("type")!r}', file=source)
    if doc.get("namespace", NAMESPACE) != NAMESPACE:
        raise DataError(f"schema namespace must be {NAMESPACE!r}, got {doc['namespace']!r}", file=source)
    if str(doc.get("version", "1.0")) != "1.0":
        raise DataError(f'schema version must be "1.0", got {doc["version"]!r}', file=source)
    name = doc.get("name")
    if not isinstance(name, str) or not name:
        raise DataError('schema needs a "name" (Interactions, Items or Users)', file=source)
    if dataset_type is None:
        if name not in DATASET_TYPES:
            raise DataError(
                f"schema name {name!r} is not a dataset type; pass dataset_type= "
                f"(one of {', '.join(DATASET_TYPES)})",
                file=source,
            )
        dataset_type = name
    elif name in DATASET_TYPES and name != dataset_type:
        raise DataError(f"schema is named {name!r} but is used for the {dataset_type} dataset", file=source)
    raw_fields = doc.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise DataError('schema needs a non-empty "fields" list', file=source)
    fields = tuple(_parse_field(f, i, source) for i, f in enumerate(raw_fields))
    schema = object.__new__(Schema)
    object.__setattr__(schema, "dataset_type", dataset_type)
    object.__setattr__(schema, "fields", fields)
    object.__setattr__(schema, "name", name)
    _validate(schema, source)
    return schema


def _parse_field(raw: Any, index: int, source: str | None) -> Field:
    if not isinstance(raw, dict) or "name" not in raw or "type" not in raw:
        raise DataError(f'field #{index + 1} must be an object with "name" and "type"', file=source)
    name = raw["name"]
    unknown = sorted(set(raw) - _FIELD_KEYS)
    if unknown:
        raise DataError(
            f"field {name}: unknown key {unknown[0]!r}; allowed keys are {', '.join(sorted(_FIELD_KEYS))}",
            file=source,
            column=str(name),
        )
    typ = raw["type"]
    nullable = False
    if isinstance(typ, list):
        non_null = [t for t in typ if t != "null"]
        nullable = "null" in typ
        if len(non_null) != 1 or len(typ) != len(non_null) + (1 if nullable else 0):
            raise DataError(
                f'field {name}: union {json.dumps(typ)} is not supported; use one type or ["null", type]',
                file=source,
                column=str(name),
            )
        typ = non_null[0]
    if isinstance(typ, dict | list) or typ not in BASE_TYPES:
        kind = typ.get("type") if isinstance(typ, dict) else typ
        raise DataError(
            f"field {name}: unknown schema type {json.dumps(kind)}; Personalize schemas are flat and allow "
            f'{", ".join(BASE_TYPES)} and null (unions like ["null", "string"])',
            file=source,
            column=str(name),
            value=kind,
        )
    for flag in ("categorical", "textual"):
        if flag in raw and not isinstance(raw[flag], bool):
            raise DataError(
                f"field {name}: {flag} must be true or false", file=source, column=str(name), value=raw[flag]
            )
    return Field(str(name), typ, nullable, bool(raw.get("categorical")), bool(raw.get("textual")))


def _validate(schema: Schema, source: str | None) -> None:
    dt = schema.dataset_type
    if dt not in DATASET_TYPES:
        raise DataError(
            f"unknown dataset type {dt!r}; expected one of {', '.join(DATASET_TYPES)}", file=source
        )
    seen: dict[str, str] = {}
    for f in schema.fields:
        if not _NAME.match(f.name):
            raise DataError(
                f"field name {f.name!r} must start with a letter or _ and hold only letters, digits and _",
                file=source,
                column=f.name,
            )
        key = f.name.replace("_", "").upper()
        if key in seen:
            raise DataError(
                f"field names {seen[key]!r} and {f.name!r} clash (names must differ ignoring case and _)",
                file=source,
                column=f.name,
            )
        seen[key] = f.name
        if (f.categorical or f.textual) and f.type != "string":
            flag = "categorical" if f.categorical else "textual"
            raise DataError(
                f"field {f.name}: {flag} is only allowed on string fields, not {f.type}",
                file=source,
                column=f.name,
            )
        if f.categorical and f.textual:
            raise DataError(
                f"field {f.name}: cannot be both categorical and textual", file=source, column=f.name
            )
        if f.textual and dt != "Items":
            raise DataError(
                f"field {f.name}: textual fields are only allowed in the Items dataset",
                file=source,
                column=f.name,
            )
    required, reserved = REQUIRED[dt], RESERVED[dt]
    names = schema.names
    for fname, ftype in required.items():
        if fname not in names:
            raise DataError(
                f"{dt} schema is missing required field {fname} ({ftype})", file=source, column=fname
            )
    for f in schema.fields:
        want = required.get(f.name) or reserved.get(f.name)
        if want and f.type != want:
            raise DataError(
                f"reserved field {f.name} must have type {want!r}, not {f.type!r}",
                file=source,
                column=f.name,
                value=f.type,
            )
        if (f.name in required or f.name == "EVENT_TYPE") and f.categorical:
            raise DataError(
                f'reserved field {f.name} must not be categorical; remove "categorical": true',
                file=source,
                column=f.name,
            )
    if sum(f.textual for f in schema.fields) > 1:
        raise DataError(f"{dt} schema has more than 1 textual field", file=source)
    low, high = METADATA_LIMITS[dt]
    n_meta = sum(1 for n in names if n not in required and n not in reserved)
    if not low <= n_meta <= high:
        raise DataError(
            f"{dt} schema has {n_meta} metadata fields besides the reserved ones; allowed {low} to {high}",
            file=source,
        )


def infer_schema(frame: pd.DataFrame, dataset_type: str) -> Schema:
    """Guess a schema from a frame: reserved fields get their required types, numbers become long/float,
    lower-case ``true``/``false`` strings boolean, other strings categorical (EVENT_TYPE, IMPRESSION and
    RECOMMENDATION_ID stay plain strings; the longest Items string averaging over 100 chars is textual).
    """
    if dataset_type not in DATASET_TYPES:
        raise DataError(f"unknown dataset type {dataset_type!r}; expected one of {', '.join(DATASET_TYPES)}")
    fixed = {**REQUIRED[dataset_type], **RESERVED[dataset_type]}
    fields = []
    textual_done = False
    for col in frame.columns:
        s = frame[col]
        name = str(col)
        nullable = bool(s.isna().any())
        if name in fixed:
            fields.append(Field(name, fixed[name], nullable and name not in REQUIRED[dataset_type]))
            continue
        if pd.api.types.is_bool_dtype(s):
            fields.append(Field(name, "boolean", nullable))
        elif pd.api.types.is_integer_dtype(s):
            fields.append(Field(name, "long", nullable))
        elif pd.api.types.is_float_dtype(s):
            fields.append(Field(name, "float", nullable))
        else:
            values = s.dropna().astype(str)
            if len(values) and values.isin(["true", "false"]).all():
                fields.append(Field(name, "boolean", nullable))
            elif (
                dataset_type == "Items" and not textual_done and len(values) and values.str.len().mean() > 100
            ):
                textual_done = True
                fields.append(Field(name, "string", nullable, textual=True))
            else:
                fields.append(Field(name, "string", nullable, categorical=True))
    return Schema(dataset_type, tuple(fields))
