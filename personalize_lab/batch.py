"""Batch inference files: write the JSON Lines input, read the output into the recommendation frame.

Batch inference jobs are how users go beyond a notebook's request rate (personalize-semantics.md §9).
Input lines are ``{"userId"}`` (User-Personalization, popularity), ``{"itemId"}`` (related items) or
``{"userId", "itemList"}`` (Personalized-Ranking: the key is ``itemList``, not ``inputList``), each
optionally with ``filterValues`` encoded by the filter language. Output lines are
``{"input", "output": {"recommendedItems", "scores"?}, "error"}``; they are parsed in blocks with pyarrow
(multi-GB files stay within a small multiple of their size in memory), from a local path or an ``s3://``
URI through boto3. Error lines are never dropped: see ``errors=`` on :func:`read_batch_output`.
"""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.json as pa_json

from personalize_lab import filters, frames
from personalize_lab.errors import DataError, PersonalizeLabWarning, ValidationError

__all__ = ["read_batch_output", "write_batch_input"]

MAX_RECORDS_PER_FILE = 50_000_000
DEFAULT_CHUNKSIZE = 32 * 2**20

# the frame's string type, parsed as such: no cast of 25M item IDs afterwards
_TEXT = pa.large_string()
_SCHEMA = pa.schema(
    [
        ("input", pa.struct([("userId", _TEXT), ("itemId", _TEXT)])),
        ("output", pa.struct([("recommendedItems", pa.list_(_TEXT)), ("scores", pa.list_(pa.float64()))])),
        ("error", _TEXT),
    ]
)
# pyarrow splits each chunk into blocks parsed in parallel; a single line must fit in one block
_READ = pa_json.ReadOptions(block_size=4 * 2**20)
_PARSE = pa_json.ParseOptions(explicit_schema=_SCHEMA, unexpected_field_behavior="ignore")


def _split_s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket or not key:
        raise ValidationError(
            f"path={uri!r} is not a full S3 object URI. Fix: write s3://bucket/path/to/file.json.out",
            field="path",
            value=uri,
        )
    return bucket, key


def _s3(s3_client: Any) -> Any:
    if s3_client is not None:
        return s3_client
    import boto3

    return boto3.client("s3")


# --- input ------------------------------------------------------------------------------------------


def _id(field: str, value: object) -> str:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(value)  # IDs read from CSV often come back as integers; the service wants strings
    raise ValidationError(
        f"{field}={value!r} must be a non-empty string ID. Fix: convert IDs with str()",
        field=field,
        value=value,
    )


def write_batch_input(
    path: str | Path,
    users: Iterable[object] | None = None,
    items: Iterable[object] | None = None,
    item_lists: Mapping[object, Iterable[object]] | Iterable[tuple[object, Iterable[object]]] | None = None,
    filter_values: Mapping[str, object] | None = None,
    *,
    s3_client: Any = None,
) -> int:
    """Write a batch-inference input file; returns the number of lines written.

    Exactly one of ``users`` (``{"userId"}`` lines), ``items`` (``{"itemId"}``) or ``item_lists`` (a
    mapping or pairs user → items, ``{"userId", "itemList"}``). ``filter_values`` (Python values or
    encoded strings) is encoded once and added to every line. ``path`` may be an ``s3://`` URI.
    """
    given = [
        name for name, v in (("users", users), ("items", items), ("item_lists", item_lists)) if v is not None
    ]
    if len(given) != 1:
        raise ValidationError(
            f"write_batch_input got {given or 'none'} of users/items/item_lists; a file holds exactly one "
            "kind of line. Fix: pass users=... (User-Personalization), items=... (related items) or "
            "item_lists=... (Personalized-Ranking)",
            field="users/items/item_lists",
            value=given,
        )
    wire = filters.encode_filter_values(filter_values) if filter_values else None
    suffix = "" if wire is None else ',"filterValues":' + json.dumps(wire, separators=(",", ":"))

    def lines() -> Iterator[str]:
        if users is not None:
            for u in users:
                yield '{"userId":' + json.dumps(_id("userId", u)) + suffix + "}\n"
        elif items is not None:
            for i in items:
                yield '{"itemId":' + json.dumps(_id("itemId", i)) + suffix + "}\n"
        else:
            assert item_lists is not None
            pairs = item_lists.items() if isinstance(item_lists, Mapping) else item_lists
            for u, its in pairs:
                listed = [_id("itemList item", i) for i in its]
                yield (
                    '{"userId":'
                    + json.dumps(_id("userId", u))
                    + ',"itemList":'
                    + json.dumps(listed, separators=(",", ":"))
                    + suffix
                    + "}\n"
                )

    text = str(path)
    target: io.TextIOBase
    buffer = io.StringIO() if text.startswith("s3://") else None
    count = 0
    with buffer if buffer is not None else open(text, "w", encoding="utf-8") as target:
        for line in lines():
            count += 1
            if count > MAX_RECORDS_PER_FILE:
                raise ValidationError(
                    f"{text}: more than {MAX_RECORDS_PER_FILE:,} records; a batch input file holds at most "
                    "50 million. Fix: split the input into several files in one S3 folder",
                    field="path",
                    value=text,
                )
            target.write(line)
        if buffer is not None:
            bucket, key = _split_s3(text)
            _s3(s3_client).put_object(Bucket=bucket, Key=key, Body=buffer.getvalue().encode("utf-8"))
    return count


# --- output -----------------------------------------------------------------------------------------


def _blocks(path: str, chunksize: int, s3_client: Any) -> Iterator[tuple[memoryview, int]]:
    """Raw byte blocks of whole lines (each ends at a newline, except possibly the last), with their line
    counts; views, not copies, so a block goes to the parser as it was read."""
    if path.startswith("s3://"):
        bucket, key = _split_s3(path)
        body = _s3(s3_client).get_object(Bucket=bucket, Key=key)["Body"]
        raw: Iterator[bytes] = body.iter_chunks(chunk_size=chunksize)
    else:

        def read_local() -> Iterator[bytes]:
            with open(path, "rb") as fh:
                while block := fh.read(chunksize):
                    yield block

        raw = read_local()
    rest = b""
    for block in raw:
        data = rest + block if rest else block
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
            continue
        yield memoryview(data)[: cut + 1], data.count(b"\n", 0, cut + 1)
        rest = data[cut + 1 :]
    if rest:
        yield memoryview(rest), rest.count(b"\n") + 1


def _slow_block(block: bytes, first_line: int) -> tuple[pa.Table, np.ndarray, list[dict[str, Any]]]:
    """Line-by-line fallback for blocks pyarrow refuses (blank or malformed lines, numeric IDs)."""
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    bad: list[dict[str, Any]] = []
    for offset, raw in enumerate(block.split(b"\n")):
        if not raw.strip():
            continue
        line = first_line + offset
        try:
            obj = json.loads(raw)
            if not isinstance(obj, dict):
                raise ValueError("a line must be a JSON object")
            inp = obj.get("input") or {}
            out = obj.get("output") or {}
            items = out.get("recommendedItems")
            scores = out.get("scores")
            row = {
                "input": {
                    "userId": None if inp.get("userId") is None else str(inp["userId"]),
                    "itemId": None if inp.get("itemId") is None else str(inp["itemId"]),
                },
                "output": {
                    "recommendedItems": None if items is None else [str(i) for i in items],
                    "scores": None if scores is None else [float(s) for s in scores],
                },
                "error": None if obj.get("error") is None else str(obj["error"]),
            }
        except (ValueError, TypeError, AttributeError) as e:
            bad.append({"line": line, "error": f"malformed line: {e}", "raw": raw.decode("utf-8", "replace")})
            continue
        rows.append(row)
        numbers.append(line)
    return pa.Table.from_pylist(rows, schema=_SCHEMA), np.asarray(numbers, dtype=np.int64), bad


def _parse(path: str, chunksize: int, s3_client: Any) -> tuple[list[frames.BatchPart], list[dict[str, Any]]]:
    """Each block of whole lines parsed and turned into frame columns at once (the parsed, nested lines
    are dropped before the next block is read: memory stays near the frame's own size)."""
    parts: list[frames.BatchPart] = []
    bad: list[dict[str, Any]] = []
    next_line = 1
    for block, n_lines in _blocks(path, chunksize, s3_client):
        table = None
        try:
            table = pa_json.read_json(
                pa.BufferReader(pa.py_buffer(block)),
                read_options=_READ,
                parse_options=_PARSE,
            )
        except pa.ArrowInvalid:
            table = None
        if table is not None and table.num_rows == n_lines:
            first = next_line
            for batch in table.to_batches():  # one part per parsed batch: no copy to join the batches
                numbers = np.arange(first, first + batch.num_rows, dtype=np.int64)
                parts.append(frames.batch_output_part(pa.Table.from_batches([batch]), line_numbers=numbers))
                first += batch.num_rows
        else:  # blank lines shift pyarrow's row numbers, malformed ones fail the block: go line by line
            table, numbers, slow_bad = _slow_block(bytes(block), next_line)
            bad.extend(slow_bad)
            parts.append(frames.batch_output_part(table, line_numbers=numbers))
        del block, table
        next_line += n_lines
    return parts, bad


def _files(path: str, s3_client: Any) -> list[str]:
    """The file itself, or every ``*.out`` file of a local folder / an ``s3://…/`` prefix, sorted."""
    if path.startswith("s3://"):
        if not path.endswith("/"):
            return [path]
        bucket, _, prefix = path[len("s3://") :].partition("/")
        keys: list[str] = []
        for page in _s3(s3_client).get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys.extend(o["Key"] for o in page.get("Contents", []) if o["Key"].endswith(".out"))
        found = [f"s3://{bucket}/{k}" for k in sorted(keys)]
    elif Path(path).is_dir():
        found = [str(p) for p in sorted(Path(path).glob("*.out"))]
    else:
        return [path]
    if not found:
        raise ValidationError(
            f"path={path!r} holds no *.out files. Fix: point at a batch inference job's output folder or at "
            "one of its .out files",
            field="path",
            value=path,
        )
    return found


def _read_one(path: str, chunksize: int, s3_client: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    parts, bad = _parse(path, chunksize, s3_client)
    frame, error_frame = frames.batch_frame(parts)
    del parts
    if bad:
        extra = pd.DataFrame(
            {
                "line": pd.array([b["line"] for b in bad], dtype="Int64"),
                "userId": pd.array([None] * len(bad), dtype="string"),
                "seedItemId": pd.array([None] * len(bad), dtype="string"),
                "error": pd.array([b["error"] for b in bad], dtype="string"),
                "raw": pd.array([b["raw"] for b in bad], dtype="string"),
            }
        )
        error_frame = pd.concat([error_frame, extra], ignore_index=True).sort_values(
            "line", ignore_index=True
        )
    error_frame.insert(0, "file", pd.Series([path] * len(error_frame), dtype="string"))
    return frame, error_frame


@overload
def read_batch_output(
    path_or_s3_uri: str | Path,
    *,
    chunksize: int = ...,
    errors: Literal["warn", "raise"] = ...,
    s3_client: Any = ...,
) -> pd.DataFrame: ...


@overload
def read_batch_output(
    path_or_s3_uri: str | Path,
    *,
    chunksize: int = ...,
    errors: Literal["frame"],
    s3_client: Any = ...,
) -> tuple[pd.DataFrame, pd.DataFrame]: ...


def read_batch_output(
    path_or_s3_uri: str | Path,
    *,
    chunksize: int = DEFAULT_CHUNKSIZE,
    errors: Literal["warn", "frame", "raise"] = "warn",
    s3_client: Any = None,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Read batch-inference output into the recommendation frame (``userId``/``seedItemId`` first).

    ``path_or_s3_uri`` is one output file, or a folder / an ``s3://bucket/prefix/`` (ending in ``/``)
    whose ``*.out`` files are read in name order. ``chunksize`` is the number of bytes parsed per
    block. Error lines (a non-null ``error``, or a line that is not valid JSON) are kept apart, never
    dropped:

    - ``errors="warn"`` (default): return the frame; warn with the count and the first error
      (``attrs["error_count"]`` holds the count);
    - ``errors="frame"``: return ``(frame, errors)``; ``errors`` has ``file``, ``line`` (1-based),
      ``userId``, ``seedItemId``, ``error`` and ``raw`` (the line text when it did not parse);
    - ``errors="raise"``: raise :class:`~personalize_lab.errors.DataError` at the first error line.
    """
    if errors not in ("warn", "frame", "raise"):
        raise ValidationError(
            f"errors={errors!r} is not one of 'warn', 'frame', 'raise'. Fix: pass errors='frame' to get the "
            "error lines as a second frame",
            field="errors",
            value=errors,
        )
    path = str(path_or_s3_uri)
    parts = [_read_one(one, chunksize, s3_client) for one in _files(path, s3_client)]
    if len(parts) == 1:
        frame, error_frame = parts[0]
    else:  # a job's output folder: one .out file per input file
        frame = pd.concat([f for f, _ in parts], ignore_index=True)
        error_frame = pd.concat([e for _, e in parts], ignore_index=True)
    frame.attrs.update({"source": "batch", "request": None, "path": path, "error_count": len(error_frame)})
    error_frame.attrs.update({"source": "batch", "path": path})
    if errors == "frame":
        return frame, error_frame
    if len(error_frame):
        first = error_frame.iloc[0]
        where = f"{first['file']}: line {first['line']}"
        if errors == "raise":
            raise DataError(
                f"batch output error: {first['error']}",
                file=str(first["file"]),
                row=int(first["line"]),
                column="error",
                value=first["error"],
                fix="read_batch_output(..., errors='frame') returns every error line",
            )
        warnings.warn(
            f"{where}: {len(error_frame)} error line(s) kept out of the frame (first: {first['error']}). "
            "Use read_batch_output(..., errors='frame') to get them",
            PersonalizeLabWarning,
            stacklevel=2,
        )
    return frame
