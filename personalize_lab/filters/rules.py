"""The static rules of the filter language that a grammar cannot say, checked before a filter is created.

Each rule raises :class:`~personalize_lab.errors.FilterRuleError` with a message that names the
expression, the condition, the rule and the fix (personalize-semantics.md §3.1, §3.3, §3.4).

Schemas (optional) use a plain mapping so this module depends on nothing but the AST::

    {"Items": {"GENRE": {"type": ["null", "string"], "categorical": True},
               "PRICE": "float",
               "DESCRIPTION": {"type": "string", "textual": True}},
     "Users": {"AGE": "int"}}

Dataset keys match case-insensitively (``ITEMS`` and ``ActionInteractions`` work too). A field's value
is either an Avro type (``"float"``, ``["null", "string"]``) or the schema's field dict (``type`` plus
optional ``categorical`` / ``textual`` flags). ``CurrentUser`` fields are looked up in Users and
``CurrentItem`` fields in Items; a dataset missing from the mapping is not checked.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from personalize_lab.errors import FilterRuleError
from personalize_lab.filters.ast import (
    INTERACTION_DATASETS,
    Condition,
    Expression,
    FieldRef,
    FilterExpression,
    Literals,
    ParamRef,
)
from personalize_lab.limits import MAX_DISTINCT_FILTER_FIELDS, MAX_FILTER_KEY_LENGTH

__all__ = ["DEFAULT_MAX_DISTINCT_FIELDS", "Schemas", "check_rules", "field_types"]

DEFAULT_MAX_DISTINCT_FIELDS = MAX_DISTINCT_FILTER_FIELDS  # the default of check_rules(max_distinct_fields=)

Schemas = Mapping[str, Mapping[str, Any]]

# Which datasets an expression's WHERE conditions may read, by target.
_TARGET_DATASETS = {
    "ItemID": ("Items", "Interactions"),
    "UserID": ("Users", "Interactions"),
    "ActionID": ("Actions", "Action_Interactions"),
}
_SCHEMA_KEYS = {
    "items": "Items",
    "interactions": "Interactions",
    "users": "Users",
    "actions": "Actions",
    "action_interactions": "Action_Interactions",
    "actioninteractions": "Action_Interactions",
}
_USERS_HINT = " (user data reaches item filters only through IF CurrentUser.FIELD)"
_NUMERIC = {"int", "long", "float", "double"}


def _fail(index: int, expression: Expression, rule: str, fix: str) -> FilterRuleError:
    where = f"expression {index + 1} ({expression})" if index >= 0 else "the filter"
    return FilterRuleError(f"{where}: {rule}. Fix: {fix}", field="filterExpression", rule=rule, fix=fix)


def check_rules(
    expression: FilterExpression,
    *,
    schemas: Schemas | None = None,
    max_distinct_fields: int = DEFAULT_MAX_DISTINCT_FIELDS,
) -> None:
    """Raise FilterRuleError for the first rule ``expression`` breaks; return None when it is valid."""
    targets = {e.target for e in expression.expressions}
    if len(targets) > 1:
        raise FilterRuleError(
            f"the filter chains expressions on different targets ({', '.join(sorted(targets))}); every "
            "expression joined with | must filter the same target. Fix: create one filter per target",
            field="filterExpression",
        )
    for index, expr in enumerate(expression.expressions):
        _check_expression(index, expr)
    fields = expression.fields()
    if len(fields) > max_distinct_fields:
        names = ", ".join(f"{d}.{f}" for d, f in fields)
        raise FilterRuleError(
            f"the filter reads {len(fields)} distinct fields ({names}); at most {max_distinct_fields} "
            "are allowed per filter. Fix: split it into several filters",
            field="filterExpression",
        )
    if schemas is not None:
        _check_schemas(expression, schemas)


def _check_expression(index: int, expr: Expression) -> None:
    first = expr.conditions[0].field
    allowed = _TARGET_DATASETS[expr.target]
    for condition in expr.conditions:
        ref = condition.field
        if ref.dataset == "CurrentUser":
            raise _fail(
                index,
                expr,
                f"{ref} is used in WHERE, but CurrentUser may appear only inside the IF clause",
                f"move it to the end: ... IF {condition}",
            )
        if ref.dataset == "CurrentItem":
            raise _fail(
                index,
                expr,
                f"{ref} stands on the left of a condition, but CurrentItem may only be the value compared "
                "with (Items.PRICE < CurrentItem.PRICE, Items.GENRE IN CurrentItem.GENRE)",
                f"write Items.{ref.name} {condition.operator} CurrentItem.{ref.name}",
            )
        if ref.dataset != first.dataset:
            raise _fail(
                index,
                expr,
                f"{first} and {ref} are joined by AND/OR but come from different datasets; every "
                f"condition of an expression must use the first condition's dataset ({first.dataset})",
                f"chain them as separate expressions: ... | {expr.action} {expr.target} WHERE {condition}",
            )
        if ref.dataset not in allowed:
            raise _fail(
                index,
                expr,
                f"{expr.target} filters cannot test {ref.dataset} fields ({ref}); they read "
                f"{' or '.join(allowed)}" + (_USERS_HINT if ref.dataset == "Users" else ""),
                f"use a dataset of the target ({', '.join(allowed)})",
            )
        _check_condition(index, expr, condition)
    for condition in expr.if_conditions:
        ref = condition.field
        if ref.dataset != "CurrentUser":
            raise _fail(
                index,
                expr,
                f"the IF clause tests {ref}, but IF may only test CurrentUser fields (IF comes last, "
                "after every WHERE condition)",
                f"move {ref} into WHERE, or test CurrentUser.{ref.name}",
            )
        if isinstance(condition.value, FieldRef):
            raise _fail(
                index,
                expr,
                f"the IF clause compares {ref} with {condition.value}; IF compares CurrentUser fields "
                "with values or placeholders only",
                "compare with a number, a quoted list or a placeholder",
            )
        _check_value(index, expr, condition)


def _check_condition(index: int, expr: Expression, condition: Condition) -> None:
    ref, value = condition.field, condition.value
    if ref.dataset in INTERACTION_DATASETS:
        if ref.name.upper() != "EVENT_TYPE":
            raise _fail(
                index,
                expr,
                f"{ref} is tested, but interaction filters can test only EVENT_TYPE",
                f"filter on {ref.dataset}.EVENT_TYPE, or use item metadata (Items.FIELD)",
            )
        if not condition.is_list:
            raise _fail(
                index,
                expr,
                f"{ref} is compared with {condition.operator}; event types are tested with IN or NOT IN",
                f"write {ref} IN ({value if isinstance(value, ParamRef) else '...'})",
            )
    if isinstance(value, FieldRef):
        if value.dataset != "CurrentItem":
            raise _fail(
                index,
                expr,
                f"{ref} is compared with the field {value}; a condition's value may be a field only "
                "as CurrentItem.FIELD",
                "compare with literal values, a placeholder, or CurrentItem.FIELD",
            )
        if ref.dataset != "Items":
            raise _fail(
                index,
                expr,
                f"{value} is compared with {ref}; CurrentItem compares only with Items fields",
                f"write Items.{value.name} {condition.operator} {value}",
            )
    _check_value(index, expr, condition)


def _check_value(index: int, expr: Expression, condition: Condition) -> None:
    ref, value = condition.field, condition.value
    if isinstance(value, ParamRef):
        if condition.operator == "NOT IN":
            raise _fail(
                index,
                expr,
                f"{condition} uses a placeholder with NOT IN, which is not allowed",
                f"use IN (${value.name}) and swap INCLUDE/EXCLUDE: "
                f"{'EXCLUDE' if expr.action == 'INCLUDE' else 'INCLUDE'} {expr.target} WHERE "
                f"{ref} IN (${value.name})",
            )
        if len(value.name) > MAX_FILTER_KEY_LENGTH:
            raise _fail(
                index,
                expr,
                f"placeholder ${value.name} has {len(value.name)} characters, but a filterValues key "
                f"has at most {MAX_FILTER_KEY_LENGTH}, so no request could give it a value",
                "use a shorter placeholder name",
            )
    is_event_type = ref.dataset in INTERACTION_DATASETS and ref.name.upper() == "EVENT_TYPE"
    if isinstance(value, Literals) and "*" in value.values and not is_event_type:
        raise _fail(
            index,
            expr,
            f'{condition} uses "*", which means every event type and is allowed only with '
            "Interactions.EVENT_TYPE",
            'list the values explicitly; "*" is not a wildcard for other fields',
        )


def _schema_for(schemas: Schemas, dataset: str) -> Mapping[str, Any] | None:
    for key, fields in schemas.items():
        if _SCHEMA_KEYS.get(str(key).lower()) == dataset:
            return fields
    return None


def field_types(info: Any) -> tuple[set[str], bool, bool]:
    """(avro type names without "null", categorical?, textual?) of a schema field's type info."""
    flags: Mapping[str, Any] = {}
    kind = info
    if isinstance(info, Mapping):
        flags, kind = info, info.get("type")
    kinds = kind if isinstance(kind, list | tuple) else [kind]
    names = {str(k.get("type")) if isinstance(k, Mapping) else str(k) for k in kinds}
    names.discard("null")
    return names, bool(flags.get("categorical")), bool(flags.get("textual"))


def _check_schemas(expression: FilterExpression, schemas: Schemas) -> None:
    for index, expr in enumerate(expression.expressions):
        for condition in expr.all_conditions:
            refs = [condition.field]
            if isinstance(condition.value, FieldRef):
                refs.append(condition.value)
            for ref in refs:
                _check_field(index, expr, condition, ref, schemas)


def _check_field(index: int, expr: Expression, condition: Condition, ref: FieldRef, schemas: Schemas) -> None:
    fields = _schema_for(schemas, ref.reads_dataset)
    if fields is None:
        return
    by_upper = {str(name).upper(): name for name in fields}
    real = by_upper.get(ref.name.upper())
    if real is None:
        close = difflib.get_close_matches(ref.name.upper(), list(by_upper), n=1, cutoff=0.6)
        suggestion = f"did you mean {ref.dataset}.{by_upper[close[0]]}?" if close else ""
        known = ", ".join(sorted(str(n) for n in fields))
        raise _fail(
            index,
            expr,
            f"{ref} is not a field of the {ref.reads_dataset} schema (fields: {known})",
            suggestion or f"use one of the {ref.reads_dataset} fields",
        )
    types, _categorical, textual = field_types(fields[real])
    if "boolean" in types:
        raise _fail(
            index,
            expr,
            f"{ref} is a boolean field, and boolean fields cannot be filtered on",
            'store it as a string ("True"/"False") or an int (0/1) and filter on that',
        )
    if textual:
        raise _fail(
            index,
            expr,
            f"{ref} is a textual (unstructured text) field, and textual fields cannot be filtered on",
            "filter on a categorical field instead",
        )
    numeric = bool(types) and types <= _NUMERIC
    if (
        ref is condition.field
        and not condition.is_list
        and ref.dataset != "CurrentUser"
        and types
        and not numeric
    ):
        raise _fail(
            index,
            expr,
            f"{condition} compares with {condition.operator}, but {ref} is a {'/'.join(sorted(types))} "
            "field; comparisons test numeric fields",
            f"use IN for string values: {ref} IN (...)",
        )
