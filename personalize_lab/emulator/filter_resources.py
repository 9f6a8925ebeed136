"""Filter resources of a dataset group: each expression parsed once, compiled against the catalog on demand.

A filter is compiled against the Items metadata as it is now; PutItems changes that metadata, so
:meth:`FilterResources.recompile_later` drops every compiled form and the next request compiles again. The
automatic filters of domain use cases (``EXCLUDE`` what the user already bought or watched) live here too,
so one call keeps them in step with the metadata as well.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from personalize_lab.emulator.exceptions import InvalidInputException, ResourceNotFoundException
from personalize_lab.emulator.filtering import CompiledFilter
from personalize_lab.errors import FilterError
from personalize_lab.filters import FilterExpression, parse

Compiler = Callable[[FilterExpression], CompiledFilter]


@dataclass
class FilterResource:
    """One filter: its ARN and name, the parsed expression, and its compiled form once asked for."""

    arn: str
    name: str
    expression: FilterExpression
    compiler: Compiler = field(repr=False)
    _compiled: CompiledFilter | None = field(default=None, repr=False)

    @property
    def compiled(self) -> CompiledFilter:
        """The filter bound to the current catalog metadata (compiled on first use after a change)."""
        return self._compiled if self._compiled is not None else self.compile()

    def compile(self) -> CompiledFilter:
        """Bind the expression to the catalog now (raises InvalidInputException for an unknown field)."""
        self._compiled = self.compiler(self.expression)
        return self._compiled

    @property
    def needs_user_id(self) -> bool:
        return bool(self.expression.needs_user_id)

    @property
    def needs_item_id(self) -> bool:
        return bool(self.expression.needs_item_id)

    def forget_compiled(self) -> None:
        self._compiled = None


def parse_expression(expression: str) -> FilterExpression:
    """The expression parsed, or the service's InvalidInputException with the parser's message."""
    try:
        return parse(expression)
    except FilterError as exc:
        raise InvalidInputException(f"Could not create filter. Invalid Expression: {exc}") from exc


class FilterResources:
    """The filters of one dataset group, by ARN, plus the deployments' automatic filters."""

    def __init__(self, compiler: Compiler) -> None:
        self._compiler = compiler
        self._by_arn: dict[str, FilterResource] = {}
        self._automatic: list[FilterResource] = []

    def add(self, arn: str, name: str, expression: str) -> FilterResource:
        """Parse and compile now, so a field the Items dataset lacks is refused at creation, not on use."""
        resource = self.build(arn, name, expression)
        self._by_arn[arn] = resource
        return resource

    def build(self, arn: str, name: str, expression: str) -> FilterResource:
        """A filter compiled now but not registered (the engine registers it once the ARN is known)."""
        resource = FilterResource(arn, name, parse_expression(expression), self._compiler)
        resource.compile()
        return resource

    def register(self, resource: FilterResource) -> None:
        self._by_arn[resource.arn] = resource

    def automatic(self, arn: str, expression: str) -> FilterResource:
        """A use case's automatic filter, compiled on first use and kept in step with the metadata."""
        resource = FilterResource(arn, "auto", parse_expression(expression), self._compiler)
        self._automatic.append(resource)
        return resource

    def remove(self, arn: str) -> None:
        self._by_arn.pop(arn, None)

    def get(self, arn: str) -> FilterResource:
        resource = self._by_arn.get(arn)
        if resource is None:
            raise ResourceNotFoundException(f"Could not find filter with ARN {arn}")
        return resource

    def arns_by_name(self) -> dict[str, str]:
        return {resource.name: arn for arn, resource in self._by_arn.items()}

    def recompile_later(self) -> None:
        """The metadata changed: every filter compiles again on its next use."""
        for resource in (*self._by_arn.values(), *self._automatic):
            resource.forget_compiled()
