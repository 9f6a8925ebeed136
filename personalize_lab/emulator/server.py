"""The local Personalize over HTTP, so the AWS CLI and other SDKs can use it with ``--endpoint-url``.

Every route of the in-process transport, answered by the same :func:`wire.handle`. Deliberate limits:

- It listens on 127.0.0.1 unless told otherwise; a wider host is logged as a warning.
- It accepts any SigV4-signed (or unsigned) request: **credentials are not checked**, any key works.
- Bodies over :data:`MAX_BODY_BYTES` (1 MiB) are refused (read and dropped) with HTTP 413,
  ``x-amzn-ErrorType: RequestEntityTooLargeException`` and a ``{"message": ...}`` body.
- One thread per connection (``ThreadingHTTPServer``), HTTP/1.1 keep-alive, one log line per request on
  the ``personalize_lab.server`` logger; Ctrl-C or SIGTERM stops it cleanly.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from personalize_lab.emulator import wire

log = logging.getLogger("personalize_lab.server")

MAX_BODY_BYTES = 1 << 20
DRAIN_LIMIT_BYTES = 16 << 20  # bodies up to this are read and dropped; larger ones close the connection
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class _Handler(BaseHTTPRequestHandler):
    server: LocalServer
    protocol_version = "HTTP/1.1"  # keep-alive: boto3 reuses its pooled connections
    server_version = "personalize-lab"
    # headers and body leave in two writes; with Nagle on, keep-alive clients wait ~40 ms per request
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        self._answer()

    def do_GET(self) -> None:  # answered with the service's unknown-operation error
        self._answer()

    def _answer(self) -> None:
        started = time.perf_counter()
        is_json = self.headers.get("X-Amz-Target") is not None
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            error: wire.ServiceException = wire.SerializationException(
                "Chunked request bodies are not supported by the local Personalize; send Content-Length"
            )
            answer = wire.error_response(error, is_json)
        elif length > MAX_BODY_BYTES:
            self._discard(length)
            error = wire.RequestEntityTooLargeException(
                f"Request body of {length} bytes exceeds the local Personalize's limit of "
                f"{MAX_BODY_BYTES} bytes (1 MiB)"
            )
            answer = wire.error_response(error, is_json)
        else:
            body = self.rfile.read(length) if length else b""
            headers = cast("Mapping[str, str]", self.headers)  # case-insensitive .get, like botocore's
            answer = wire.handle(self.server.backend, self.command, self.path, headers, body)
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(answer.body)
        log.info(
            '%s "%s %s" %s %d %.1f ms',
            self.client_address[0],
            self.command,
            self.path,
            answer.operation or "-",
            answer.status,
            (time.perf_counter() - started) * 1000,
        )

    def _discard(self, length: int) -> None:
        """Read an oversized body away unkept, so the client sees the 413 rather than a broken pipe."""
        if length > DRAIN_LIMIT_BYTES:
            self.close_connection = True  # not worth reading: drop the connection after answering
            return
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                break
            length -= len(chunk)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request is written by _answer, on our logger


class LocalServer(ThreadingHTTPServer):
    """A threading HTTP server bound to one backend (an engine with ``.control`` and runtime methods)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, backend: Any, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
        self.backend = backend
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


@contextmanager
def running(backend: Any, host: str = DEFAULT_HOST, port: int = 0) -> Iterator[LocalServer]:
    """Serve in a background thread for the block (port 0 picks a free port; see ``server.url``)."""
    server = LocalServer(backend, host, port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serve(backend: Any, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve in the foreground until Ctrl-C or SIGTERM, then close the socket and return."""
    if host not in LOOPBACK:
        log.warning(
            "listening on %s: anyone who can reach this address can query and change the local "
            "Personalize (credentials are not checked). Use the default 127.0.0.1 unless you mean it.",
            host,
        )
    server = LocalServer(backend, host, port)

    def _stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _stop)
    log.info("local Personalize listening on %s (credentials are not checked)", server.url)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        server.server_close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
