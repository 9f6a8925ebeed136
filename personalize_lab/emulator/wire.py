"""The wire layer: a serialised Personalize request in, the service's exact HTTP answer out.

Shared by the in-process botocore transport and the HTTP server, so both answer byte for byte alike.
Routing is read from botocore's own service models (``requestUri`` of the rest-json services,
``targetPrefix`` of the JSON 1.1 control plane), so it cannot drift from what boto3 sends. Operations go
to ``backend.<snake_case>(**params)`` (runtime and events) or ``backend.control.<snake_case>(**params)``
(control plane); the backend never sees JSON. Errors leave as the service sends them: status,
``x-amzn-ErrorType``, ``x-amzn-RequestId`` and a ``{"message": ...}`` body (plus ``__type`` for JSON 1.1).
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import botocore.session
from botocore.model import OperationModel

from personalize_lab.emulator.exceptions import (
    InvalidInputException,
    ServiceException,
    UnknownOperationException,
)
from personalize_lab.emulator.validation import SerializationException, decode_input

log = logging.getLogger("personalize_lab.emulator")

CONTROL = "personalize"
RUNTIME = "personalize-runtime"
EVENTS = "personalize-events"
SERVICES = (CONTROL, RUNTIME, EVENTS)
#: Operations the engine (``LocalPersonalize``) answers itself; the control plane's are its methods.
ENGINE_OPERATIONS: dict[str, tuple[str, ...]] = {
    RUNTIME: ("GetRecommendations", "GetPersonalizedRanking", "GetActionRecommendations"),
    EVENTS: ("PutEvents", "PutItems", "PutUsers", "PutActions", "PutActionInteractions"),
}
COVERAGE_DOC = "docs/emulator-coverage.md"
JSON_11 = "application/x-amz-json-1.1"
REST_JSON = "application/json"


class RequestEntityTooLargeException(ServiceException):
    """The HTTP server refuses bodies over its documented limit before reading them."""

    code = "RequestEntityTooLargeException"
    status = 413


class InternalFailure(ServiceException):
    code = "InternalFailure"
    status = 500


@dataclass
class WireResponse:
    """What goes back on the wire: status, headers, body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes
    operation: str = ""  # for the server's log line; empty when no operation matched


@dataclass(frozen=True)
class Route:
    service: str
    operation: OperationModel

    @property
    def name(self) -> str:
        return self.operation.name

    @property
    def method_name(self) -> str:
        return snake_case(self.operation.name)


@dataclass
class _Routes:
    by_path: dict[tuple[str, str], Route] = field(default_factory=dict)
    by_target: dict[str, Route] = field(default_factory=dict)


@cache  # called on every request (Route.method_name); a regex substitution each time adds up
def snake_case(operation: str) -> str:
    """``GetPersonalizedRanking`` -> ``get_personalized_ranking`` (boto3's method names)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", operation).lower()


@cache
def service_model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


@cache
def _routes() -> _Routes:
    routes = _Routes()
    for service in SERVICES:
        model = service_model(service)
        for name in model.operation_names:
            op = model.operation_model(name)
            if model.protocol == "json":
                routes.by_target[f"{model.metadata['targetPrefix']}.{name}"] = Route(service, op)
            else:
                routes.by_path[(op.http["method"], op.http["requestUri"])] = Route(service, op)
    return routes


def _target_header(headers: Mapping[str, Any]) -> str | None:
    # botocore keeps some header values as bytes; HTTP servers give str; dicts may be any case
    value = headers.get("X-Amz-Target") or headers.get("x-amz-target")
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


def resolve(method: str, path: str, headers: Mapping[str, Any]) -> Route:
    """Find the operation a request is for: the ``X-Amz-Target`` header, else method and path."""
    return _resolve(method, path, _target_header(headers))


def _resolve(method: str, path: str, target: str | None) -> Route:
    routes = _routes()
    if target:
        route = routes.by_target.get(target)
        if route is None:
            raise UnknownOperationException(f"Unknown operation target {target!r}")
        return route
    route = routes.by_path.get((method.upper(), path.split("?", 1)[0]))
    if route is None:
        raise UnknownOperationException(
            f"No Personalize operation is served at {method.upper()} {path}; the runtime answers "
            "POST /recommendations, /personalize-ranking, /action-recommendations and events POST "
            "/events, /items, /users; the control plane is POST / with X-Amz-Target"
        )
    return route


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.timestamp()  # the wire carries epoch seconds
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp()
    if hasattr(value, "item") and hasattr(value, "dtype"):  # numpy scalars from the engine's scoring
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


#: ``json.dumps(..., default=_json_default, separators=(",", ":"))`` without building an encoder per call
#: (json.dumps reuses its own only for default arguments; building one costs more than encoding 25 items).
#: No circular-reference bookkeeping: answers are fresh trees of dicts and lists, never cyclic.
_ENCODER = json.JSONEncoder(default=_json_default, separators=(",", ":"), check_circular=False)


def _params(route: Route, body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        params = json.loads(body)
    except ValueError as error:  # UnicodeDecodeError included: the body is not UTF-8
        raise SerializationException(f"The request body is not valid JSON: {error}") from None
    except RecursionError:  # the model is at most a few levels deep; json gives up near 1,000
        raise SerializationException(
            "The request body is nested too deeply to be a request of this operation"
        ) from None
    if not isinstance(params, dict):
        raise SerializationException("The request body must be a JSON object")
    return decode_input(route.operation.input_shape, params)


def _target(backend: Any, route: Route) -> Any:
    owner = backend.control if route.service == CONTROL else backend
    method = getattr(owner, route.method_name, None)
    if method is None or (route.service != CONTROL and route.name not in ENGINE_OPERATIONS[route.service]):
        raise UnknownOperationException(
            f"The local Personalize does not emulate {route.service}:{route.name} "
            f"(boto3 {route.method_name}); {COVERAGE_DOC} lists what it emulates"
        )
    return method


@cache
def _signature(function: Any) -> inspect.Signature:
    return inspect.signature(function)


def _check_arguments(target: Any, params: dict[str, Any]) -> None:
    """Raise TypeError if the backend method cannot take ``params`` (signatures cached per function)."""
    function = getattr(target, "__func__", None)
    if function is None:
        _signature(target).bind(**params)
    else:
        _signature(function).bind(target.__self__, **params)


def error_response(
    error: ServiceException, protocol_json: bool, request_id: str | None = None
) -> WireResponse:
    """The service's error shape; botocore reads the code from the header and the message from the body."""
    body: dict[str, str] = {"message": error.message}
    if protocol_json:
        body["__type"] = error.code
    return WireResponse(
        error.status,
        {
            "Content-Type": JSON_11 if protocol_json else REST_JSON,
            "x-amzn-ErrorType": error.code,
            "x-amzn-RequestId": request_id or str(uuid.uuid4()),
        },
        json.dumps(body).encode(),
    )


def handle(backend: Any, method: str, path: str, headers: Mapping[str, Any], body: bytes) -> WireResponse:
    """Answer one serialised request as the service would (never raises for a service error)."""
    request_id = str(uuid.uuid4())
    target_header = _target_header(headers)
    is_json = target_header is not None
    route: Route | None = None
    try:
        route = _resolve(method, path, target_header)
        target, params = _target(backend, route), _params(route, body)
        try:
            _check_arguments(target, params)
        except TypeError as error:  # a member the model has but the emulator does not take: name it
            raise InvalidInputException(
                f"{route.name}: the local Personalize does not take this request ({error}); "
                f"{COVERAGE_DOC} lists what it emulates"
            ) from None
        result = target(**params)
        payload = _ENCODER.encode(result or {}).encode()
    except ServiceException as error:
        answer = error_response(error, is_json, request_id)
        answer.operation = route.name if route is not None else ""
        return answer
    except Exception as error:  # a bug in the emulator: answer as the service does, keep the trace
        log.exception("local Personalize failed on %s %s", method, path)
        failure = InternalFailure(f"The local Personalize failed: {type(error).__name__}: {error}")
        answer = error_response(failure, is_json, request_id)
        answer.operation = route.name if route is not None else ""
        return answer
    headers_out = {
        "Content-Type": JSON_11 if route.service == CONTROL else REST_JSON,
        "x-amzn-RequestId": request_id,
    }
    return WireResponse(200, headers_out, payload, route.name)
