"""The local Personalize over HTTP, so the AWS CLI and other SDKs can use it with ``--endpoint-url``.

Every route of the in-process transport, answered by the same :func:`wire.handle`. What it promises
(figures in docs/robustness.md, "The HTTP server"):

- It listens on 127.0.0.1 unless told otherwise (``::1`` works too); a wider host is logged as a warning.
- It accepts any SigV4-signed (or unsigned) request: **credentials are not checked**, any key works.
- Only what an AWS SDK sends gets through, so no web page can write to it or read from it: a request with
  an ``Origin`` that is not loopback, a ``Host`` that is not the address and port it serves (DNS
  rebinding), or a ``Content-Type`` other than the SDKs' (``application/x-amz-json-1.1`` with
  ``X-Amz-Target``, ``application/json`` on the runtime routes) is refused with 403 or 415.
- Every answer, including a bad request line, another method or a broken ``Content-Length``, is the
  service's error shape (status, ``x-amzn-ErrorType``, ``{"message": ...}``), never HTML or silence.
  Bodies over :data:`MAX_BODY_BYTES` (1 MiB) get 413 RequestEntityTooLargeException.
- Load is bounded: a listen backlog of :data:`BACKLOG`, a pool of at most ``workers`` threads, at most
  :data:`MAX_PENDING` accepted connections waiting for one (the rest wait in the kernel's backlog), an
  idle timeout between requests and a read timeout while a request arrives.
- HTTP/1.1 keep-alive, one log line per request on the ``personalize_lab.server`` logger; Ctrl-C or
  SIGTERM stops it cleanly.
"""

from __future__ import annotations

import ipaddress
import logging
import signal
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, cast
from urllib.parse import urlsplit

from personalize_lab.emulator import wire
from personalize_lab.emulator.exceptions import ServiceException

log = logging.getLogger("personalize_lab.server")

MAX_BODY_BYTES = 1 << 20
DRAIN_LIMIT_BYTES = 16 << 20  # bodies up to this are read and dropped; larger ones close the connection
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
BACKLOG = 1024  # socketserver's default of 5 dropped most of a 200-connection burst
DEFAULT_WORKERS = 64
MAX_PENDING = 1024  # accepted connections waiting for a worker; beyond it the accept loop waits
IDLE_TIMEOUT = 15.0  # seconds a keep-alive connection may wait for its next request
READ_TIMEOUT = 10.0  # seconds a request's line, headers or body may stall between two reads


class HTTPRequestError(ServiceException):
    """A request the HTTP layer refuses before any operation sees it; code and status are per instance."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def _media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_headers(headers: Mapping[str, str], bound_host: str, port: int, body: bytes) -> None:
    """Refuse what no AWS SDK sends but a web page can: foreign Origin, foreign Host, another Content-Type.

    A browser attaches ``Origin`` to every cross-origin POST and cannot set ``X-Amz-Target`` or
    ``application/json`` without a CORS preflight (which is refused), so a page can neither write nor,
    through DNS rebinding (``Host: attacker.example``), read.
    """
    origin = headers.get("Origin")
    if origin is not None:
        origin_host = urlsplit(origin).hostname or ""
        if not _is_loopback(origin_host):
            raise HTTPRequestError(
                "AccessDeniedException",
                403,
                f"Origin {origin!r} is not this machine: the local Personalize answers only SDKs and pages "
                "on loopback (127.0.0.1, localhost, ::1); call it from code, not from a web page",
            )
    _check_host(headers.get("Host"), bound_host, port)
    target = headers.get("X-Amz-Target")
    expected = wire.JSON_11 if target is not None else wire.REST_JSON
    media = _media_type(headers.get("Content-Type"))
    if media != expected and (media or body):
        raise HTTPRequestError(
            "UnsupportedMediaTypeException",
            415,
            f"Content-Type {headers.get('Content-Type')!r} is not what AWS SDKs send here; send "
            f"{expected} ({'JSON 1.1 with X-Amz-Target' if target is not None else 'the runtime routes'})",
        )


def _check_host(value: str | None, bound_host: str, port: int) -> None:
    parsed = urlsplit(f"//{value or ''}")
    try:
        host, host_port = (parsed.hostname or ""), (parsed.port or 80)
    except ValueError:  # a port that is not a number
        host, host_port = "", 0
    wide = not _is_loopback(bound_host)
    allowed = (_is_loopback(host) and not wide) or (wide and (host == "localhost" or _is_ip_literal(host)))
    if not allowed or host_port != port:
        served = f"[{bound_host}]" if ":" in bound_host else bound_host
        raise HTTPRequestError(
            "AccessDeniedException",
            403,
            f"Host {value!r} is not the address this local Personalize serves ({served}:{port}); "
            f"use --endpoint-url http://{served}:{port}",
        )


class _Handler(BaseHTTPRequestHandler):
    server: LocalServer
    protocol_version = "HTTP/1.1"  # keep-alive: boto3 reuses its pooled connections
    server_version = "personalize-lab"
    # headers and body leave in two writes; with Nagle on, keep-alive clients wait ~40 ms per request
    disable_nagle_algorithm = True

    def __getattr__(self, name: str) -> Any:
        # BaseHTTPRequestHandler answers a method without a do_<METHOD> with an HTML 501; every method
        # gets the service's own answer instead (an unknown operation, in its error shape)
        if name.startswith("do_"):
            return self._answer
        raise AttributeError(name)

    def handle_one_request(self) -> None:
        self.connection.settimeout(self.server.idle_timeout)  # waiting for the next request line
        super().handle_one_request()

    def parse_request(self) -> bool:
        self.connection.settimeout(self.server.read_timeout)  # the request has begun: headers, body
        return super().parse_request()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors found before a handler runs (bad request line, headers too long) in the service's shape."""
        self.close_connection = True
        self.request_version = "HTTP/1.1"  # an unparsable line leaves HTTP/0.9, which would send no headers
        status = HTTPStatus(code)
        error = HTTPRequestError(
            "SerializationException" if code < 500 else "InternalFailure",
            code,
            f"{status.phrase}: {message or status.description}",
        )
        self._send(wire.error_response(error, False))

    def _answer(self) -> None:
        started = time.perf_counter()
        is_json = self.headers.get("X-Amz-Target") is not None
        headers = cast("Mapping[str, str]", self.headers)  # case-insensitive .get, like botocore's
        try:
            body = self._body()
            check_headers(headers, self.server.host, self.server.port, body)
            answer = wire.handle(self.server.backend, self.command, self.path, headers, body)
        except ServiceException as error:
            answer = wire.error_response(error, is_json)
        self._send(answer)
        log.info(
            '%s "%s %s" %s %d %.1f ms',
            self.client_address[0],
            self.command,
            self.path,
            answer.operation or "-",
            answer.status,
            (time.perf_counter() - started) * 1000,
        )

    def _body(self) -> bytes:
        """The request body, or the HTTP layer's refusal (chunked, bad or oversized length, stalled)."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            raise wire.SerializationException(
                "Chunked request bodies are not supported by the local Personalize; send Content-Length"
            )
        raw = self.headers.get("Content-Length") or "0"
        if not raw.strip().isdigit():  # "abc", "-1", "1, 2": where the body ends is unknown
            self.close_connection = True
            raise wire.SerializationException(
                f"Content-Length {raw!r} is not a whole number of bytes; send the body's length in bytes"
            )
        length = int(raw)
        if length > MAX_BODY_BYTES:
            self._discard(length)
            raise wire.RequestEntityTooLargeException(
                f"Request body of {length} bytes exceeds the local Personalize's limit of "
                f"{MAX_BODY_BYTES} bytes (1 MiB)"
            )
        try:
            body = self.rfile.read(length) if length else b""
        except TimeoutError:
            self.close_connection = True
            raise HTTPRequestError(
                "RequestTimeoutException",
                408,
                f"The request body stalled for {self.server.read_timeout:g} s; send it whole",
            ) from None
        if len(body) < length:
            self.close_connection = True
            raise wire.SerializationException(
                f"The request body ended after {len(body)} of its {length} bytes (Content-Length)"
            )
        return body

    def _send(self, answer: wire.WireResponse) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

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


class LocalServer(HTTPServer):
    """An HTTP server bound to one backend (an engine with ``.control`` and runtime methods).

    Connections are served by a pool of at most ``workers`` threads; at most :data:`MAX_PENDING` accepted
    connections wait for one, and further ones wait in the kernel's listen backlog (:data:`BACKLOG`).
    """

    allow_reuse_address = True
    request_queue_size = BACKLOG

    def __init__(
        self,
        backend: Any,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        workers: int = DEFAULT_WORKERS,
        idle_timeout: float = IDLE_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
    ) -> None:
        self.backend = backend
        self.idle_timeout, self.read_timeout = idle_timeout, read_timeout
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="personalize-lab-http")
        self._slots = threading.BoundedSemaphore(MAX_PENDING)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        self._closing = False
        super().__init__((host, port), _Handler)

    @property
    def host(self) -> str:
        return str(self.server_address[0])

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def process_request(self, request: Any, client_address: Any) -> None:
        """Hand the connection to the pool; wait (the kernel queues the rest) while MAX_PENDING wait."""
        while not self._slots.acquire(timeout=0.1):
            if self._closing:
                self.shutdown_request(request)
                return
        with self._open_lock:
            self._open.add(request)
        try:
            self._pool.submit(self._serve_connection, request, client_address)
        except RuntimeError:  # the pool is shut down: the server is closing
            self._finish(request)

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            if not self._closing:
                self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self._finish(request)

    def _finish(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        self.shutdown_request(request)
        self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client that vanished mid-answer is routine; anything else is logged once, not printed
        log.debug("connection from %s ended with an error", client_address, exc_info=True)

    def server_close(self) -> None:
        """Stop accepting, end open connections (a worker blocked on a read returns at once), join."""
        self._closing = True
        super().server_close()
        with self._open_lock:
            open_now = list(self._open)
        for connection in open_now:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def running(backend: Any, host: str = DEFAULT_HOST, port: int = 0, **options: Any) -> Iterator[LocalServer]:
    """Serve in a background thread for the block (port 0 picks a free port; see ``server.url``).

    ``options`` go to :class:`LocalServer` (``workers``, ``idle_timeout``, ``read_timeout``).
    """
    server = LocalServer(backend, host, port, **options)
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
