"""Filter evaluation for the local Personalize: a parsed filter compiled once into vectorised item masks.

Every request of a filtered campaign calls :meth:`CompiledFilter.mask`, so the work that does not
depend on the request happens in :func:`compile_item_filter`: categorical columns are factorised and
split into their ``|``-separated values once, giving each value its sorted catalog positions;
numeric columns become one float64 array (NaN where missing). A request then costs a few scatters
into one bool array (IN) or one vectorised comparison, plus the set algebra.

Semantics (personalize-semantics.md §3.1–3.3):

- IN on a multi-valued categorical field is true when the two value sets intersect; NOT IN when they
  are disjoint. A missing value never satisfies IN or a comparison and always satisfies NOT IN.
- ``Interactions.EVENT_TYPE IN (...)`` matches the items among the requesting user's newest
  interactions of those types (``history``; ``"*"`` = every type). Event types match
  case-insensitively; every other value match is exact.
- A chain gives (∪ INCLUDE) − (∪ EXCLUDE); with no applying INCLUDE expression it starts from every
  item. An EXCLUDE expression whose placeholder has no value is dropped; an INCLUDE one raises
  InvalidInputException. An expression whose IF clause is false does not apply at all.
- AND/OR precedence is undocumented: ``precedence="and_first"`` (default, like SQL) or
  ``"left_to_right"`` (``a OR b AND c`` = ``(a OR b) AND c``).
- Numeric placeholders accept ``"10"`` and ``10`` on the wire.
"""

from __future__ import annotations

import contextlib
import math
import operator
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from personalize_lab.emulator.exceptions import InvalidInputException
from personalize_lab.emulator.selection import Allowed
from personalize_lab.errors import FilterValuesError
from personalize_lab.filters import (
    Condition,
    Expression,
    FieldRef,
    FilterExpression,
    Literals,
    Number,
    ParamRef,
    decode_filter_values,
)

__all__ = ["CompiledFilter", "FilterCatalog", "Precedence", "compile_action_filter", "compile_item_filter"]

Precedence = Literal["and_first", "left_to_right"]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]
History = Mapping[str, np.ndarray[Any, Any]]

#: Bytes of answers (a bool mask and its int64 positions: up to 9 bytes an item) that a filter reading only
#: its filterValues keeps (:meth:`CompiledFilter.allowed`): 64 filterValues at 2k–40k items, 4 at 1M.
ALLOWED_CACHE_BYTES = 24 * 2**20

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "=": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}
_PY_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass
class _Request:
    """What one request brings: decoded filterValues and the user's/item's data."""

    values: dict[str, list[str]]
    history: dict[str, np.ndarray[Any, Any]] | None
    current_user: Mapping[str, object] | None
    current_item: Mapping[str, object] | None


_Evaluator = Callable[[_Request], BoolArray]


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _text(value: object) -> str:
    """How a metadata value reads as a string (integral floats without .0, as a CSV would hold them)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _lookup(row: Mapping[str, object] | None, name: str) -> object:
    if row is None:
        return None
    if name in row:
        return row[name]
    upper = name.upper()
    for key, value in row.items():
        if str(key).upper() == upper:
            return value
    return None


class _Categorical:
    """One categorical column: each ``|``-separated value → its sorted catalog positions."""

    def __init__(self, column: pd.Series) -> None:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        self.n = len(codes)
        # Positions grouped by code: order[bounds[c]:bounds[c + 1]] are the rows holding unique c.
        self.order = np.argsort(codes, kind="stable")
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        start = int((codes < 0).sum())  # missing rows sort first and belong to no value
        self.bounds = np.concatenate([[start], start + np.cumsum(counts)])
        self.token_codes: dict[str, list[int]] = {}
        for code, raw in enumerate(uniques):
            for token in dict.fromkeys(_text(raw).split("|")):
                self.token_codes.setdefault(token, []).append(code)
        self._positions: dict[str, np.ndarray[Any, Any]] = {}

    def positions(self, token: str) -> np.ndarray[Any, Any]:
        cached = self._positions.get(token)
        if cached is None:
            codes = self.token_codes.get(token, [])
            parts = [self.order[self.bounds[c] : self.bounds[c + 1]] for c in codes]
            cached = parts[0] if len(parts) == 1 else np.sort(np.concatenate(parts or [self.order[:0]]))
            self._positions[token] = cached
        return cached

    def matches(self, tokens: list[str]) -> BoolArray:
        """Fresh mask: rows whose value set intersects ``tokens``."""
        mask = np.zeros(self.n, dtype=bool)
        for token in dict.fromkeys(tokens):
            mask[self.positions(token)] = True
        return mask


class FilterCatalog:
    """The per-catalog lookups that every filter on one table shares, built once per column on first use.

    Compiling several filters against the same catalog (a request filter and a promotion filter)
    through one FilterCatalog factorises each categorical column only once.
    """

    def __init__(self, table: pd.DataFrame, *, entity: str = "Items") -> None:
        self.table = table
        self.entity = entity
        self.n = len(table)
        self._columns = {str(c).upper(): c for c in table.columns}
        self._categorical: dict[Any, _Categorical] = {}
        self._numeric: dict[Any, tuple[np.ndarray[Any, Any], BoolArray]] = {}

    def column(self, ref: FieldRef) -> Any:
        """The table column a field names (case-insensitive)."""
        column = self._columns.get(ref.name.upper())
        if column is None:
            known = ", ".join(str(c) for c in self.table.columns)
            raise InvalidInputException(
                f"Filter field {ref} is not a column of the {self.entity} dataset (columns: {known})"
            )
        return column

    def categorical(self, ref: FieldRef) -> _Categorical:
        column = self.column(ref)
        found = self._categorical.get(column)
        if found is None:
            found = self._categorical[column] = _Categorical(self.table[column])
        return found

    def numeric(self, ref: FieldRef) -> tuple[np.ndarray[Any, Any], BoolArray]:
        """(float64 values with NaN where missing or not a number, bool valid-mask)."""
        column = self.column(ref)
        found = self._numeric.get(column)
        if found is None:
            values = pd.to_numeric(self.table[column], errors="coerce")
            array = np.asarray(values, dtype="float64")
            found = self._numeric[column] = (array, ~np.isnan(array))
        return found

    def row(self, position: int) -> dict[str, object]:
        """The metadata row at a catalog position, ready to pass as ``current_item``."""
        return {str(k): v for k, v in self.table.iloc[position].items()}


class CompiledFilter:
    """A filter bound to one catalog; :meth:`mask` answers one request. Build with compile_item_filter."""

    def __init__(
        self,
        expression: FilterExpression,
        catalog: FilterCatalog,
        *,
        interactions: str,
        precedence: Precedence,
    ) -> None:
        if precedence not in ("and_first", "left_to_right"):
            raise ValueError(f"precedence={precedence!r}: use 'and_first' or 'left_to_right'")
        self.expression = expression
        self.catalog = catalog
        self.n = catalog.n
        self.precedence = precedence
        self._entity = catalog.entity
        self._interactions = interactions
        self._compiled = [self._compile_expression(i, e) for i, e in enumerate(expression.expressions)]
        # a filter without Interactions, CurrentUser or CurrentItem conditions answers from filterValues alone
        self.reads_only_values = not (expression.needs_user_id or expression.needs_item_id)
        self._allowed: OrderedDict[tuple[tuple[str, str], ...], Allowed] = OrderedDict()
        self._allowed_size = max(4, min(64, ALLOWED_CACHE_BYTES // max(9 * self.n, 1)))

    # ---- compile time -------------------------------------------------------------------------

    def _compile_expression(self, index: int, expr: Expression) -> tuple[Expression, list[_Evaluator]]:
        if expr.target != {"Items": "ItemID", "Actions": "ActionID"}[self._entity]:
            raise InvalidInputException(
                f"Filter expression {index + 1} targets {expr.target}; {self._entity} recommendations "
                f"need {'ItemID' if self._entity == 'Items' else 'ActionID'} filters"
            )
        return expr, [self._compile_condition(c) for c in expr.conditions]

    def _compile_condition(self, condition: Condition) -> _Evaluator:
        ref, op, value = condition.field, condition.operator, condition.value
        if ref.dataset == self._interactions:
            if ref.name.upper() != "EVENT_TYPE" or not condition.is_list:
                raise InvalidInputException(
                    f"Filter condition {condition}: interaction filters test only EVENT_TYPE "
                    "with IN or NOT IN"
                )
            return self._compile_history(condition)
        if ref.dataset != self._entity:
            raise InvalidInputException(
                f"Filter condition {condition} reads {ref.dataset}; {self._entity} filters read "
                f"{self._entity} or {self._interactions}"
            )
        if condition.is_list:
            column = self.catalog.categorical(ref)
            negate = op == "NOT IN"

            def in_list(request: _Request) -> BoolArray:
                mask = column.matches(self._list_value(value, request))
                return np.logical_not(mask, out=mask) if negate else mask

            return in_list
        array, valid = self.catalog.numeric(ref)
        compare = _COMPARE[op]

        def compare_scalar(request: _Request) -> BoolArray:
            number = self._scalar_value(value, condition, request)
            if number is None:
                return np.zeros(self.n, dtype=bool)
            mask: BoolArray = compare(array, number)
            if op == "!=":  # NaN != x is True in IEEE; a missing value must not satisfy it
                np.logical_and(mask, valid, out=mask)
            return mask

        return compare_scalar

    def _compile_history(self, condition: Condition) -> _Evaluator:
        negate = condition.operator == "NOT IN"
        value = condition.value

        def interacted(request: _Request) -> BoolArray:
            history = request.history
            if history is None:
                raise InvalidInputException(
                    f"The filter tests {condition.field} and needs the user's interactions: pass a userId"
                )
            wanted = [v.lower() for v in self._list_value(value, request)]
            types = list(history) if "*" in wanted else wanted
            mask = np.zeros(self.n, dtype=bool)
            for event_type in types:
                indices = history.get(event_type)
                if indices is not None and len(indices):
                    mask[indices] = True
            return np.logical_not(mask, out=mask) if negate else mask

        return interacted

    # ---- request time -------------------------------------------------------------------------

    @staticmethod
    def _list_value(value: object, request: _Request) -> list[str]:
        if isinstance(value, Literals):
            return list(value.values)
        if isinstance(value, ParamRef):
            return request.values[value.name]
        if isinstance(value, FieldRef):  # IN CurrentItem.FIELD
            if request.current_item is None:
                raise InvalidInputException(f"The filter reads {value} and needs an itemId")
            raw = _lookup(request.current_item, value.name)
            return [] if _is_missing(raw) else _text(raw).split("|")
        raise InvalidInputException(f"IN needs a list of values, got {value}")  # pragma: no cover

    @staticmethod
    def _scalar_value(value: object, condition: Condition, request: _Request) -> float | None:
        if isinstance(value, Number):
            return value.value
        if isinstance(value, ParamRef):
            given = request.values[value.name]
            if len(given) != 1:
                raise InvalidInputException(
                    f"filterValues {value.name} has {len(given)} values, but {condition.field} "
                    f"{condition.operator} ${value.name} takes exactly one"
                )
            try:
                return float(given[0])
            except ValueError:
                raise InvalidInputException(
                    f"filterValues {value.name}={given[0]!r} is not a number, but {condition.field} is "
                    f"compared with {condition.operator}"
                ) from None
        if isinstance(value, FieldRef):  # CurrentItem.FIELD
            if request.current_item is None:
                raise InvalidInputException(f"The filter reads {value} and needs an itemId")
            raw = _lookup(request.current_item, value.name)
            try:
                return None if _is_missing(raw) else float(raw)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return None
        raise InvalidInputException(f"{condition} needs a number")  # pragma: no cover

    def _if_holds(self, expr: Expression, request: _Request) -> bool:
        if not expr.if_conditions:
            return True
        if request.current_user is None:
            raise InvalidInputException("The filter tests CurrentUser in its IF clause and needs a userId")
        return all(self._user_condition(c, request) for c in expr.if_conditions)

    def _user_condition(self, condition: Condition, request: _Request) -> bool:
        raw = _lookup(request.current_user, condition.field.name)
        if condition.is_list:
            wanted = set(self._list_value(condition.value, request))
            have = set() if _is_missing(raw) else set(_text(raw).split("|"))
            hit = bool(have & wanted)
            return hit if condition.operator == "IN" else not hit
        if _is_missing(raw):
            return False
        if isinstance(condition.value, ParamRef):
            given = request.values[condition.value.name]
            target = given[0] if len(given) == 1 else None
        else:
            target = str(condition.value)
        if target is None:
            raise InvalidInputException(
                f"filterValues {condition.value} must hold exactly one value for {condition}"
            )
        try:
            return _PY_COMPARE[condition.operator](float(raw), float(target))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            if condition.operator in ("=", "!="):  # string equality inside IF (undocumented; allowed)
                return _PY_COMPARE[condition.operator](_text(raw), target)
            return False

    def _where(
        self, evaluators: list[_Evaluator], connectors: tuple[str, ...], request: _Request
    ) -> BoolArray:
        masks = [evaluate(request) for evaluate in evaluators]
        if self.precedence == "left_to_right":
            result = masks[0]
            for connector, mask in zip(connectors, masks[1:], strict=True):
                (np.logical_and if connector == "AND" else np.logical_or)(result, mask, out=result)
            return result
        groups = [masks[0]]
        for connector, mask in zip(connectors, masks[1:], strict=True):
            if connector == "AND":
                np.logical_and(groups[-1], mask, out=groups[-1])
            else:
                groups.append(mask)
        result = groups[0]
        for mask in groups[1:]:
            np.logical_or(result, mask, out=result)
        return result

    def mask(
        self,
        *,
        filter_values: Mapping[str, str] | None = None,
        history: History | None = None,
        current_user: Mapping[str, object] | None = None,
        current_item: Mapping[str, object] | None = None,
    ) -> BoolArray:
        """bool[n]: which catalog positions the filter keeps for this request.

        ``filter_values`` is the request's wire map; ``history`` maps an event type to the catalog
        indices of the user's newest interactions of that type (None: no user given); ``current_user``
        and ``current_item`` map field names (any case) to values. Raises InvalidInputException when an
        INCLUDE expression's placeholder has no value or the request lacks what the filter reads.
        """
        try:
            values = decode_filter_values(filter_values or {})
        except FilterValuesError as err:
            raise InvalidInputException(str(err)) from None
        request = _Request(
            values=values,
            history=None if history is None else {str(k).lower(): v for k, v in history.items()},
            current_user=current_user,
            current_item=current_item,
        )
        applying: list[tuple[Expression, list[_Evaluator]]] = []
        for index, (expr, evaluators) in enumerate(self._compiled):
            missing = [
                c.value.name
                for c in expr.all_conditions
                if isinstance(c.value, ParamRef) and c.value.name not in values
            ]
            if missing and expr.action == "INCLUDE":
                raise InvalidInputException(
                    f"filterValues has no value for placeholder ${missing[0]}, which INCLUDE expression "
                    f"{index + 1} of the filter requires ({expr})"
                )
            if not missing:
                applying.append((expr, evaluators))
        included: BoolArray | None = None
        excluded: BoolArray | None = None
        for expr, evaluators in applying:
            if not self._if_holds(expr, request):
                continue
            where = self._where(evaluators, expr.connectors, request)
            if expr.action == "INCLUDE":
                included = where if included is None else np.logical_or(included, where, out=included)
            else:
                excluded = where if excluded is None else np.logical_or(excluded, where, out=excluded)
        result = included if included is not None else np.ones(self.n, dtype=bool)
        if excluded is not None:
            np.logical_and(result, np.logical_not(excluded, out=excluded), out=result)
        return result

    def allowed(
        self,
        *,
        filter_values: Mapping[str, str] | None = None,
        history: History | None = None,
        current_user: Mapping[str, object] | None = None,
        current_item: Mapping[str, object] | None = None,
    ) -> Allowed:
        """:meth:`mask` as a read-only :class:`Allowed`. A filter that reads only its filterValues and the
        item metadata keeps the answer per filterValues (the last few: :data:`ALLOWED_CACHE_BYTES`), so requests
        that repeat them share the mask and its positions; PutItems compiles the filter again, which starts
        an empty cache."""
        if not self.reads_only_values:
            return Allowed(
                self.mask(
                    filter_values=filter_values,
                    history=history,
                    current_user=current_user,
                    current_item=current_item,
                )
            )
        key = tuple(sorted((filter_values or {}).items()))
        cache = self._allowed
        found = cache.get(key)
        if found is None:
            found = cache[key] = Allowed(self.mask(filter_values=filter_values))
            while len(cache) > self._allowed_size:
                with contextlib.suppress(KeyError):  # another server thread may have evicted it meanwhile
                    cache.popitem(last=False)
        else:
            with contextlib.suppress(KeyError):
                cache.move_to_end(key)
        return found

    def current_item_at(self, position: int) -> dict[str, object]:
        """The metadata row at a catalog position, ready to pass as ``current_item``."""
        return self.catalog.row(position)


def compile_item_filter(
    expression: FilterExpression,
    items: pd.DataFrame | FilterCatalog,
    *,
    precedence: Precedence = "and_first",
) -> CompiledFilter:
    """Bind an ItemID filter to a catalog: one row per catalog position, ``ITEM_ID`` plus metadata.

    Categorical columns may hold ``|``-separated multi-values; numeric columns are numeric; missing
    values are NaN/NA. Field names match the columns case-insensitively. Pass a FilterCatalog instead
    of the frame to share the column lookups between filters. Raises InvalidInputException for a
    field that is not a column or a filter that is not an ItemID filter.
    """
    catalog = items if isinstance(items, FilterCatalog) else FilterCatalog(items, entity="Items")
    return CompiledFilter(expression, catalog, interactions="Interactions", precedence=precedence)


def compile_action_filter(
    expression: FilterExpression,
    actions: pd.DataFrame | FilterCatalog,
    *,
    precedence: Precedence = "and_first",
) -> CompiledFilter:
    """The same for ActionID filters over an actions table (``history`` holds action interactions)."""
    catalog = actions if isinstance(actions, FilterCatalog) else FilterCatalog(actions, entity="Actions")
    return CompiledFilter(expression, catalog, interactions="Action_Interactions", precedence=precedence)
