"""The service's own errors, as the local Personalize raises them inside the engine.

These are not part of personalize_lab's user-facing tree (:mod:`personalize_lab.errors`): they model what
the real service answers. The wire layer turns them into ``x-amzn-ErrorType`` + ``{"message": ...}`` with
the right HTTP status, so boto3 raises ``client.exceptions.InvalidInputException`` itself.
"""

from __future__ import annotations


class ServiceException(Exception):
    """An error the emulated service answers with. ``code`` and ``status`` are the wire values."""

    code: str = "InternalFailure"
    status: int = 500

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class InvalidInputException(ServiceException):
    code = "InvalidInputException"
    status = 400


class ResourceNotFoundException(ServiceException):
    code = "ResourceNotFoundException"
    status = 404


class ResourceAlreadyExistsException(ServiceException):
    code = "ResourceAlreadyExistsException"
    status = 400


class ResourceInUseException(ServiceException):
    code = "ResourceInUseException"
    status = 400


class LimitExceededException(ServiceException):
    code = "LimitExceededException"
    status = 400


class InvalidNextTokenException(ServiceException):
    code = "InvalidNextTokenException"
    status = 400


class ThrottlingException(ServiceException):
    code = "ThrottlingException"
    status = 400


class UnknownOperationException(ServiceException):
    code = "UnknownOperationException"
    status = 400


class TooManyTagsException(ServiceException):
    code = "TooManyTagsException"
    status = 400
