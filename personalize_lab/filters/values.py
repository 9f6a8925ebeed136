"""The filterValues codec: Python values ↔ the exact wire strings, and a check of a map against a filter.

The wire format (personalize-semantics.md §3.3) is one string per placeholder key (the name without
``$``, case-sensitive): a comma-separated list of double-quoted values, no spaces, with ``"`` and
``\\`` escaped by a backslash::

    {"GENRE": ["Comedy", "Drama"], "PRICE": 20}   →   {"GENRE": '"Comedy","Drama"', "PRICE": '"20"'}

Numbers are encoded like strings, quoted: ``20`` → ``'"20"'``, ``2.5`` → ``'"2.5"'``, and a float with
an integral value drops the ``.0`` (``20.0`` → ``'"20"'``). The service documents no numeric example;
the local Personalize accepts both ``'"20"'`` and ``'20'``. Booleans are rejected (filters cannot
test boolean fields; store ``"True"``/``"False"`` strings or 0/1 instead).

Decoding is as lenient as the service: a string that is not a list of quoted values is read as ONE
raw value (``'Comedy,Drama'`` → ``["Comedy,Drama"]``). :func:`check_filter_values` is the strict
side: it rejects such strings with the corrected spelling before a request is sent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from numbers import Real

from personalize_lab.errors import FilterValuesError
from personalize_lab.filters.ast import FilterExpression, Placeholder
from personalize_lab.limits import MAX_FILTER_KEY_LENGTH, MAX_FILTER_VALUE_LENGTH, MAX_FILTER_VALUES

__all__ = [
    "MAX_FILTER_KEY_LENGTH",
    "MAX_FILTER_VALUES",
    "MAX_FILTER_VALUE_LENGTH",
    "check_filter_values",
    "decode_filter_values",
    "encode_filter_values",
    "encode_value",
]


_KEY = re.compile(r"[A-Za-z0-9_]+")
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_WIRE = re.compile(rf"{_QUOTED}(?:,{_QUOTED})*", re.S)
_ITEM = re.compile(_QUOTED, re.S)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(item: str) -> str:
    return re.sub(r"\\(.)", r"\1", item[1:-1], flags=re.S)


def _format_number(number: Real) -> str:
    value = float(number)
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{number!r} is not a finite number")
    if isinstance(number, int):
        return str(number)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _check_key(key: object) -> str:
    if not isinstance(key, str):
        raise FilterValuesError(
            f"filterValues key {key!r} must be a string (the placeholder name without $)",
            field="filterValues",
            value=key,
        )
    if key.startswith("$") and _KEY.fullmatch(key[1:]):
        raise FilterValuesError(
            f"filterValues key {key!r} starts with $. Fix: drop the $: {key[1:]!r}",
            field="filterValues",
            value=key,
        )
    if not _KEY.fullmatch(key) or len(key) > MAX_FILTER_KEY_LENGTH:
        raise FilterValuesError(
            f"filterValues key {key!r} must match [A-Za-z0-9_]+ with at most {MAX_FILTER_KEY_LENGTH} characters. "
            "Fix: use the placeholder name without $",
            field="filterValues",
            value=key,
        )
    return key


def _check_count(values: Mapping[str, object]) -> None:
    if len(values) > MAX_FILTER_VALUES:
        raise FilterValuesError(
            f"filterValues has {len(values)} entries; at most {MAX_FILTER_VALUES} are allowed. "
            "Fix: drop the keys the filter does not use",
            field="filterValues",
        )


def _check_length(key: str, wire: str) -> None:
    if len(wire) > MAX_FILTER_VALUE_LENGTH:
        raise FilterValuesError(
            f"filterValues[{key!r}] has {len(wire)} characters; at most {MAX_FILTER_VALUE_LENGTH} are allowed. "
            "Fix: pass fewer or shorter values",
            field="filterValues",
            value=wire,
        )


def corrected(wire: str) -> str:
    """Best guess at what a badly quoted value meant: split on commas, strip blanks and quotes."""
    pieces = [p.strip().strip("\"'\u201c\u201d").strip() for p in wire.split(",")]
    return ",".join(_quote(p) for p in pieces if p)


def _format_problem(key: str, wire: str, *, allow_comma_values: bool) -> str | None:
    """Why ``wire`` is not a well-formed list of quoted values (None when it is)."""
    if wire == "":
        return f"filterValues[{key!r}] is empty. Fix: give a value such as '\"value\"', or leave the key out"
    if not wire.startswith('"'):
        return (
            f"filterValues[{key!r}]={wire!r} is not quoted: each value must be in double quotes, "
            f"separated by commas. Fix: {corrected(wire)!r}"
        )
    if not _WIRE.fullmatch(wire):
        return (
            f"filterValues[{key!r}]={wire!r} is not a list of double-quoted values separated by commas "
            f"(no spaces). Fix: {corrected(wire)!r}"
        )
    if not allow_comma_values:
        for item in _ITEM.findall(wire):
            value = _unquote(item)
            if "," in value:
                return (
                    f"filterValues[{key!r}]={wire!r} holds ONE value {value!r} (the comma is inside the "
                    f"quotes). Fix: {corrected(wire)!r} for separate values (or pass "
                    "allow_comma_values=True if the comma belongs to the value)"
                )
    return None


def encode_value(key: str, value: object) -> str:
    """One Python value → its wire string (see the module docstring for the rules)."""
    if value is None or isinstance(value, bool):
        fix = (
            "leave the key out"
            if value is None
            else 'filters cannot test booleans; store "True"/"False" strings or 0/1 and pass those'
        )
        raise FilterValuesError(
            f"filterValues[{key!r}]={value!r} cannot be encoded. Fix: {fix}",
            field="filterValues",
            value=value,
        )
    if isinstance(value, str):
        if value.startswith('"'):  # already encoded: keep it if it is well formed
            problem = _format_problem(key, value, allow_comma_values=True)
            if problem:
                raise FilterValuesError(problem, field="filterValues", value=value)
            wire = value
        else:
            wire = _quote(value)
    elif isinstance(value, Real):
        wire = _quote(_encode_number(key, value))
    elif isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        if not items:
            raise FilterValuesError(
                f"filterValues[{key!r}] is an empty list. Fix: give at least one value, or leave the key out",
                field="filterValues",
                value=value,
            )
        parts = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | Real):
                raise FilterValuesError(
                    f"filterValues[{key!r}] holds {item!r} ({type(item).__name__}); list items must be "
                    "strings or numbers",
                    field="filterValues",
                    value=value,
                )
            parts.append(_quote(item if isinstance(item, str) else _encode_number(key, item)))
        wire = ",".join(parts)
    else:
        raise FilterValuesError(
            f"filterValues[{key!r}] is a {type(value).__name__}; give a string, a number or a list of them",
            field="filterValues",
            value=value,
        )
    _check_length(key, wire)
    return wire


def _encode_number(key: str, number: Real) -> str:
    try:
        return _format_number(number)
    except ValueError:
        raise FilterValuesError(
            f"filterValues[{key!r}]={number!r} is not a finite number", field="filterValues", value=number
        ) from None


def encode_filter_values(values: Mapping[str, object]) -> dict[str, str]:
    """Python values (or already-encoded strings) → the exact wire map for ``filterValues``.

    ``{"GENRE": ["Comedy", "Drama"], "PRICE": 20}`` → ``{"GENRE": '"Comedy","Drama"', "PRICE": '"20"'}``.
    A plain string is ONE value; a string starting with ``"`` is taken as already encoded and
    validated (wrap a raw value that itself starts with a quote in a list: ``['"quoted" title']``).
    Raises FilterValuesError naming the key, the value and the fix.
    """
    _check_count(values)
    return {_check_key(key): encode_value(key, value) for key, value in values.items()}


def decode_filter_values(wire: Mapping[str, str]) -> dict[str, list[str]]:
    """The wire map → values per key, read as the service reads them.

    ``'"Comedy","Drama"'`` → ``["Comedy", "Drama"]``; a string that is not a quoted list is one raw
    value (``'10'`` → ``["10"]``, ``'Comedy,Drama'`` → ``["Comedy,Drama"]``).
    """
    decoded: dict[str, list[str]] = {}
    for key, value in wire.items():
        if not isinstance(value, str):
            raise FilterValuesError(
                f"filterValues[{key!r}] must be a string such as '\"value\"', got {type(value).__name__}. "
                "Fix: encode it with encode_filter_values",
                field="filterValues",
                value=value,
            )
        if _WIRE.fullmatch(value):
            decoded[key] = [_unquote(item) for item in _ITEM.findall(value)]
        else:
            decoded[key] = [value]
    return decoded


def _is_number(text: str) -> bool:
    return bool(_NUMBER.fullmatch(text.strip()))


def _needs_number(use: Placeholder) -> bool:
    if use.is_list:
        return False
    return not (use.dataset == "CurrentUser" and use.operator in ("=", "!="))


def check_filter_values(
    expression: FilterExpression,
    wire: Mapping[str, str],
    *,
    allow_comma_values: bool = False,
) -> list[str]:
    """Check a wire ``filterValues`` map against ``expression``; return warnings, raise on errors.

    Errors (FilterValuesError): more than 25 entries; a bad key; a value over 1000 characters; a key
    that is not a placeholder; a missing value for an INCLUDE expression's placeholder; a value that
    is not a list of double-quoted values (the message shows the corrected string); several values or
    a non-number where a comparison needs one number. Warnings: a missing value for an EXCLUDE-only
    placeholder (that expression will be dropped) and an unquoted number (accepted by the local
    Personalize, undocumented by the service).
    """
    if not isinstance(wire, Mapping):
        raise FilterValuesError(
            f"filterValues must be a mapping of placeholder name to string, got {type(wire).__name__}",
            field="filterValues",
        )
    _check_count(wire)
    for key, value in wire.items():
        _check_key(key)
        if not isinstance(value, str):
            raise FilterValuesError(
                f"filterValues[{key!r}] must be a string such as '\"value\"', got {type(value).__name__}. "
                "Fix: encode it with encode_filter_values",
                field="filterValues",
                value=value,
            )
        _check_length(key, value)
    names = expression.placeholder_names
    for key in wire:
        if key not in names:
            raise FilterValuesError(_unknown_key_message(key, names), field="filterValues", value=key)
    warnings: list[str] = []
    uses = expression.placeholders
    for use in uses:
        if use.required and use.name not in wire:
            index = use.expression_index
            raise FilterValuesError(
                f"no filterValues value for ${use.name}, which expression {index + 1} "
                f"({expression.expressions[index]}) needs: INCLUDE expressions require a value for every "
                f"placeholder. Fix: add {{{use.name!r}: '\"value\"'}} to filterValues",
                field="filterValues",
                value=use.name,
            )
    missing_by_expression: dict[int, list[str]] = {}
    for use in uses:
        if use.name not in wire:
            missing = missing_by_expression.setdefault(use.expression_index, [])
            if f"${use.name}" not in missing:
                missing.append(f"${use.name}")
    for index, missing in missing_by_expression.items():
        warnings.append(
            f"no filterValues value for {', '.join(missing)}: expression {index + 1} "
            f"({expression.expressions[index]}) will be dropped, so it excludes nothing"
        )
    for name in names:
        if name not in wire:
            continue
        value = wire[name]
        mine = [u for u in uses if u.name == name]
        numeric_uses = [u for u in mine if _needs_number(u)]
        if numeric_uses and _is_number(value):
            warnings.append(
                f"filterValues[{name!r}]={value!r} is an unquoted number: the local Personalize accepts it, "
                f"but the documented format is {_quote(value.strip())!r}"
            )
            continue
        problem = _format_problem(name, value, allow_comma_values=allow_comma_values)
        if problem:
            raise FilterValuesError(problem, field="filterValues", value=value)
        items = [_unquote(i) for i in _ITEM.findall(value)]
        for use in mine:
            if use.is_list:
                continue
            if len(items) != 1:
                raise FilterValuesError(
                    f"filterValues[{name!r}]={value!r} has {len(items)} values, but ${name} is compared "
                    f"with {use.operator} and takes exactly one. Fix: {_quote(items[0])!r}",
                    field="filterValues",
                    value=value,
                )
            if _needs_number(use) and not _is_number(items[0]):
                raise FilterValuesError(
                    f"filterValues[{name!r}]={value!r} is not a number, but ${name} is compared with "
                    f"{use.operator} on {use.dataset}.{use.field}. Fix: pass a number such as '\"20\"'",
                    field="filterValues",
                    value=value,
                )
    return warnings


def _unknown_key_message(key: str, names: tuple[str, ...]) -> str:
    listed = f"placeholders: {', '.join(names)}" if names else "this filter has no placeholders"
    message = f"filterValues key {key!r} is not a placeholder of this filter ({listed})."
    same_case = [n for n in names if n.lower() == key.lower()]
    if same_case:
        return message + f" Keys are case-sensitive: did you mean {same_case[0]!r}?"
    if names:
        return message + " Fix: use a placeholder name, without $"
    return message + " Fix: leave filterValues out"
