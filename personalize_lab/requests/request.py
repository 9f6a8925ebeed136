"""One runtime request as data: the service operation and the exact boto3 keyword arguments.

The builders return a :class:`Request`, ``Lab.build_request`` hands one out without sending it,
``Lab.send`` sends one, a cohort run plans thousands (each with its user swapped in) and keys its cache
and checkpoint on :meth:`Request.digest`. What the kwargs mean is the service's; this type only knows
which boto3 method sends them and where the answer keeps its list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from personalize_lab.canonical import canonical_json, digest

__all__ = ["OPERATIONS", "Operation", "Request"]


@dataclass(frozen=True)
class Operation:
    """A runtime operation: its boto3 method and the member of the answer that holds the list."""

    name: str
    method: str
    list_key: str


#: The runtime operations a Lab sends, by service operation name.
OPERATIONS = {
    op.name: op
    for op in (
        Operation("GetRecommendations", "get_recommendations", "itemList"),
        Operation("GetPersonalizedRanking", "get_personalized_ranking", "personalizedRanking"),
        Operation("GetActionRecommendations", "get_action_recommendations", "actionList"),
    )
}


@dataclass(frozen=True, slots=True)
class Request:
    """``operation`` (e.g. ``GetRecommendations``) and ``kwargs``, exactly as ``client.<method>`` takes them.

    Built by :mod:`personalize_lab.requests` after every documented rule was checked; treat ``kwargs`` as
    read-only (:meth:`with_member` makes a changed copy).
    """

    operation: str
    kwargs: dict[str, Any]

    @property
    def method(self) -> str:
        """The boto3 method that sends it, e.g. ``get_recommendations``."""
        return OPERATIONS[self.operation].method

    @property
    def list_key(self) -> str:
        """Where the answer's list is: ``itemList``, ``personalizedRanking`` or ``actionList``."""
        return OPERATIONS[self.operation].list_key

    def canonical(self) -> str:
        """The canonical JSON of the request (see :mod:`personalize_lab.canonical`)."""
        return canonical_json(self.operation, self.kwargs)

    def digest(self) -> str:
        """32 hex digits naming this exact request (cohort cache and checkpoint key)."""
        return digest(self.operation, self.kwargs)

    def with_member(self, member: str, value: Any) -> Request:
        """The same request with one member set; an existing member keeps its place in the kwargs."""
        kwargs = dict(self.kwargs)
        kwargs[member] = value
        return Request(self.operation, kwargs)

    def python_call(self) -> str:
        """``client.method(\\n    key=value,\\n)``: valid Python whose values are ``repr``s of what is sent."""
        if not self.kwargs:
            return f"client.{self.method}()"
        body = "".join(f"    {k}={v!r},\n" for k, v in self.kwargs.items())
        return f"client.{self.method}(\n{body})"
