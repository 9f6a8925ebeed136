"""The checkpoint of a cohort run: a parquet file of finished requests that survives crashes and restarts.

One row per finished request: ``variant``, ``key`` (user or seed item), ``digest`` (of the canonical
request), ``request`` and ``response`` (JSON, the response exactly as the service sent it, without
boto3's ResponseMetadata), ``status`` (``ok`` / ``error``), ``code``, ``message`` and ``attempts``. Rows
arrive in batches (every ``every`` results or ``seconds``, whichever first) and each flush writes the
whole table to a temporary file and renames it over the old one, so a crash mid-write leaves the previous
checkpoint intact. Writing costs grow with the table, so the interval also grows: never more than
about a tenth of the run is spent writing.

A resumed run takes the ``ok`` rows whose variant, key and digest match one of its requests; failed
requests are tried again (a resume is a natural second chance for throttled users). The responses also
refill the in-memory cache, so the checkpoint doubles as an on-disk response cache.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from personalize_lab.errors import ValidationError

__all__ = ["SCHEMA", "Checkpoint"]

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
        self.done: dict[tuple[str, str, str], dict[str, Any]] = {}
        if self.path.exists():
            self._load()

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
        for variant, key, dig, status, response in zip(
            cols["variant"], cols["key"], cols["digest"], cols["status"], cols["response"], strict=True
        ):
            if status == "ok" and response is not None:
                self.done[(variant, key, dig)] = json.loads(response)

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
            self.flush()

    def _due(self) -> bool:
        interval = max(self.seconds, 10.0 * self._write_seconds)
        return time.monotonic() - self._last_flush >= interval

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
