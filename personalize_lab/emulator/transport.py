"""In-process transport: real boto3 clients whose requests are answered by the local Personalize.

A botocore ``before-send`` handler, scoped to ``personalize``, ``personalize-runtime`` and
``personalize-events``, hands the fully serialised, signed request to :func:`wire.handle` and returns an
``AWSResponse``. boto3 keeps doing everything it does against AWS (parameter validation, serialisation,
signing, retries, parsing, raising ``client.exceptions.InvalidInputException``), so code written for AWS
runs unchanged. Three ways in: :func:`make_client`, :func:`install` on an existing client, and the
:func:`activate` context manager for every client created inside a ``with`` block.
"""

from __future__ import annotations

import contextvars
import inspect
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, cast
from urllib.parse import urlsplit

import boto3
import botocore.client
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.credentials import Credentials

from personalize_lab.emulator import wire

DUMMY_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
_HANDLER_ID = "personalize_lab.local"
#: the URL a request answered in-process is left with (see Dispatcher.__call__)
ANSWERED_HERE = "http://answered-in-process.personalize-lab.invalid"


class _Body:
    """The ``raw`` botocore reads a response from: only ``stream()`` is needed."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


def _path(url: str) -> str:
    """``urlsplit(url).path`` for the absolute URLs botocore sends, without urlsplit's general parsing."""
    start = url.find("://")
    if start < 0:
        return urlsplit(url).path
    slash = url.find("/", start + 3)
    if slash < 0:
        return ""
    return url[slash:].split("?", 1)[0].split("#", 1)[0]


class Dispatcher:
    """The ``before-send`` handler bound to one backend (an object with ``.control`` and runtime methods)."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        body = request.body
        if body is None:
            data = b""
        elif isinstance(body, bytes | bytearray):
            data = bytes(body)
        elif isinstance(body, str):
            data = body.encode()
        else:  # a file-like body (not used by these services, but botocore allows it)
            raw = body.read()
            data = raw.encode() if isinstance(raw, str) else raw
        headers = cast("Mapping[str, str]", request.headers)  # case-insensitive, as over HTTP
        url, path = request.url, _path(request.url)
        answer = wire.handle(self.backend, request.method, path, headers, data)
        # botocore runs every before-send handler and keeps the first answer, so a later one (moto's
        # mock_aws stubber) would still handle an AWS URL — and raise NotImplementedError for Personalize.
        # The request now names a host no AWS mock claims: it has been answered here.
        request.url = ANSWERED_HERE + path
        return AWSResponse(url, answer.status, answer.headers, _Body(answer.body))  # type: ignore[arg-type]


def _event_name(client: Any) -> str:
    service_name = client.meta.service_model.service_name
    if service_name not in wire.SERVICES:
        raise ValueError(
            f"client for {service_name!r} cannot be wired to the local Personalize; "
            f"only {', '.join(wire.SERVICES)} clients can"
        )
    return f"before-send.{client.meta.service_model.service_id.hyphenize()}"


def install(client: Any, backend: Any) -> Any:
    """Wire an existing boto3 client to ``backend``; re-installing replaces the previous backend."""
    event = _event_name(client)
    client.meta.events.unregister(event, unique_id=_HANDLER_ID)
    client.meta.events.register_first(event, Dispatcher(backend), unique_id=_HANDLER_ID)
    return client


def uninstall(client: Any) -> Any:
    """Undo :func:`install`: the client talks to its endpoint again."""
    client.meta.events.unregister(_event_name(client), unique_id=_HANDLER_ID)
    return client


_session_lock = threading.Lock()
_session: boto3.session.Session | None = None


def _shared_session() -> boto3.session.Session:
    # One session caches the loaded service models, so later clients cost milliseconds, not 0.1 s.
    global _session
    with _session_lock:
        if _session is None:
            _session = boto3.session.Session()
        return _session


def make_client(backend: Any, service_name: str, region: str = "us-east-1", **kwargs: Any) -> Any:
    """A real boto3 client for one of the three services, answered by ``backend``.

    Dummy credentials are used unless given (the local Personalize does not check them); ``kwargs`` go
    to ``Session.client`` (``config=Config(...)``, ``endpoint_url``...).
    """
    if service_name not in wire.SERVICES:
        raise ValueError(f"service_name={service_name!r}: the local Personalize serves {wire.SERVICES}")
    if "aws_access_key_id" not in kwargs:
        kwargs.update(DUMMY_CREDENTIALS)
    session = _shared_session()
    with _session_lock:  # client creation on one session is not thread-safe
        client = session.client(service_name, region_name=region, **kwargs)  # type: ignore[call-overload]
    return install(client, backend)


# ---- activate(): every client created inside a `with` block --------------------------------------------
# The creating thread sees its own stack (a ContextVar: nested blocks, innermost wins); threads that did
# not enter a block themselves (worker pools started inside it) see the most recently entered backend.
_context_stack: contextvars.ContextVar[tuple[Any, ...]] = contextvars.ContextVar(
    "personalize_lab_local_backends", default=()
)
_active_lock = threading.Lock()
_active: list[Any] = []
_original_create_client: Any = None


def _current_backend() -> Any:
    stack = _context_stack.get()
    if stack:
        return stack[-1]
    with _active_lock:
        return _active[-1] if _active else None


def _create_client_wrapper(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
    backend = _current_backend()
    if backend is None or service_name not in wire.SERVICES:
        return _original_create_client(self, service_name, *args, **kwargs)
    call = inspect.signature(_original_create_client).bind(self, service_name, *args, **kwargs)
    if call.arguments.get("credentials") is None:
        # a notebook written for AWS on a machine without AWS credentials: botocore signs every request
        # before it reaches the engine, so give it dummy ones (the local Personalize never checks them)
        call.arguments["credentials"] = Credentials(
            DUMMY_CREDENTIALS["aws_access_key_id"], DUMMY_CREDENTIALS["aws_secret_access_key"]
        )
    return install(_original_create_client(*call.args, **call.kwargs), backend)


@contextmanager
def activate(backend: Any) -> Iterator[Any]:
    """Inside the block, every new personalize / -runtime / -events boto3 client talks to ``backend``.

    Covers ``boto3.client``, ``boto3.Session().client`` and plain botocore sessions (it wraps botocore's
    ``ClientCreator.create_client`` while any block is open and restores it after the last one). Clients
    created inside stay wired after the block ends, so they never reach AWS by surprise; clients created
    before it are untouched (use :func:`install`). A client created without any AWS credentials gets
    dummy ones, so code written for AWS runs on a machine that has none.
    """
    global _original_create_client
    with _active_lock:
        if not _active:
            _original_create_client = botocore.client.ClientCreator.create_client
            botocore.client.ClientCreator.create_client = _create_client_wrapper  # type: ignore[method-assign]
        _active.append(backend)
    token = _context_stack.set((*_context_stack.get(), backend))
    try:
        yield backend
    finally:
        _context_stack.reset(token)
        with _active_lock:
            # remove this activation (the last identical entry), wherever it sits
            for i in range(len(_active) - 1, -1, -1):
                if _active[i] is backend:
                    del _active[i]
                    break
            if not _active:
                # _original_create_client stays set: a thread already inside the wrapper still needs it
                botocore.client.ClientCreator.create_client = _original_create_client  # type: ignore[method-assign]


class WiredMixin:
    """``client()``, ``install()`` and ``with engine:`` for an engine class (``LocalPersonalize``).

    ``with engine:`` activates the engine for every boto3 client created in the block; it nests, and
    each thread keeps its own stack of open blocks.
    """

    def client(
        self, service_name: str = "personalize-runtime", region: str = "us-east-1", **kwargs: Any
    ) -> Any:
        """A real boto3 client for ``personalize``, ``personalize-runtime`` or ``personalize-events``."""
        return make_client(self, service_name, region, **kwargs)

    def install(self, client: Any) -> Any:
        """Wire an existing boto3 client to this engine."""
        return install(client, self)

    def _open_blocks(self) -> list[Any]:
        local = self.__dict__.setdefault("_wired_threads", threading.local())
        if not hasattr(local, "blocks"):
            local.blocks = []
        blocks: list[Any] = local.blocks
        return blocks

    def __enter__(self) -> Any:
        block = activate(self)
        block.__enter__()
        self._open_blocks().append(block)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._open_blocks().pop().__exit__(*exc_info)
