"""Load Personalize-format CSV files and data folders (the directory contract), and write them back.

Directory contract: a folder with ``interactions.csv`` and optionally ``items.csv``, ``users.csv``, their
Avro schemas ``interactions.schema.json`` / ``items.schema.json`` / ``users.schema.json`` (inferred when
absent), the Next-Best-Action datasets ``actions.csv`` / ``action_interactions.csv`` with their
``*.schema.json`` (see :mod:`personalize_lab.datasets.actions`) and ``personalize-lab.json`` (see :mod:`personalize_lab.datasets.config`). CSVs follow the bulk
import rules: a header in schema order, ``"``-quoted text with ``\\`` escapes (``""`` is read too), UTF-8,
epoch seconds. An empty cell is a missing value (null), so an empty string cannot be told from it.
"""

from __future__ import annotations

import contextlib
import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from personalize_lab.datasets.actions import check_action_frames
from personalize_lab.datasets.bounded import (
    MAX_ROW_BYTES,
    check_file,
    decode_utf8,
    fail_utf8,
    first_invalid_utf8,
    first_line,
    first_long_line,
    show,
)
from personalize_lab.datasets.columns import convert_column, infer_field
from personalize_lab.datasets.config import CONFIG_FILE, load_config
from personalize_lab.datasets.data import (
    ACTION_DATASET_NAMES,
    DATASET_NAMES,
    LoadReport,
    PersonalizeData,
    SkippedRows,
)
from personalize_lab.datasets.schema import REQUIRED, Schema, infer_schema, load_schema
from personalize_lab.errors import DataError

__all__ = ["LoadedCsv", "load_csv", "load_dir", "write_dir"]

FILES = {
    "Interactions": "interactions",
    "Items": "items",
    "Users": "users",
    "Actions": "actions",
    "ActionInteractions": "action_interactions",
}
_FIRST_ROWS = 5  # row numbers kept per skip rule
# A data folder must hold this many interactions after skipped rows. The service asks for 1,000 per import
# job and to train; the local Personalize trains on fewer, so small examples load, but not on none.
MIN_INTERACTIONS = 1


@dataclass(frozen=True, eq=False)
class LoadedCsv:
    """One loaded file: its typed frame, the schema used (given or inferred) and what was skipped."""

    frame: pd.DataFrame
    schema: Schema
    report: LoadReport


def load_csv(
    path: str | Path,
    schema: Schema | None = None,
    dataset_type: str = "Interactions",
    *,
    timestamp_unit: str = "s",
    encoding: str = "utf8",
) -> LoadedCsv:
    """Read one Personalize CSV into a typed frame, validating it against ``schema`` (inferred when None).

    Rows with an empty required field (USER_ID, ITEM_ID, TIMESTAMP …) are skipped and counted in the
    report; Items/Users rows whose id repeats are replaced by the later row (counted too). Any other broken
    rule raises :class:`DataError` naming file, row, column, value and rule. Timestamps that look like epoch
    milliseconds are an error unless ``timestamp_unit="ms"`` asks to convert them.
    """
    p = Path(path)
    file = str(p)
    if schema is not None:
        dataset_type = schema.dataset_type
    if dataset_type not in REQUIRED:
        names = ", ".join(DATASET_NAMES + ACTION_DATASET_NAMES)
        raise DataError(f"unknown dataset type {dataset_type!r}; expected one of {names}")

    def fail(message: str, **where: Any) -> NoReturn:
        raise DataError(message, file=file, **where)

    size = check_file(p)
    header, header_bytes = _read_header(p, encoding, fail)
    table = _read_table(p, header, header_bytes, encoding, fail)
    if size > MAX_ROW_BYTES:  # only a file this large can hold a row this large
        _check_row_bytes(table, fail)
    _check_header(header, schema, dataset_type, fail)
    if schema is None:
        fields, textual = [], False
        for name in header:
            f = infer_field(table.column(name), name, dataset_type, textual)
            textual = textual or f.textual
            fields.append(f)
        schema = Schema(dataset_type, tuple(fields))

    n_read = table.num_rows
    rows = np.arange(1, n_read + 1)
    skipped: list[SkippedRows] = []
    keep = pa.chunked_array([pa.array(np.ones(table.num_rows, dtype=bool))]) if table.num_rows else None
    for name in REQUIRED[dataset_type]:
        empty = pc.is_null(table.column(name))
        if keep is not None:  # a row with several empty required fields counts once, for the first
            empty = pc.and_(empty, keep)
        if keep is not None and pc.any(empty).as_py():
            idx = np.flatnonzero(empty.to_numpy(zero_copy_only=False))
            skipped.append(
                SkippedRows(file, f"{name} is empty", len(idx), tuple(int(i) + 1 for i in idx[:_FIRST_ROWS]))
            )
            keep = pc.and_(keep, pc.invert(empty))
    if skipped and keep is not None:
        mask = keep.to_numpy(zero_copy_only=False)
        rows = rows[mask]
        table = table.filter(keep)

    notes: list[str] = []
    columns = {
        f.name: convert_column(
            table.column(f.name), f, rows, fail, timestamp_unit=timestamp_unit, notes=notes
        )
        for f in schema.fields
    }
    frame = pd.DataFrame(columns)
    id_col = {"Items": "ITEM_ID", "Users": "USER_ID", "Actions": "ACTION_ID"}.get(dataset_type)
    if id_col and len(frame):
        dup = frame[id_col].duplicated(keep="last").to_numpy()
        if dup.any():
            where = rows[dup]
            skipped.append(
                SkippedRows(
                    file,
                    f"duplicate {id_col} (a later row replaces it)",
                    int(dup.sum()),
                    tuple(int(r) for r in where[:_FIRST_ROWS]),
                )
            )
            frame = frame[~dup].reset_index(drop=True)
    report = LoadReport({file: n_read}, tuple(skipped), tuple(notes))
    return LoadedCsv(frame, schema, report)


def _read_header(p: Path, encoding: str, fail: Any) -> tuple[list[str], int]:
    """The header's column names and its length in bytes (reading at most one row's worth of bytes)."""
    raw = first_line(p)
    cr = raw.find(b"\r")  # pyarrow ends a line at \r, \n or \r\n: so does the header
    length = len(raw) if cr == -1 else cr + 1 + (raw[cr + 1 : cr + 2] == b"\n")
    raw = raw[:length]
    if not raw.strip():
        fail("the file is empty; the first line must be the header", row=None)
    if encoding.lower() in ("latin-1", "latin1"):
        line = raw.decode("latin-1")
    else:
        line = decode_utf8(raw, str(p), what="the header line")
    try:
        header = next(csv.reader(io.StringIO(line.rstrip("\r\n"))), [])
    except csv.Error as e:
        fail(f"cannot parse the header line: {e}", row=None, value=show(line), rule="CSV syntax")
    header = [h.strip() for h in header]
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        fail(f"header names column {dupes[0]} twice", column=dupes[0], rule="duplicate column")
    return header, length


def _read_table(p: Path, header: list[str], header_bytes: int, encoding: str, fail: Any) -> pa.Table:
    def read(threads: bool = True, handler: Any = None, kind: pa.DataType | None = None) -> pa.Table:
        return pacsv.read_csv(
            p,
            read_options=pacsv.ReadOptions(
                column_names=header,
                skip_rows=1,
                encoding=encoding,
                use_threads=threads,
                block_size=MAX_ROW_BYTES,  # a row spans at most 2 blocks: memory stays bounded
            ),
            parse_options=pacsv.ParseOptions(
                escape_char="\\", double_quote=True, newlines_in_values=True, invalid_row_handler=handler
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, kind or pa.string()),
                strings_can_be_null=True,
                null_values=[""],
            ),
        )

    with p.open("rb") as fh:
        fh.seek(header_bytes)
        if not fh.read(4096).strip():  # a header and no rows: pyarrow cannot skip the only line
            return pa.table({h: pa.array([], pa.string()) for h in header})
    try:
        return read()
    except UnicodeDecodeError as e:  # a transcoding encoding= (not utf8/latin-1) met a bad byte
        fail(
            f"the file is not {encoding}: {e.reason}",
            rule=f"encoding {encoding}",
            value=e.object[e.start : e.end],
        )
    except pa.ArrowInvalid as e:
        message = str(e)
        if "straddling" in message:
            _fail_long_row(p, fail)
        if "UTF8" in message:
            fail_utf8(read(kind=pa.binary()), fail)
        if encoding.lower() in ("utf8", "utf-8") and (found := first_invalid_utf8(p)):
            offset, line, byte = found  # pyarrow cannot show a broken row that is not UTF-8 either
            fail(
                f"line {line} is not UTF-8: byte 0x{byte[0]:02X} at byte offset {offset:,} of the file",
                row=line - 1,
                value=byte,
                rule="UTF-8",
                fix="save the file as UTF-8, or pass encoding='latin-1' if it is Latin-1",
            )
        bad: list[Any] = []

        def keep_first(row: Any) -> str:
            bad.append(row)
            return "skip"

        # a single-threaded second pass knows the record number of the first broken row
        with contextlib.suppress(pa.ArrowInvalid):
            read(False, keep_first)
        if not bad:
            fail(f"cannot parse the CSV: {e}", rule="CSV syntax")
        row = bad[0]
        fail(
            f"{row.actual_columns} values but the header has {row.expected_columns} columns: {show(row.text)}",
            row=None if row.number is None else row.number - 1,
            rule="CSV syntax",
            fix='quote values that contain commas, and escape quotes inside them as \\"',
        )
        raise  # pragma: no cover
    except (pa.ArrowException, OSError) as e:  # anything else pyarrow refuses, named with the file
        fail(f"cannot read the CSV: {e}", rule="CSV syntax")
    raise AssertionError("fail() must raise")  # pragma: no cover


def _fail_long_row(p: Path, fail: Any) -> NoReturn:
    found = first_long_line(p)
    where = (
        {"row": found[0] - 1, "rule": f"a row is at most {MAX_ROW_BYTES:,} bytes"}
        if found
        else {"rule": f"a row is at most {MAX_ROW_BYTES:,} bytes"}
    )
    detail = (
        f"line {found[0]} (from byte offset {found[1]:,}) has more than {MAX_ROW_BYTES:,} bytes"
        if found
        else f"a row (quoted values with line breaks) has more than {MAX_ROW_BYTES:,} bytes"
    )
    fail(
        f"{detail}; no valid Personalize record is that long",
        fix="check that the file has one record per line and that every quote is closed",
        **where,
    )
    raise AssertionError("fail() must raise")  # pragma: no cover


def _check_row_bytes(table: pa.Table, fail: Any) -> None:
    """Refuse rows whose values hold more than MAX_ROW_BYTES (pyarrow lets some through up to 2 MiB).

    A batch whose values hold at most MAX_ROW_BYTES in all cannot hold such a row, and that is read off
    the string offsets, so only a batch with a long row is measured value by value.
    """
    start = 0
    for batch in table.to_batches():
        if sum(_value_bytes(c) for c in batch.columns) > MAX_ROW_BYTES:
            _check_batch_rows(batch, start, fail)
        start += batch.num_rows


def _value_bytes(arr: pa.Array) -> int:
    """Bytes of all values of a string array, from its offsets buffer (no per-value work)."""
    buffers = arr.buffers()
    if len(arr) == 0 or len(buffers) < 2 or buffers[1] is None:
        return 0
    offsets = np.frombuffer(buffers[1], dtype=np.int64 if pa.types.is_large_string(arr.type) else np.int32)
    return int(offsets[arr.offset + len(arr)] - offsets[arr.offset])


def _check_batch_rows(batch: pa.RecordBatch, start: int, fail: Any) -> None:
    total = pc.fill_null(pc.binary_length(batch.column(0)), 0)
    for column in batch.columns[1:]:
        total = pc.add(total, pc.fill_null(pc.binary_length(column), 0))
    too_long = pc.greater(total, MAX_ROW_BYTES)
    if not pc.any(too_long).as_py():
        return
    i = int(pc.index(too_long, True).as_py())
    name = max(batch.schema.names, key=lambda c: len(batch.column(c)[i].as_py() or ""))
    fail(
        f"row {start + i + 1} holds {total[i].as_py():,} bytes of values; a row is at most "
        f"{MAX_ROW_BYTES:,} bytes",
        row=start + i + 1,
        column=name,
        value=show(batch.column(name)[i].as_py()),
        rule=f"a row is at most {MAX_ROW_BYTES:,} bytes",
    )


def _check_header(header: list[str], schema: Schema | None, dataset_type: str, fail: Any) -> None:
    if schema is None:
        for name in REQUIRED[dataset_type]:
            if name not in header:
                fail(
                    f"missing required column {name}; the header is {','.join(header)}",
                    column=name,
                    rule="missing required column",
                    fix=f"add a {name} column ({dataset_type} requires {', '.join(REQUIRED[dataset_type])})",
                )
        return
    names = schema.names
    if header == names:
        return
    missing = [n for n in names if n not in header]
    extra = [h for h in header if h not in names]
    if missing:
        detail = f"the schema field {missing[0]} has no column"
        column = missing[0]
    elif extra:
        detail = f"the column {extra[0]} is not in the schema"
        column = extra[0]
    else:
        i = next(i for i, (h, n) in enumerate(zip(header, names, strict=True)) if h != n)
        detail = f"column {i + 1} is {header[i]} but schema field {i + 1} is {names[i]}"
        column = header[i]
    fail(
        f"header does not match the schema: {detail}",
        column=column,
        rule="header must match the schema order",
        fix=f"make the header exactly {','.join(names)}",
    )


def load_dir(path: str | Path, *, timestamp_unit: str = "s") -> PersonalizeData:
    """Load a data folder (the directory contract) into :class:`PersonalizeData`.

    The folder's ``personalize-lab.json``, when present, is parsed into ``PersonalizeData.config``.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise DataError(f"{folder} is not a folder", file=str(folder))
    frames: dict[str, pd.DataFrame | None] = dict.fromkeys(DATASET_NAMES + ACTION_DATASET_NAMES)
    schemas: dict[str, Schema] = {}
    report = LoadReport()
    for dataset_type, stem in FILES.items():
        csv_path = folder / f"{stem}.csv"
        schema_path = folder / f"{stem}.schema.json"
        if not csv_path.exists():
            if dataset_type == "Interactions":
                present = ", ".join(sorted(p.name for p in folder.iterdir())) or "nothing"
                raise DataError(
                    f"no interactions.csv in {folder} (it holds {present})",
                    file=str(csv_path),
                    fix="add interactions.csv (items.csv, users.csv and *.schema.json are optional)",
                )
            if schema_path.exists():
                raise DataError(f"{schema_path.name} has no {stem}.csv next to it", file=str(schema_path))
            continue
        schema = load_schema(schema_path, dataset_type) if schema_path.exists() else None
        loaded = load_csv(csv_path, schema, dataset_type, timestamp_unit=timestamp_unit)
        if dataset_type == "Interactions" and not len(loaded.frame):
            _fail_no_interactions(csv_path, loaded.report)
        frames[dataset_type] = loaded.frame
        schemas[dataset_type] = loaded.schema
        report = report.merge(loaded.report)
        if schema is None:
            report = report.merge(LoadReport(notes=(f"{stem}.csv: no {schema_path.name}, schema inferred",)))
    config_path = folder / CONFIG_FILE
    config = load_config(config_path) if config_path.exists() else None
    interactions = frames["Interactions"]
    assert interactions is not None
    action_interactions = check_action_frames(
        frames["Actions"],
        frames["ActionInteractions"],
        files=(str(folder / "actions.csv"), str(folder / "action_interactions.csv")),
    )
    return PersonalizeData(
        interactions,
        frames["Items"],
        frames["Users"],
        schemas,
        report,
        config,
        actions=frames["Actions"],
        action_interactions=action_interactions,
    )


def _fail_no_interactions(path: Path, report: LoadReport) -> NoReturn:
    """The emulator trains on interactions: refuse a folder without any before it gets there."""
    skipped = "; ".join(f"{s.count:,} skipped ({s.rule})" for s in report.skipped)
    detail = (
        f"all {report.rows_read.get(str(path), 0):,} rows were skipped: {skipped}" if skipped else "no rows"
    )
    raise DataError(
        f"{path.name} has {detail}; a dataset group needs at least {MIN_INTERACTIONS} interaction",
        file=str(path),
        rule=f"at least {MIN_INTERACTIONS} interaction",
        fix="add rows with USER_ID, ITEM_ID and TIMESTAMP under the header",
    )


def write_dir(data: PersonalizeData, path: str | Path) -> Path:
    """Write ``data`` as a data folder (CSV + ``*.schema.json`` + ``personalize-lab.json`` if configured).

    This is what a user's own files should look like; :func:`load_dir` reads it back exactly.
    """
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for dataset_type, stem in FILES.items():
        frame = data.frame(dataset_type)
        if frame is None:
            continue
        schema = data.schemas.get(dataset_type) or infer_schema(frame, dataset_type)
        (folder / f"{stem}.schema.json").write_text(schema.to_json() + "\n", encoding="utf-8")
        frame[schema.names].to_csv(
            folder / f"{stem}.csv",
            index=False,
            escapechar="\\",
            doublequote=False,
            lineterminator=_line_end(frame[schema.names]),
        )
    if data.config is not None:
        (folder / CONFIG_FILE).write_text(data.config.to_json() + "\n", encoding="utf-8")
    return folder


def _line_end(frame: pd.DataFrame) -> str:
    """``\\n``, or ``\\r\\n`` when a value holds a carriage return: Python's csv writer quotes only values
    holding a character of the line end, and an unquoted ``\\r`` would read back as a row break."""
    for col in frame.columns:
        s = frame[col]
        if (pd.api.types.is_string_dtype(s) or s.dtype == object) and s.astype("str").str.contains(
            "\r", regex=False
        ).any():
            return "\r\n"
    return "\n"
