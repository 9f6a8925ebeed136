"""The filter expression as frozen dataclasses, so the client, the widgets and the emulator share one tree.

``str()`` of every node is its canonical text: upper-case keywords, canonical dataset names
(``Items``, ``Interactions``, ``Users``, ``Actions``, ``Action_Interactions``, ``CurrentUser``,
``CurrentItem``), field names as written, one space between tokens, placeholders without parentheses.
Parsing the canonical text gives back an equal tree (the original text is kept but not compared).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "DATASETS",
    "INTERACTION_DATASETS",
    "Action",
    "Condition",
    "Expression",
    "FieldRef",
    "FilterExpression",
    "Literals",
    "Number",
    "Operator",
    "ParamRef",
    "Placeholder",
    "Target",
    "Value",
]

Action = Literal["INCLUDE", "EXCLUDE"]
Target = Literal["ItemID", "UserID", "ActionID"]
Operator = Literal["IN", "NOT IN", "=", "!=", "<", "<=", ">", ">="]

# Canonical dataset names, and the datasets whose conditions test the requesting user's history.
DATASETS = ("Items", "Interactions", "Users", "Actions", "Action_Interactions")
INTERACTION_DATASETS = frozenset({"Interactions", "Action_Interactions"})
# The request-time sources and the dataset each one reads.
SOURCE_DATASET = {"CurrentUser": "Users", "CurrentItem": "Items"}
LIST_OPERATORS = frozenset({"IN", "NOT IN"})


def quote(value: str) -> str:
    """A string literal as the language writes it: double quotes, with ``"`` and ``\\`` escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class FieldRef:
    """``Dataset.FIELD``: ``dataset`` canonical, ``name`` as written (schemas match it case-insensitively)."""

    dataset: str
    name: str

    @property
    def reads_dataset(self) -> str:
        """The dataset the value comes from (CurrentUser reads Users, CurrentItem reads Items)."""
        return SOURCE_DATASET.get(self.dataset, self.dataset)

    def __str__(self) -> str:
        return f"{self.dataset}.{self.name}"


@dataclass(frozen=True)
class Literals:
    """A parenthesised list of string literals, unescaped. ``"*"`` means every event type."""

    values: tuple[str, ...]

    def __str__(self) -> str:
        return "(" + ", ".join(quote(v) for v in self.values) + ")"


@dataclass(frozen=True)
class ParamRef:
    """``$NAME``: a value given at request time under the filterValues key ``NAME``."""

    name: str

    def __str__(self) -> str:
        return f"${self.name}"


@dataclass(frozen=True)
class Number:
    """A numeric literal, kept as written so the canonical text shows what the user typed."""

    text: str

    @property
    def value(self) -> float:
        return float(self.text)

    def __str__(self) -> str:
        return self.text


Value = Literals | ParamRef | Number | FieldRef


@dataclass(frozen=True)
class Condition:
    """``field operator value``; ``operator`` is one of IN, NOT IN, =, !=, <, <=, >, >=."""

    field: FieldRef
    operator: Operator
    value: Value

    @property
    def is_list(self) -> bool:
        return self.operator in LIST_OPERATORS

    def __str__(self) -> str:
        value = self.value
        if isinstance(value, ParamRef) and self.is_list:
            return f"{self.field} {self.operator} ({value})"
        return f"{self.field} {self.operator} {value}"


@dataclass(frozen=True)
class Expression:
    """One ``INCLUDE|EXCLUDE target WHERE ... [IF ...]`` expression of a ``|`` chain.

    ``connectors[i]`` ("AND" or "OR") joins ``conditions[i]`` and ``conditions[i + 1]``; the IF
    conditions (``if_conditions``) are always joined by AND.
    """

    action: Action
    target: Target
    conditions: tuple[Condition, ...]
    connectors: tuple[str, ...] = ()
    if_conditions: tuple[Condition, ...] = ()

    def __str__(self) -> str:
        parts = [f"{self.action} {self.target} WHERE {self.conditions[0]}"]
        for connector, condition in zip(self.connectors, self.conditions[1:], strict=True):
            parts.append(f"{connector} {condition}")
        if self.if_conditions:
            parts.append("IF " + " AND ".join(str(c) for c in self.if_conditions))
        return " ".join(parts)

    @property
    def all_conditions(self) -> tuple[Condition, ...]:
        return self.conditions + self.if_conditions


@dataclass(frozen=True)
class Placeholder:
    """One use of ``$NAME`` in an expression, and whether a request must give it a value.

    ``required`` is True in an INCLUDE expression (a request without the value fails) and False in
    an EXCLUDE one (omitting the value silently drops that whole expression). ``is_list`` is True
    for IN (several values allowed), False for comparisons (exactly one value).
    ``expression_index`` counts the ``|``-chained expressions from 0. ``dataset`` is the canonical
    name of the field's source: a dataset (``Items``...) or ``CurrentUser`` for an IF condition.
    """

    name: str
    dataset: str
    field: str
    operator: Operator
    is_list: bool
    expression_index: int
    action: Action
    required: bool

    @property
    def key(self) -> str:
        """The filterValues key: the name without ``$`` (case-sensitive)."""
        return self.name


@dataclass(frozen=True)
class FilterExpression:
    """A parsed filter: ``|``-chained expressions, evaluated as (∪ INCLUDE) − (∪ EXCLUDE)."""

    expressions: tuple[Expression, ...]
    text: str = field(default="", compare=False, repr=False)

    def __str__(self) -> str:
        return " | ".join(str(e) for e in self.expressions)

    @property
    def target(self) -> str:
        """ItemID, UserID or ActionID (rules make every chained expression agree)."""
        return self.expressions[0].target

    @property
    def placeholders(self) -> tuple[Placeholder, ...]:
        """Every placeholder use, in reading order (a name used twice appears twice)."""
        found = []
        for index, expression in enumerate(self.expressions):
            for condition in expression.all_conditions:
                if isinstance(condition.value, ParamRef):
                    found.append(
                        Placeholder(
                            name=condition.value.name,
                            dataset=condition.field.dataset,
                            field=condition.field.name,
                            operator=condition.operator,
                            is_list=condition.is_list,
                            expression_index=index,
                            action=expression.action,
                            required=expression.action == "INCLUDE",
                        )
                    )
        return tuple(found)

    @property
    def placeholder_names(self) -> tuple[str, ...]:
        """The distinct filterValues keys, in reading order."""
        return tuple(dict.fromkeys(p.name for p in self.placeholders))

    @property
    def required_placeholders(self) -> tuple[str, ...]:
        """Keys a request must give (used in at least one INCLUDE expression)."""
        return tuple(dict.fromkeys(p.name for p in self.placeholders if p.required))

    @property
    def datasets(self) -> tuple[str, ...]:
        """Datasets read, in order of first use (CurrentUser counts as Users, CurrentItem as Items)."""
        seen: dict[str, None] = {}
        for expression in self.expressions:
            for condition in expression.all_conditions:
                seen[condition.field.reads_dataset] = None
                if isinstance(condition.value, FieldRef):
                    seen[condition.value.reads_dataset] = None
        return tuple(seen)

    @property
    def needs_user_id(self) -> bool:
        """True when a request must carry a userId: item/action filters on interactions, or CurrentUser."""
        for expression in self.expressions:
            for condition in expression.all_conditions:
                if condition.field.dataset == "CurrentUser":
                    return True
                if expression.target != "UserID" and condition.field.dataset in INTERACTION_DATASETS:
                    return True
        return False

    @property
    def needs_item_id(self) -> bool:
        """True when a request must carry an itemId (the filter reads CurrentItem)."""
        return any(
            isinstance(c.value, FieldRef) and c.value.dataset == "CurrentItem"
            for e in self.expressions
            for c in e.all_conditions
        )

    def fields(self) -> tuple[tuple[str, str], ...]:
        """Distinct (dataset, FIELD upper-cased) pairs the filter reads, for the 5-distinct-fields limit."""
        seen: dict[tuple[str, str], None] = {}
        for expression in self.expressions:
            for condition in expression.all_conditions:
                refs = [condition.field]
                if isinstance(condition.value, FieldRef):
                    refs.append(condition.value)
                for ref in refs:
                    seen[(ref.reads_dataset, ref.name.upper())] = None
        return tuple(seen)
