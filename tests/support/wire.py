"""A botocore ``before-send`` hook in front of the local Personalize: counts requests, injects errors.

Fault injection through botocore's own event system: the client, its retries and the local Personalize stay
real; only the answers ``fail`` picks are replaced by a service error, or by a connection failure raised
where botocore's HTTP send would raise it (``ConnectionClosedError``, ``EndpointConnectionError``, ...).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.config import Config

from personalize_lab.client import Connection, Lab
from personalize_lab.emulator import LocalPersonalize

#: ``fail(body, n)``: None (the local Personalize answers), (status, code) (a service error) or an
#: exception to raise as the connection would.
Failure = Callable[[dict[str, Any], int], "tuple[int, str] | Exception | None"]


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


class Wire:
    """Counts every GetRecommendations sent and answers the ones ``fail`` picks with a service error."""

    def __init__(self, fail: Failure | None = None) -> None:
        self.fail = fail
        self.sent: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        body = json.loads(request.body)
        with self._lock:
            self.sent.append(body)
            answer = self.fail(body, len(self.sent)) if self.fail else None
        if answer is None:
            return None  # the local Personalize answers
        if isinstance(answer, Exception):
            raise answer  # botocore treats it as it treats a failed HTTP send (retried, or raised)
        status, code = answer
        headers = {"x-amzn-ErrorType": code, "Content-Type": "application/json"}
        message = json.dumps({"message": f"injected {code}"}).encode()
        return AWSResponse(request.url, status, headers, _Body(message))  # type: ignore[arg-type]

    def users(self) -> list[str]:
        return [str(b.get("userId") or b.get("itemId")) for b in self.sent]


def wired_lab(local: LocalPersonalize, wire: Wire, campaign: str = "up", config: Config | None = None) -> Lab:
    """A Lab whose runtime client has ``wire`` in front of the local Personalize and no botocore retries
    (``config``: the client's botocore config instead, e.g. ``Config()`` for botocore's default retries)."""
    client = local.client("personalize-runtime", config=config or Config(retries={"total_max_attempts": 1}))
    client.meta.events.register_first("before-send.personalize-runtime", wire)
    local.install(client)  # re-registers the local Personalize after the wire
    connection = Connection(client, local.client("personalize"), source="local", local_personalize=local)
    return Lab(local.campaign_arns[campaign], connection=connection)
