"""Record every call a Lab makes, and serve a recording offline through the same botocore seam.

A demo recorded once against AWS then runs anywhere, identically: replay returns the recorded response
*bytes* from a ``before-send`` handler, so boto3 still validates, serialises and parses as usual (and
raises the recorded service errors itself). Requests match exactly on their canonical form
(:func:`personalize_lab.canonical.canonical_json` of the operation name and the API parameters), a
dictionary lookup; a miss raises :class:`~personalize_lab.errors.ReplayMissError` naming the nearest
recorded requests, found in an index by operation and target (not by scanning the recording).

A recording is checked when it is opened: a torn last line (the recording process was killed mid-write)
is skipped with a warning, any other bad line raises :class:`~personalize_lab.errors.ReplayError` naming
the file and the line.

File format: JSON Lines, one call per line:
``{"service", "operation", "region", "request": {api params}, "status", "headers", "body"}``.
"""

from __future__ import annotations

import json
import re
import threading
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore
from botocore.config import Config

from personalize_lab.canonical import canonical_json
from personalize_lab.errors import PersonalizeLabWarning, ReplayError, ReplayMissError

__all__ = ["Recorder", "Replayer", "read_recording", "replay_clients"]

_STASH = "personalize_lab.request"
_KEPT_HEADERS = ("content-type", "x-amzn-errortype", "x-amzn-requestid")
#: botocore's own rule for a region name (a recording that breaks it would fail inside boto3).
_REGION = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?")


def _service_id(client: Any) -> str:
    return str(client.meta.service_model.service_id.hyphenize())


def _stash_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    # api params as the caller wrote them, before botocore adds anything; json round-trip = deep copy
    context[_STASH] = json.loads(json.dumps(params, default=str))


class Recorder:
    """Appends each request and its raw response to a JSON Lines file (one ``Lab(record=...)``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def attach(self, client: Any) -> None:
        sid = _service_id(client)
        region = client.meta.region_name
        client.meta.events.register(f"before-parameter-build.{sid}", _stash_params)

        def record(http_response: Any, model: Any, context: dict[str, Any], **_: Any) -> None:
            headers = {k.lower(): v for k, v in http_response.headers.items()}
            entry = {
                "service": sid,
                "operation": model.name,
                "region": region,
                "request": context.get(_STASH, {}),
                "status": http_response.status_code,
                "headers": {k: headers[k] for k in _KEPT_HEADERS if k in headers},
                "body": http_response.content.decode("utf-8"),
            }
            line = json.dumps(entry, sort_keys=True) + "\n"
            with self._lock, self.path.open("a", encoding="utf-8") as fh:
                fh.write(line)

        client.meta.events.register(f"after-call.{sid}", record)


class _RawBody:
    """The minimal raw-response object botocore reads (``stream()``)."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


class Replayer:
    """Serves recorded responses; identical requests get their recorded answers in recorded order."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.entries: list[dict[str, Any]] = read_recording(self.path)
        self._by_key: dict[str, list[dict[str, Any]]] = {}
        self._index = _MissIndex()
        for entry in self.entries:
            key = canonical_json(entry["operation"], entry["request"])
            if key not in self._by_key:
                self._index.add(key, entry["operation"], entry["request"])
            self._by_key.setdefault(key, []).append(entry)
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self._pending = threading.local()

    def attach(self, client: Any) -> None:
        sid = _service_id(client)
        client.meta.events.register(f"before-parameter-build.{sid}", _stash_params)

        def remember(model: Any, context: dict[str, Any], **_: Any) -> None:
            # before-send sees only the prepared HTTP request; the key is computed here, on the same thread
            params = context.get(_STASH, {})
            self._pending.call = (model.name, params, canonical_json(model.name, params))

        def serve(request: Any, **_: Any) -> botocore.awsrequest.AWSResponse:
            call = getattr(self._pending, "call", None)
            self._pending.call = None
            if call is None or call[2] not in self._by_key:
                raise ReplayMissError(self._miss_message(call))
            key = call[2]
            recorded = self._by_key[key]
            with self._lock:
                n = self._served.get(key, 0)
                self._served[key] = n + 1
            entry = recorded[min(n, len(recorded) - 1)]  # past the end: repeat the last answer
            return botocore.awsrequest.AWSResponse(
                request.url, entry["status"], entry["headers"], _RawBody(entry["body"].encode("utf-8"))
            )

        client.meta.events.register(f"before-call.{sid}", remember)
        client.meta.events.register(f"before-send.{sid}", serve)

    def _miss_message(self, call: tuple[str, dict[str, Any], str] | None, n: int = 3) -> str:
        key = call[2] if call is not None else "<unknown request>"
        nearest = self._index.nearest(call[0], call[1], n) if call is not None else []
        lines = "\n".join(
            f"  {k}" + (f"  (differs in {', '.join(diff)})" if diff else "") for k, diff in nearest
        )
        if not lines:
            lines = f"  (none for this operation and target; the recording holds {self._index.summary()})"
        return (
            f"request {key} is not in the recording {self.path} (exact match on the canonical request). "
            f"Nearest recorded requests:\n{lines}\n"
            "Fix: send exactly a recorded request, or record again with pl.Lab(..., record=...)"
        )

    def region(self) -> str:
        return str(self.entries[0].get("region") or "us-east-1") if self.entries else "us-east-1"

    def target(self) -> tuple[str | None, str | None]:
        """(campaign ARN, recommender ARN) of the first recorded runtime or describe call."""
        for entry in self.entries:
            req = entry["request"]
            if req.get("campaignArn") or req.get("recommenderArn"):
                return req.get("campaignArn"), req.get("recommenderArn")
        return None, None


class _MissIndex:
    """Recorded requests by operation and target, with posting lists of their members' values, so the
    "nearest recorded requests" of a miss cost a few dictionary lookups, not a scan of the recording.

    Nearest = the recorded requests of the same operation on the same target that share the most member
    values with the missed one (members every request of that bucket shares are not counted)."""

    def __init__(self) -> None:
        self.buckets: dict[tuple[str, str], list[str]] = {}
        self.requests: dict[str, dict[str, Any]] = {}
        self.postings: dict[tuple[str, str], dict[tuple[str, str], list[str]]] = {}

    def add(self, key: str, operation: str, request: dict[str, Any]) -> None:
        bucket = (operation, _target_of(request))
        self.buckets.setdefault(bucket, []).append(key)
        self.requests[key] = request
        postings = self.postings.setdefault(bucket, {})
        for member, value in request.items():
            postings.setdefault((member, _value(value)), []).append(key)

    def nearest(self, operation: str, request: dict[str, Any], n: int) -> list[tuple[str, list[str]]]:
        bucket = (operation, _target_of(request))
        keys = self.buckets.get(bucket, [])
        if not keys:
            return []
        shared: Counter[str] = Counter()
        postings = self.postings[bucket]
        for member, value in request.items():
            hits = postings.get((member, _value(value)), [])
            if len(hits) < len(keys):  # a value every request of the bucket has ranks none above another
                shared.update(hits)
        ranked = [k for k, _ in shared.most_common(n)]
        ranked += [k for k in keys[: n + len(ranked)] if k not in ranked][: n - len(ranked)]
        return [(k, _differences(request, self.requests[k])) for k in ranked]

    def summary(self, limit: int = 5) -> str:
        if not self.buckets:
            return "no requests"
        parts = [
            f"{op} on {target or '(no ARN)'} ×{len(keys)}" for (op, target), keys in self.buckets.items()
        ]
        more = f", … {len(parts) - limit} more" if len(parts) > limit else ""
        return ", ".join(parts[:limit]) + more


def _target_of(request: dict[str, Any]) -> str:
    """The ARN a request is about: its campaign or recommender, else its first ``...Arn`` member."""
    for member in ("campaignArn", "recommenderArn"):
        if isinstance(request.get(member), str):
            return str(request[member])
    return next((str(v) for k, v in sorted(request.items()) if k.endswith("Arn") and isinstance(v, str)), "")


def _value(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _differences(wanted: dict[str, Any], recorded: dict[str, Any]) -> list[str]:
    """The members whose values differ between the missed request and a recorded one."""
    members = sorted(set(wanted) | set(recorded))
    return [m for m in members if _value(wanted.get(m)) != _value(recorded.get(m))]


def read_recording(path: Path) -> list[dict[str, Any]]:
    """The entries of a recording. A torn last line (the recording process was killed mid-write: no
    newline at the end) is skipped with a warning; any other line that is not a recorded call raises a
    :class:`~personalize_lab.errors.ReplayError` naming the file and the line."""
    fix_file = "pass the path of a file written by pl.Lab(..., record=...)"
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ReplayError(f"cannot be read ({e.strerror or e}). Fix: {fix_file}", file=str(path)) from e
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ReplayError(
            f"bytes that are not UTF-8 ({e.reason}). Fix: record again, or delete the line",
            file=str(path),
            line=raw.count(b"\n", 0, e.start) + 1,
        ) from e
    lines = text.split("\n")
    entries = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError as e:
            if number == len(lines):  # the last line has no newline after it: a write cut short
                warnings.warn(
                    f"recording {path}, line {number}: the last line is incomplete (the recording process "
                    "was probably stopped while writing it); it is skipped",
                    PersonalizeLabWarning,
                    stacklevel=4,
                )
                continue
            raise ReplayError(
                f"not a JSON line ({e}). Fix: delete the line, or record again", file=str(path), line=number
            ) from e
        problem = _entry_problem(entry)
        if problem is not None:
            raise ReplayError(
                f"not a recorded call: {problem}. Fix: delete the line, or record again",
                file=str(path),
                line=number,
            )
        entries.append(entry)
    return entries


def _entry_problem(entry: Any) -> str | None:
    """What keeps ``entry`` from being served, or None."""
    if not isinstance(entry, dict):
        return f"a JSON {type(entry).__name__}, not an object"
    kinds: dict[str, tuple[type, ...]] = {
        "service": (str,),
        "operation": (str,),
        "request": (dict,),
        "status": (int,),
        "headers": (dict,),
        "body": (str,),
    }
    for member, kind in kinds.items():
        value = entry.get(member)
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"{member!r} is {json.dumps(value)[:60]}, not a {kind[0].__name__}"
    if not entry["operation"]:
        return "'operation' is empty"
    if not 100 <= entry["status"] <= 599:
        return f"'status' is {entry['status']}, not an HTTP status (100-599)"
    bad = [k for k, v in entry["headers"].items() if not isinstance(v, str)]
    if bad:
        return f"header {bad[0]!r} is not a string"
    region = entry.get("region")
    if region is not None and (not isinstance(region, str) or not _REGION.fullmatch(region)):
        return f"'region' is {json.dumps(region)[:60]}, not an AWS region name"
    return None


def replay_clients(path: str | Path) -> tuple[Any, Any, tuple[str | None, str | None]]:
    """(runtime client, control client, recorded target) served from a recording, unsigned: no
    credentials are looked up and nothing leaves the process."""
    replayer = Replayer(path)
    session = boto3.session.Session(region_name=replayer.region())
    config = Config(signature_version=botocore.UNSIGNED, retries={"total_max_attempts": 1})
    runtime = session.client("personalize-runtime", config=config)
    control = session.client("personalize", config=config)
    replayer.attach(runtime)
    replayer.attach(control)
    return runtime, control, replayer.target()
