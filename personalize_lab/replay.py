"""Record every call a Lab makes, and serve a recording offline through the same botocore seam.

A demo recorded once against AWS then runs anywhere, identically: replay returns the recorded response
*bytes* from a ``before-send`` handler, so boto3 still validates, serialises and parses as usual (and
raises the recorded service errors itself). Requests match exactly on their canonical form
(:func:`personalize_lab.canonical.canonical_json` of the operation name and the API parameters); a miss raises :class:`~personalize_lab.errors.ReplayMissError`
naming the nearest recorded requests.

File format: JSON Lines, one call per line:
``{"service", "operation", "region", "request": {api params}, "status", "headers", "body"}``.
"""

from __future__ import annotations

import difflib
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore
from botocore.config import Config

from personalize_lab.canonical import canonical_json
from personalize_lab.errors import ReplayMissError

__all__ = ["Recorder", "Replayer", "replay_clients"]

_STASH = "personalize_lab.request"
_KEPT_HEADERS = ("content-type", "x-amzn-errortype", "x-amzn-requestid")


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
        self.entries: list[dict[str, Any]] = [
            json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
        self._by_key: dict[str, list[dict[str, Any]]] = {}
        for entry in self.entries:
            key = canonical_json(entry["operation"], entry["request"])
            self._by_key.setdefault(key, []).append(entry)
        self._served: dict[str, int] = {}
        self._pending = threading.local()

    def attach(self, client: Any) -> None:
        sid = _service_id(client)
        client.meta.events.register(f"before-parameter-build.{sid}", _stash_params)

        def remember(model: Any, context: dict[str, Any], **_: Any) -> None:
            # before-send sees only the prepared HTTP request; the key is computed here, on the same thread
            self._pending.key = canonical_json(model.name, context.get(_STASH, {}))

        def serve(request: Any, **_: Any) -> botocore.awsrequest.AWSResponse:
            key = getattr(self._pending, "key", None)
            self._pending.key = None
            if key is None or key not in self._by_key:
                raise ReplayMissError(self._miss_message(key or "<unknown request>"))
            recorded = self._by_key[key]
            n = self._served.get(key, 0)
            self._served[key] = n + 1
            entry = recorded[min(n, len(recorded) - 1)]  # past the end: repeat the last answer
            return botocore.awsrequest.AWSResponse(
                request.url, entry["status"], entry["headers"], _RawBody(entry["body"].encode("utf-8"))
            )

        client.meta.events.register(f"before-call.{sid}", remember)
        client.meta.events.register(f"before-send.{sid}", serve)

    def _miss_message(self, key: str, n: int = 3) -> str:
        ranked = sorted(
            self._by_key,
            key=lambda k: difflib.SequenceMatcher(None, key, k, autojunk=False).ratio(),
            reverse=True,
        )[:n]
        nearest = "\n".join(f"  {k}" for k in ranked) or "  (the recording is empty)"
        return (
            f"request {key} is not in the recording {self.path} (exact match on the canonical request). "
            f"Nearest recorded requests:\n{nearest}\n"
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
