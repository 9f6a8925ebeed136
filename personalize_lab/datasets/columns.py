"""Turn one CSV column of strings into a typed pandas column, checking Personalize's value rules.

Kept vectorised with pyarrow compute: the fast path is one cast per column; only when a cast fails do we
search for the first offending row, so the error can name it (file, 1-based data row, column, value, rule).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from personalize_lab.datasets.schema import REQUIRED, RESERVED, Field
from personalize_lab.errors import DataError

__all__ = ["INT_PATTERN", "convert_column", "infer_field"]

INT_PATTERN = r"^-?(0|[1-9][0-9]*)$"
FLOAT_PATTERN = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$|^(NaN|nan|-?inf|-?Infinity)$"
_INT32 = 2**31
# Epoch seconds beyond this are in the year 5138: such values are milliseconds (or microseconds).
MILLIS_THRESHOLD = 100_000_000_000
# Plausible epoch seconds: what a pandas datetime holds (1677-09-21 to 2262-04-11), so the summary, the
# plots and the emulator's item ages can turn every timestamp into a date.
SECONDS_MIN = int(pd.Timestamp.min.value // 1_000_000_000) + 1
SECONDS_MAX = int(pd.Timestamp.max.value // 1_000_000_000)
_INT64_DIGITS = 19  # 2**63 has 19 digits: shorter digit strings always fit int64
CATEGORICAL_MAX = 1000
IMPRESSION_MAX = 1000

Raise = Callable[..., None]


def convert_column(
    arr: pa.ChunkedArray,
    f: Field,
    rows: np.ndarray,
    fail: Raise,
    *,
    timestamp_unit: str = "s",
    notes: list[str] | None = None,
) -> pd.Series:
    """Convert the string column ``arr`` to the pandas dtype of field ``f``.

    ``rows`` holds each element's 1-based data row in the file (rows may have been skipped before);
    ``fail(message, row=, column=, value=, rule=, fix=)`` raises the file's DataError.
    """
    name = f.name
    nulls = pc.is_null(arr)
    if not f.nullable and pc.any(nulls).as_py():
        i = _first(nulls)
        fail(
            f"{name} is empty but the schema type {f.type!r} is not nullable",
            row=int(rows[i]),
            column=name,
            value="",
            rule="not nullable",
            fix=f'declare the field as ["null", "{f.type}"] or fill the value',
        )
    if f.type == "string":
        _check_lengths(arr, f, rows, fail)
        return pd.Series(arr, dtype="str", name=name)
    if f.type == "boolean":
        ok = pc.is_in(arr, value_set=pa.array(["true", "false"]))
        bad = pc.and_(pc.invert(ok), pc.invert(nulls))
        if pc.any(bad).as_py():
            i = _first(bad)
            value = arr[i].as_py()
            fail(
                f"{name}={value!r} is not a boolean; Personalize booleans are lower-case true or false",
                row=int(rows[i]),
                column=name,
                value=value,
                rule="boolean not lower-case",
                fix="write true or false in lower case",
            )
        return pd.Series(arr, dtype="str", name=name)
    if f.type in ("long", "int"):
        values = _cast(arr, pa.int64(), INT_PATTERN, f, rows, fail, "an integer")
        if f.type == "int" and len(values):
            big = pc.or_(pc.less(values, -_INT32), pc.greater_equal(values, _INT32))
            if pc.any(big).as_py():
                i = _first(big)
                fail(
                    f"{name}={values[i].as_py()} does not fit the schema type 'int' (32-bit)",
                    row=int(rows[i]),
                    column=name,
                    value=values[i].as_py(),
                    rule="int out of range",
                    fix="declare the field as long",
                )
        if name in ("TIMESTAMP", "CREATION_TIMESTAMP"):
            values = _check_seconds(values, name, rows, fail, timestamp_unit, notes)
        if f.nullable:
            # straight to Int64: a detour through float64 would round ids above 2**53
            return pd.Series(values.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get), name=name)
        return pd.Series(values.to_numpy(), dtype="int64", name=name)
    values = _cast(arr, pa.float64(), FLOAT_PATTERN, f, rows, fail, "a number")
    return pd.Series(values.to_numpy(zero_copy_only=False), dtype="float64", name=name)


def _first(mask: pa.ChunkedArray | pa.Array) -> int:
    return int(pc.index(mask, True).as_py())


def _cast(
    arr: pa.ChunkedArray, to: pa.DataType, pattern: str, f: Field, rows: np.ndarray, fail: Raise, what: str
) -> pa.ChunkedArray:
    try:
        return pc.cast(arr, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    ok = pc.match_substring_regex(arr, pattern)
    bad = pc.fill_null(pc.invert(ok), False)
    first_bad = _first(bad) if pc.any(bad).as_py() else len(arr)
    overflow = _first_overflow(arr, first_bad) if to == pa.int64() else None
    if overflow is not None:
        _fail_range(f, int(arr[overflow].as_py()), int(rows[overflow]), fail)
    i = first_bad
    value = arr[i].as_py()
    rule = f"non-numeric {f.name}" if f.name in ("TIMESTAMP", "CREATION_TIMESTAMP") else f"not {what}"
    fail(
        f"{f.name}={value!r} is not {what} (schema type {f.type!r})",
        row=int(rows[i]),
        column=f.name,
        value=value,
        rule=rule,
        fix="epoch seconds as a whole number"
        if "TIMESTAMP" in f.name
        else f"write {what} or change the schema type",
    )
    raise AssertionError("fail() must raise")  # pragma: no cover


def _first_overflow(arr: pa.ChunkedArray, before: int) -> int | None:
    """Index of the first integer string (before index ``before``) that does not fit int64, else None."""
    digits = pc.utf8_length(pc.utf8_ltrim(arr, characters="-"))
    long_ = pc.fill_null(pc.greater_equal(digits, _INT64_DIGITS), False)
    if not pc.any(long_).as_py():
        return None
    for i in np.flatnonzero(long_.to_numpy(zero_copy_only=False)):
        if i >= before:
            return None
        text = arr[int(i)].as_py()
        if not -(2**63) <= int(text) < 2**63:
            return int(i)
    return None


def _fail_range(f: Field, value: int, row: int, fail: Raise) -> None:
    if f.name in ("TIMESTAMP", "CREATION_TIMESTAMP"):
        _fail_implausible(f.name, value, row, fail)
    bits = 32 if f.type == "int" else 64
    fail(
        f"{f.name}={value} does not fit the schema type {f.type!r} ({bits}-bit, at most {2 ** (bits - 1) - 1})",
        row=row,
        column=f.name,
        value=value,
        rule=f"{f.type} out of range",
        fix="declare the field as long" if bits == 32 else "store numbers this large as strings",
    )


def _fail_implausible(name: str, value: int, row: int, fail: Raise) -> None:
    fail(
        f"{name}={value} is not a plausible epoch-seconds timestamp: it must lie between {SECONDS_MIN} "
        f"and {SECONDS_MAX} (1677-09-21 to 2262-04-11, the dates pandas can hold)",
        row=row,
        column=name,
        value=value,
        rule="epoch seconds in a plausible range",
        fix="write epoch seconds (divide milliseconds by 1000)",
    )


def _check_seconds(
    values: pa.ChunkedArray, name: str, rows: np.ndarray, fail: Raise, unit: str, notes: list[str] | None
) -> pa.ChunkedArray:
    if unit == "ms":
        if notes is not None:
            notes.append(f"{name}: converted epoch milliseconds to seconds (timestamp_unit='ms')")
        values = pc.divide(values, 1000)
    elif unit != "s":
        raise DataError(f"timestamp_unit={unit!r} must be 's' or 'ms'", value=unit)
    if not len(values):
        return values
    out = pc.fill_null(pc.or_(pc.less(values, SECONDS_MIN), pc.greater(values, SECONDS_MAX)), False)
    if not pc.any(out).as_py():
        return values
    i = _first(out)
    value = values[i].as_py()
    if unit == "s" and MILLIS_THRESHOLD < value <= SECONDS_MAX * 1000:
        fail(
            f"{name}={value} looks like epoch milliseconds (as milliseconds it is "
            f"{pd.to_datetime(value, unit='ms'):%Y-%m-%d %H:%M:%S}); Personalize expects epoch seconds",
            row=int(rows[i]),
            column=name,
            value=value,
            rule="timestamp in milliseconds",
            fix="divide the column by 1000, or pass timestamp_unit='ms' to convert while loading",
        )
    _fail_implausible(name, int(value), int(rows[i]), fail)
    return values


def _check_lengths(arr: pa.ChunkedArray, f: Field, rows: np.ndarray, fail: Raise) -> None:
    limit = IMPRESSION_MAX if f.name == "IMPRESSION" else CATEGORICAL_MAX if f.categorical else 0
    if not limit or not len(arr):
        return
    lengths = pc.utf8_length(arr)
    if f.categorical:  # the limit applies to each |-separated value; only split when a cell is long
        if (pc.max(lengths).as_py() or 0) <= limit:
            return
        parts = pc.list_value_length(pc.split_pattern(arr, "|"))
        lengths = pc.subtract(lengths, pc.subtract(parts, 1))  # upper bound is enough to find the row
        too_long = pc.fill_null(pc.greater(lengths, limit), False)
        cells = [(i, v) for i, v in enumerate(arr.to_pylist()) if too_long[i].as_py()]
        for i, v in cells:
            if any(len(p) > limit for p in str(v).split("|")):
                fail(
                    f"{f.name} has a categorical value longer than {limit} characters",
                    row=int(rows[i]),
                    column=f.name,
                    value=str(v)[:40] + "…",
                    rule=f"categorical value over {limit} characters",
                )
        return
    too_long = pc.fill_null(pc.greater(lengths, limit), False)
    if pc.any(too_long).as_py():
        i = _first(too_long)
        fail(
            f"{f.name} is longer than {limit} characters (including the | separators)",
            row=int(rows[i]),
            column=f.name,
            value=str(arr[i].as_py())[:40] + "…",
            rule=f"{f.name} over {limit} characters",
        )


def infer_field(arr: pa.ChunkedArray, name: str, dataset_type: str, textual_taken: bool) -> Field:
    """Guess a field from a column of CSV strings (used when a file comes without a schema)."""
    fixed: dict[str, Any] = {**REQUIRED.get(dataset_type, {}), **RESERVED.get(dataset_type, {})}
    nullable = bool(pc.any(pc.is_null(arr)).as_py())
    if name in fixed:
        return Field(name, fixed[name], nullable and name not in REQUIRED.get(dataset_type, {}))
    present = pc.drop_null(arr)
    if len(present) == 0:
        return Field(name, "string", True, categorical=True)
    if pc.all(pc.match_substring_regex(present, INT_PATTERN)).as_py():
        return Field(name, "long", nullable)
    if pc.all(pc.match_substring_regex(present, FLOAT_PATTERN)).as_py():
        return Field(name, "float", nullable)
    if pc.all(pc.is_in(present, value_set=pa.array(["true", "false"]))).as_py():
        return Field(name, "boolean", nullable)
    if dataset_type == "Items" and not textual_taken and pc.mean(pc.utf8_length(present)).as_py() > 100:
        return Field(name, "string", nullable, textual=True)
    return Field(name, "string", nullable, categorical=True)
