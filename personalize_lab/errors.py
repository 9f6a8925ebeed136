"""One exception tree for everything personalize_lab raises, so callers can catch one base class.

Every message names the field, the offending value, the rule that was broken and how to fix it.
Service errors that boto3 raises (``botocore.exceptions.ClientError``) are translated into this tree in
exactly one place, :func:`from_client_error`, chained with ``from`` so the original stays visible.

::

    PersonalizeLabError
    ├── ValidationError                  a request or argument breaks a documented rule (ValueError)
    │   ├── FilterError                  the filter-expression language
    │   │   ├── FilterSyntaxError        text that does not parse (line, column, caret)
    │   │   ├── FilterRuleError          parses, but breaks a static rule of the language
    │   │   └── FilterValuesError        filterValues that do not fit the expression
    │   └── DataError                    a dataset file or frame breaks a schema rule (file, row, column)
    ├── ServiceError                     the service (AWS or the local Personalize) refused a request
    │   ├── InvalidInputError            InvalidInputException
    │   ├── ResourceNotFoundError        ResourceNotFoundException
    │   ├── ThrottlingError              ThrottlingException / TooManyRequests
    │   ├── AccessDeniedError            AccessDeniedException, expired or missing credentials
    │   └── ServiceUnavailableError      5xx, InternalFailure, ServiceUnavailable, and a connection
    │                                    that failed or timed out (ConnectionClosedError, ...)
    ├── ReplayError                      a recording cannot be read (file, line)
    └── ReplayMissError                  a replayed session has no recording of this request

    PersonalizeLabWarning (UserWarning)  legal but surprising, e.g. an EXCLUDE clause dropped for a
                                         missing placeholder value
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AccessDeniedError",
    "DataError",
    "FilterError",
    "FilterRuleError",
    "FilterSyntaxError",
    "FilterValuesError",
    "InvalidInputError",
    "PersonalizeLabError",
    "PersonalizeLabWarning",
    "ReplayError",
    "ReplayMissError",
    "ResourceNotFoundError",
    "ServiceError",
    "ServiceUnavailableError",
    "ThrottlingError",
    "ValidationError",
    "from_client_error",
]


class PersonalizeLabError(Exception):
    """Base class of every error personalize_lab raises on purpose."""


class PersonalizeLabWarning(UserWarning):
    """A request is legal but does something the caller may not expect (for example the service will
    silently drop an EXCLUDE clause whose placeholder has no value)."""


class ValidationError(PersonalizeLabError, ValueError):
    """An argument breaks a documented rule; raised before anything is sent.

    ``field``, ``value``, ``rule`` and ``fix`` are kept as attributes so panels can show them apart.
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        value: Any = None,
        rule: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        self.fix = fix
        if message is None:
            parts = []
            if field is not None:
                parts.append(f"{field}={value!r}" if value is not None else f"{field}")
            if rule:
                parts.append(rule)
            message = ": ".join(parts) if parts else "invalid input"
            if fix:
                message += f". Fix: {fix}"
        super().__init__(message)


class FilterError(ValidationError):
    """Base of the filter-expression language's errors."""


class FilterSyntaxError(FilterError):
    """The expression text does not parse. Carries line, column, the token and what was expected."""

    def __init__(
        self,
        message: str,
        *,
        text: str = "",
        line: int = 1,
        column: int = 1,
        token: str | None = None,
        expected: tuple[str, ...] = (),
    ) -> None:
        self.text = text
        self.line = line
        self.column = column
        self.token = token
        self.expected = tuple(expected)
        super().__init__(message, field="filterExpression", value=text)


class FilterRuleError(FilterError):
    """The expression parses but breaks a static rule of the language (or of the given schema)."""


class FilterValuesError(FilterError):
    """A filterValues map does not fit its expression (missing, unknown or badly quoted values)."""


class DataError(ValidationError):
    """A dataset file or frame breaks a Personalize schema rule.

    ``file``, ``row`` (1-based data row, header excluded) and ``column`` locate the problem.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        rule: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        where = ", ".join(
            p
            for p in (
                f"file {file}" if file else "",
                f"row {row}" if row is not None else "",
                f"column {column}" if column else "",
            )
            if p
        )
        full = f"{where}: {message}" if where else message
        if fix and "Fix:" not in full:
            full += f". Fix: {fix}"
        super().__init__(full, field=column, value=value, rule=rule, fix=fix)


class ServiceError(PersonalizeLabError):
    """The service refused a request. ``code`` is the service's error code; ``request`` what was sent."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        status: int | None = None,
        operation: str | None = None,
        request: dict[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.status = status
        self.operation = operation
        self.request = request
        self.service_message = message
        prefix = f"{operation}: " if operation else ""
        super().__init__(f"{prefix}{code}: {message}" if code else f"{prefix}{message}")


class InvalidInputError(ServiceError):
    """The service answered InvalidInputException."""


class ResourceNotFoundError(ServiceError):
    """The service answered ResourceNotFoundException (unknown ARN)."""


class ThrottlingError(ServiceError):
    """The service throttled the request (ThrottlingException, TooManyRequestsException)."""


class AccessDeniedError(ServiceError):
    """Credentials are missing, expired or lack permission."""


class ServiceUnavailableError(ServiceError):
    """A 5xx answer or a transient service failure."""


class ReplayMissError(PersonalizeLabError):
    """A replayed session has no recording that matches this request."""


class ReplayError(PersonalizeLabError, ValueError):
    """A recording (``Lab(record=...)``) has a line that cannot be served: ``file`` and ``line`` (1-based)
    say where, the message what is wrong and how to fix it."""

    def __init__(self, message: str, *, file: str, line: int | None = None) -> None:
        self.file = file
        self.line = line
        where = f"{file}, line {line}" if line is not None else file
        super().__init__(f"recording {where}: {message}")


_CODE_TO_CLASS: dict[str, type[ServiceError]] = {
    "InvalidInputException": InvalidInputError,
    "ValidationException": InvalidInputError,
    "ResourceNotFoundException": ResourceNotFoundError,
    "ThrottlingException": ThrottlingError,
    "TooManyRequestsException": ThrottlingError,
    "Throttling": ThrottlingError,
    "AccessDeniedException": AccessDeniedError,
    "UnrecognizedClientException": AccessDeniedError,
    "ExpiredTokenException": AccessDeniedError,
    "InvalidSignatureException": AccessDeniedError,
    # botocore raises these itself (no HTTP answer); the client maps them through here too
    "NoCredentialsError": AccessDeniedError,
    "PartialCredentialsError": AccessDeniedError,
    # a connection that failed, closed or timed out: transient, like a 5xx (retried by cohort runs)
    "EndpointConnectionError": ServiceUnavailableError,
    "ConnectTimeoutError": ServiceUnavailableError,
    "ReadTimeoutError": ServiceUnavailableError,
    "ConnectionClosedError": ServiceUnavailableError,
    "HTTPClientError": ServiceUnavailableError,
    "InternalFailure": ServiceUnavailableError,
    "InternalServerError": ServiceUnavailableError,
    "ServiceUnavailable": ServiceUnavailableError,
    "ServiceUnavailableException": ServiceUnavailableError,
}


def from_client_error(error: Exception, *, request: dict[str, Any] | None = None) -> ServiceError:
    """Translate a botocore ``ClientError`` into this tree (the one place where that happens).

    The caller raises the result ``from error`` so the botocore exception stays chained.
    """
    response: dict[str, Any] = getattr(error, "response", {}) or {}
    err = response.get("Error", {})
    code = str(err.get("Code", "")) or type(error).__name__
    message = str(err.get("Message", "")) or str(error)
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    operation = getattr(error, "operation_name", None)
    # a botocore exception with no mapping of its own takes its base class's (e.g. HTTPClientError)
    cls = next(
        (_CODE_TO_CLASS[t.__name__] for t in type(error).__mro__ if t.__name__ in _CODE_TO_CLASS), None
    )
    cls = _CODE_TO_CLASS.get(code, cls)
    if cls is None:
        cls = ServiceUnavailableError if isinstance(status, int) and status >= 500 else ServiceError
    return cls(message, code=code, status=status, operation=operation, request=request)
