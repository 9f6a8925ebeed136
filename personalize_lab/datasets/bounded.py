"""Read untrusted dataset files with bounded memory, turning every failure into a DataError.

Files come from users: they may be folders, FIFOs, unreadable, not UTF-8, a gigabyte without a line
break, or JSON nested ten thousand levels deep. The readers here never hold more than a documented limit
of such input in memory and name the file, the row or line, and the byte offset of what they refuse.
docs/robustness.md lists the limits and why they are what they are.
"""

from __future__ import annotations

import json
import reprlib
import stat
from pathlib import Path
from typing import Any, NoReturn

import pyarrow as pa

from personalize_lab.errors import DataError

__all__ = [
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_ROW_BYTES",
    "check_file",
    "decode_utf8",
    "fail_utf8",
    "first_invalid_utf8",
    "first_line",
    "first_long_line",
    "parse_json",
    "read_json",
    "show",
]

#: A CSV row (its bytes in the file) may be this long. Personalize documents no row limit, only field
#: limits; the widest record they allow (an Items row: ITEM_ID 256, one textual field of 20,000 and 99 other
#: fields of 1,000 characters, at most 4 UTF-8 bytes each) is under 480 KB, so 1 MiB refuses no valid row.
MAX_ROW_BYTES = 1 << 20
#: ``*.schema.json`` and ``personalize-lab.json`` files may be this large (CreateSchema takes at most
#: 20,000 characters of schema; a config declares a handful of resources).
MAX_JSON_BYTES = 1 << 20
#: Schemas are flat and configs at most six levels deep; deeper JSON is refused before it is walked.
MAX_JSON_DEPTH = 32
_SCAN_CHUNK = 1 << 20

_short = reprlib.Repr()
_short.maxstring = 100
_short.maxother = 100
_short.maxlevel = 3


def show(value: Any) -> str:
    """A short repr for messages: long strings, deep or big containers are cut with ``...``."""
    return _short.repr(value)


def check_file(path: Path, what: str = "file") -> int:
    """Raise DataError unless ``path`` is a regular, readable file; return its size in bytes."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DataError(f"no such {what}: {path}", file=str(path)) from None
    except OSError as e:
        raise DataError(f"cannot read {path}: {e.strerror}", file=str(path)) from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError(
            f"{path.name} is a folder, not a {what}",
            file=str(path),
            rule="must be a regular file",
            fix=f"replace the folder {path.name} with the {what} itself",
        )
    if not stat.S_ISREG(info.st_mode):  # a FIFO or a device could block or never end
        raise DataError(
            f"{path.name} is not a regular file (a pipe, socket or device)",
            file=str(path),
            rule="must be a regular file",
        )
    return info.st_size


def _open(path: Path) -> Any:
    try:
        return path.open("rb")
    except OSError as e:
        raise DataError(f"cannot read {path}: {e.strerror}", file=str(path)) from None


def decode_utf8(data: bytes, file: str, *, what: str, base_offset: int = 0, first_line_no: int = 1) -> str:
    """``data`` as text; a DataError naming the line and byte offset of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = first_line_no + data.count(b"\n", 0, e.start)
        offset = base_offset + e.start
        bad = data[e.start : e.end]
        raise DataError(
            f"{what} is not UTF-8: byte 0x{bad[0]:02X} at byte offset {offset:,} (line {line}) "
            f"in {show(data[max(0, e.start - 20) : e.start + 20])}",
            file=file,
            value=bad,
            rule="UTF-8",
            fix="save the file as UTF-8",
        ) from None


def first_line(path: Path, limit: int = MAX_ROW_BYTES) -> bytes:
    """The first line of a file (with its line break), reading at most ``limit`` bytes of it."""
    with _open(path) as fh:
        line: bytes = fh.readline(limit + 1)
    if len(line) > limit:
        raise DataError(
            f"the first line is longer than {limit:,} bytes (no line break in the first {limit:,} bytes)",
            file=str(path),
            value=line[:40],
            rule=f"a line is at most {limit:,} bytes",
            fix="check that this is a CSV file with one record per line",
        )
    return line


def first_long_line(path: Path, limit: int = MAX_ROW_BYTES) -> tuple[int, int] | None:
    """(1-based line number, byte offset) of the first line longer than ``limit`` bytes, or None.

    Streams the file in 1 MiB chunks, so memory stays bounded whatever the file holds.
    """
    line, start, offset = 1, 0, 0
    with _open(path) as fh:
        while chunk := fh.read(_SCAN_CHUNK):
            pos = 0
            while (nl := chunk.find(b"\n", pos)) != -1:
                if offset + nl - start > limit:
                    return line, start
                line, start, pos = line + 1, offset + nl + 1, nl + 1
            offset += len(chunk)
            if offset - start > limit:
                return line, start
    return None


def first_invalid_utf8(path: Path) -> tuple[int, int, bytes] | None:
    """(byte offset, 1-based line, the bad bytes) of the first bytes that are not UTF-8, or None.

    Streams the file in 1 MiB chunks (a multi-byte character cut by a chunk end is carried over).
    """
    base, line, carry = 0, 1, b""
    with _open(path) as fh:
        while True:
            chunk = fh.read(_SCAN_CHUNK)
            data = carry + chunk
            if not data:
                return None
            try:
                data.decode("utf-8")
                good = len(data)
            except UnicodeDecodeError as e:
                if chunk and e.reason == "unexpected end of data":
                    good = e.start  # maybe a character the next chunk completes
                else:
                    return base + e.start, line + data.count(b"\n", 0, e.start), data[e.start : e.end]
            line += data.count(b"\n", 0, good)
            base, carry = base + good, data[good:]
            if not chunk:
                return None


def parse_json(text: str, source: str | None, *, prefix: str = "not valid JSON") -> Any:
    """``json.loads`` whose every failure (syntax, depth, huge numbers) is a DataError naming ``source``."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise DataError(f"{prefix}: {e.msg} at line {e.lineno} column {e.colno}", file=source) from None
    except RecursionError:
        raise DataError(
            f"{prefix}: nested deeper than {MAX_JSON_DEPTH} levels",
            file=source,
            rule=f"JSON nested at most {MAX_JSON_DEPTH} levels",
        ) from None
    except ValueError as e:  # e.g. an integer with more digits than Python converts
        raise DataError(f"{prefix}: {e}", file=source) from None
    if _depth_exceeds(doc, MAX_JSON_DEPTH):
        raise DataError(
            f"{prefix}: nested deeper than {MAX_JSON_DEPTH} levels",
            file=source,
            rule=f"JSON nested at most {MAX_JSON_DEPTH} levels",
        )
    return doc


def _depth_exceeds(doc: Any, limit: int) -> bool:
    stack = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def read_json(path: Path, what: str, *, prefix: str = "not valid JSON") -> Any:
    """Read and parse a small JSON file (at most :data:`MAX_JSON_BYTES`), refusing it with a DataError."""
    size = check_file(path, what)
    file = str(path)
    if size > MAX_JSON_BYTES:
        raise DataError(
            f"{path.name} has {size:,} bytes; a {what} is at most {MAX_JSON_BYTES:,} bytes",
            file=file,
            value=size,
            rule=f"{what} at most {MAX_JSON_BYTES:,} bytes",
        )
    with _open(path) as fh:
        data = fh.read(MAX_JSON_BYTES + 1)
    text = decode_utf8(data, file, what="the file").removeprefix("\ufeff")  # editors on Windows add one
    return parse_json(text, file, prefix=prefix)


def fail_utf8(table: pa.Table, fail: Any) -> NoReturn:
    """Name the first row (and its column) whose bytes are not UTF-8; ``table`` was read as binary."""
    found = [
        (i, name) for name in table.column_names if (i := _first_invalid_utf8(table.column(name))) is not None
    ]
    if not found:
        fail("the file is not UTF-8", rule="UTF-8", fix="save the file as UTF-8")
        raise AssertionError("fail() must raise")  # pragma: no cover
    index, name = min(found)
    value = table.column(name)[index].as_py()
    err = _decode_error(value)
    fail(
        f"{name} is not UTF-8: byte 0x{value[err]:02X} at byte {err} of the value {show(value)}",
        row=index + 1,
        column=name,
        value=value,
        rule="UTF-8",
        fix="save the file as UTF-8, or pass encoding='latin-1' if it is Latin-1",
    )
    raise AssertionError("fail() must raise")  # pragma: no cover


def _first_invalid_utf8(column: pa.ChunkedArray) -> int | None:
    """Index of the first value that is not UTF-8: a cast per chunk, then bisection inside the bad one."""
    offset = 0
    for chunk in column.chunks:
        if not _valid_utf8(chunk):
            lo, hi = 0, len(chunk)  # the first bad index lies in [lo, hi)
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _valid_utf8(chunk.slice(lo, mid - lo)):
                    lo = mid
                else:
                    hi = mid
            return offset + lo
        offset += len(chunk)
    return None


def _valid_utf8(arr: pa.Array) -> bool:
    try:
        arr.cast(pa.string())
    except pa.ArrowInvalid:
        return False
    return True


def _decode_error(value: bytes) -> int:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError as e:
        return int(e.start)
    return 0
