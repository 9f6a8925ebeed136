"""The checkpoint of a cohort run: a parquet file of finished requests that survives crashes and restarts.

One row per finished request: ``variant``, ``key`` (user or seed item), ``digest`` (of the canonical
request), ``request`` and ``response`` (JSON, the response exactly as the service sent it, without
boto3's ResponseMetadata), ``status`` (``ok`` / ``error``), ``code``, ``message`` and ``attempts``. Rows
arrive in batches (every ``every`` results or ``seconds``, whichever first) and each flush writes the
whole table to a temporary file and renames it over the old one, so a crash mid-write leaves the previous
checkpoint intact. Writing costs grow with the table, so the interval also grows: never more than
about a tenth of the run is spent writing.

The path is tried before the first request (a file that cannot be written is an error then, not after
500 requests); a flush that fails later (disk full) warns and the run goes on, its results returned.
Saved responses are checked as they are read: bad JSON or a wrong shape names the file and the row.

A resumed run takes the ``ok`` rows whose variant, key and digest match one of its requests; failed
requests are tried again (a resume is a natural second chance for throttled users). The responses also
refill the in-memory cache, so the checkpoint doubles as an on-disk response cache.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from personalize_lab.errors import DataError, PersonalizeLabWarning, ValidationError

__all__ = ["SCHEMA", "Checkpoint", "check_writable"]

#: The list members of the runtime answers a checkpoint holds, and the id each of their items carries.
_LISTS = {"itemList": "itemId", "personalizedRanking": "itemId", "actionList": "actionId"}
_FIX_CONTENT = "delete the file (or pass a new checkpoint path) and run again"

SCHEMA = pa.schema(
    [
        ("variant", pa.string()),
        ("key", pa.string()),
        ("digest", pa.string()),
        ("request", pa.string()),
        ("status", pa.string()),
        ("response", pa.string()),
        ("code", pa.string()),
        ("message", pa.string()),
        ("attempts", pa.int32()),
    ],
    metadata={"personalize_lab": "cohort checkpoint v1"},
)


class Checkpoint:
    """Append finished requests; flush them atomically. ``done`` maps (variant, key, digest) to responses."""

    def __init__(self, path: str | Path, *, every: int = 500, seconds: float = 5.0) -> None:
        self.path = Path(path)
        self.every = every
        self.seconds = seconds
        self._table = SCHEMA.empty_table()
        self._pending: list[dict[str, Any]] = []
        self._last_flush = time.monotonic()
        self._write_seconds = 0.0
        self.flushes = 0
        self.failure: OSError | None = None
        self.done: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.rows: dict[tuple[str, str, str], int] = {}  # 1-based row of each done request, for errors
        if self.path.exists() and not self.path.is_dir():
            self._load()
        check_writable(self.path)

    def _load(self) -> None:
        try:
            table = pq.read_table(self.path)
        except Exception as e:  # a file that is not ours: refuse rather than overwrite it
            raise ValidationError(
                f"checkpoint={str(self.path)!r} exists but is not a readable parquet file ({e}). "
                "Fix: pass a new path, or delete the file to start over",
                field="checkpoint",
                value=str(self.path),
                rule="a cohort checkpoint written by recommend_many",
            ) from e
        if not table.schema.equals(SCHEMA, check_metadata=False):
            raise ValidationError(
                f"checkpoint={str(self.path)!r} is not a recommend_many checkpoint (columns "
                f"{table.column_names}). Fix: pass a new path",
                field="checkpoint",
                value=str(self.path),
                rule="a cohort checkpoint written by recommend_many",
            )
        self._table = table.cast(SCHEMA)
        cols = table.select(["variant", "key", "digest", "status", "response"]).to_pydict()
        for row, (variant, key, dig, status, response) in enumerate(
            zip(cols["variant"], cols["key"], cols["digest"], cols["status"], cols["response"], strict=True),
            start=1,
        ):
            if status == "ok" and response is not None:
                self.done[(variant, key, dig)] = self._parse(row, response)
                self.rows[(variant, key, dig)] = row

    def _parse(self, row: int, text: str) -> dict[str, Any]:
        """One saved response: JSON of a runtime answer, or a DataError naming the file and the row."""
        try:
            response = json.loads(text)
        except ValueError as e:
            raise DataError(
                f"the saved response is not valid JSON ({e})",
                file=str(self.path),
                row=row,
                column="response",
                value=text[:80],
                rule="the service's answer as JSON",
                fix=_FIX_CONTENT,
            ) from e
        problem = _shape_problem(response)
        if problem is not None:
            raise DataError(
                f"the saved response is not a runtime answer: {problem}",
                file=str(self.path),
                row=row,
                column="response",
                value=text[:80],
                rule="a JSON object like GetRecommendations' answer",
                fix=_FIX_CONTENT,
            )
        return dict(response)

    def __len__(self) -> int:
        return self._table.num_rows + len(self._pending)

    def add(
        self,
        *,
        variant: str,
        key: str,
        digest: str,
        request: Mapping[str, Any],
        response: Mapping[str, Any] | None,
        code: str | None = None,
        message: str | None = None,
        attempts: int = 1,
    ) -> None:
        self._pending.append(
            {
                "variant": variant,
                "key": key,
                "digest": digest,
                "request": json.dumps(request, sort_keys=True, ensure_ascii=False),
                "status": "ok" if response is not None else "error",
                "response": None if response is None else json.dumps(response, ensure_ascii=False),
                "code": code,
                "message": message,
                "attempts": attempts,
            }
        )
        if len(self._pending) >= self.every or self._due():
            self.flush_or_warn()

    def _due(self) -> bool:
        interval = max(self.seconds, 10.0 * self._write_seconds)
        return time.monotonic() - self._last_flush >= interval

    def flush_or_warn(self) -> None:
        """:meth:`flush`, but a file system that refuses the write (disk full, folder removed) only warns,
        once: the run goes on and returns its results; only a restart would have to send them again."""
        try:
            self.flush()
        except OSError as e:
            if self.failure is None:
                warnings.warn(
                    f"checkpoint={str(self.path)!r} could not be written ({e}); the run goes on and returns "
                    "its results, but they are not saved for a restart. Fix: free space or pass a "
                    "checkpoint path on a writable disk",
                    PersonalizeLabWarning,
                    stacklevel=2,
                )
            self.failure = e

    def flush(self) -> None:
        """Write everything so far: temp file in the same folder, then an atomic rename."""
        if not self._pending and self.path.exists():
            return
        started = time.monotonic()
        table = pa.concat_tables([self._table, pa.Table.from_pylist(self._pending, schema=SCHEMA)])
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        os.close(fd)
        try:
            pq.write_table(table, tmp, compression="zstd")
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._table = table
        self._pending = []
        self.flushes += 1
        now = time.monotonic()
        self._write_seconds = now - started
        self._last_flush = now


def check_writable(path: Path) -> None:
    """Create a file next to ``path`` and remove it: a checkpoint that cannot be written is found before
    the first request, not after the first 500."""
    fix = "pass a file path in a folder you can write to, e.g. checkpoint='run.parquet'"
    if path.is_dir():
        raise ValidationError(
            f"checkpoint={str(path)!r} is a folder, not a file. Fix: pass a file in it, e.g. "
            f"checkpoint={str(path / 'run.parquet')!r}",
            field="checkpoint",
            value=str(path),
            rule="a writable file path",
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise ValidationError(
            f"checkpoint={str(path)!r} cannot be written ({e.strerror or e}): the run would lose what it "
            f"sent. Fix: {fix}",
            field="checkpoint",
            value=str(path),
            rule="a writable file path",
            fix=fix,
        ) from e


def _shape_problem(response: Any) -> str | None:
    """What makes ``response`` unreadable as a runtime answer, or None."""
    if not isinstance(response, dict):
        return f"a JSON {type(response).__name__}, not an object"
    for member, id_key in _LISTS.items():
        items = response.get(member)
        if items is None:
            continue
        if not isinstance(items, list):
            return f"{member} is a {type(items).__name__}, not a list"
        for n, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get(id_key), str):
                return f"{member}[{n}] is {json.dumps(item)[:60]}, not an object with a string {id_key}"
            score = item.get("score")
            if score is not None and (isinstance(score, bool) or not isinstance(score, int | float)):
                return f"{member}[{n}].score is {score!r}, not a number"
            reason = item.get("reason")
            if reason is not None and not (
                isinstance(reason, list) and all(isinstance(r, str) for r in reason)
            ):
                return f"{member}[{n}].reason is {reason!r}, not a list of strings"
            for text in ("promotionName",):
                if item.get(text) is not None and not isinstance(item[text], str):
                    return f"{member}[{n}].{text} is {item[text]!r}, not a string"
            if item.get("metadata") is not None and not isinstance(item["metadata"], dict):
                return f"{member}[{n}].metadata is {item['metadata']!r}, not an object"
    rid = response.get("recommendationId")
    if rid is not None and not isinstance(rid, str):
        return f"recommendationId is {rid!r}, not a string"
    return None
