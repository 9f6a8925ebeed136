"""Text → :class:`FilterExpression`, with syntax errors that point at the column and say what was expected.

The grammar lives in ``grammar.lark`` (the readable spec); this module builds one LALR parser from it,
turns lark's tree into the frozen AST, and translates every lark error into
:class:`~personalize_lab.errors.FilterSyntaxError` so callers only ever see our own exceptions.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any

import lark
from lark import Token, Transformer, v_args

from personalize_lab.errors import FilterError, FilterRuleError, FilterSyntaxError
from personalize_lab.filters.ast import (
    Condition,
    Expression,
    FieldRef,
    FilterExpression,
    Literals,
    Number,
    ParamRef,
)
from personalize_lab.filters.rules import Schemas, check_rules
from personalize_lab.limits import MAX_EXPRESSION_LENGTH

__all__ = ["MAX_EXPRESSION_LENGTH", "parse", "parse_syntax"]


_DATASET_NAMES = {
    "item": "Items",
    "items": "Items",
    "interaction": "Interactions",
    "interactions": "Interactions",
    "user": "Users",
    "users": "Users",
    "action": "Actions",
    "actions": "Actions",
    "action_interaction": "Action_Interactions",
    "action_interactions": "Action_Interactions",
    "currentuser": "CurrentUser",
    "currentitem": "CurrentItem",
}
_TARGETS = {"itemid": "ItemID", "userid": "UserID", "actionid": "ActionID"}

# Terminal names → human words, for "expected ..." in syntax errors.
_EXPECTED_WORDS = {
    "ACTION": "INCLUDE or EXCLUDE",
    "TARGET": "ItemID, UserID or ActionID",
    "WHERE": "WHERE",
    "IF": "IF",
    "NOT": "NOT IN",
    "IN": "IN",
    "AND": "AND",
    "OR": "OR",
    "CMP_OP": "a comparison (=, !=, <, <=, >, >=)",
    "SOURCE": "a dataset field such as Items.GENRE (datasets: Items, Interactions, Users, Actions, "
    "Action_Interactions; CurrentUser and CurrentItem)",
    "FIELD_NAME": "a field name",
    "PLACEHOLDER": "a placeholder such as $GENRE",
    "STRING": 'a double-quoted string such as "Comedy"',
    "NUMBER": "a number",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "DOT": "'.'",
    "VBAR": "| (another expression)",
    "$END": "the end of the filter",
}
# Order in which expected items are listed (most helpful first).
_EXPECTED_ORDER = list(_EXPECTED_WORDS)


@functools.cache
def _parser() -> lark.Lark:
    grammar = resources.files("personalize_lab.filters").joinpath("grammar.lark").read_text("utf-8")
    return lark.Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=False)


def _unquote(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal[1:-1], flags=re.S)


@v_args(inline=True)
class _ToAst(Transformer[Token, Any]):
    """lark tree → AST nodes (bottom-up)."""

    def start(self, *expressions: Expression) -> tuple[Expression, ...]:
        return expressions

    def expression(self, action: Token, target: Token, _where: Token, *rest: Any) -> Expression:
        conditions: list[Condition] = []
        connectors: list[str] = []
        if_conditions: tuple[Condition, ...] = ()
        for item in rest:
            if isinstance(item, Condition):
                conditions.append(item)
            elif isinstance(item, Token):
                connectors.append(str(item).upper())
            else:
                if_conditions = item
        return Expression(
            action=str(action).upper(),  # type: ignore[arg-type]
            target=_TARGETS[str(target).lower()],  # type: ignore[arg-type]
            conditions=tuple(conditions),
            connectors=tuple(connectors),
            if_conditions=if_conditions,
        )

    def if_clause(self, *items: Any) -> tuple[Condition, ...]:
        return tuple(i for i in items if isinstance(i, Condition))

    def in_condition(self, field: FieldRef, _in: Token, value: Any) -> Condition:
        return Condition(field, "IN", value)

    def not_in_condition(self, field: FieldRef, _not: Token, _in: Token, value: Any) -> Condition:
        return Condition(field, "NOT IN", value)

    def compare_condition(self, field: FieldRef, op: Token, value: Any) -> Condition:
        return Condition(field, str(op), value)  # type: ignore[arg-type]

    def field(self, source: Token, name: Token) -> FieldRef:
        return FieldRef(_DATASET_NAMES[str(source).lower()], str(name))

    def literal_list(self, *strings: Token) -> Literals:
        return Literals(tuple(_unquote(str(s)) for s in strings))

    def list_placeholder(self, token: Token) -> ParamRef:
        return ParamRef(str(token)[1:])

    scalar_placeholder = list_placeholder

    def number(self, token: Token) -> Number:
        return Number(str(token))

    def field_value(self, field: FieldRef) -> FieldRef:
        return field


def _caret(text: str, line: int, column: int) -> str:
    lines = text.splitlines() or [""]
    shown = lines[line - 1] if 0 < line <= len(lines) else ""
    return f"  {shown}\n  {' ' * (column - 1)}^"


def _describe(expected: set[str]) -> tuple[str, ...]:
    words = [_EXPECTED_WORDS.get(name, name) for name in sorted(expected, key=_order)]
    return tuple(dict.fromkeys(words))


def _order(name: str) -> int:
    return _EXPECTED_ORDER.index(name) if name in _EXPECTED_ORDER else len(_EXPECTED_ORDER)


def _join(words: tuple[str, ...]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


_IF_RULE = " IF comes once, at the end of an expression, and its conditions are joined by AND only"


def _after_if_clause(current: str, expected: set[str]) -> bool:
    """True when the parser stopped inside an IF clause, where only AND, | or the end may follow."""
    return bool(re.search(r"\bIF\b", current, re.I)) and expected <= {"AND", "VBAR", "$END"}


def _hint(text: str, pos: int, token: str, expected: set[str]) -> str:
    """A sentence about the most common causes at this spot, or ''."""
    before = text[:pos]
    current = before.rsplit("|", 1)[-1]
    if _after_if_clause(current, expected):
        return _IF_RULE
    if token in ("=", ">") and before.rstrip()[-1:] in ("=", "<"):
        return " the comparison operators are =, !=, <, <=, >, >= (no ==, =>, <>)"
    if token == "$" or (token == "-" and re.search(r"\$\w*$", before)):
        return " a placeholder is $ followed by letters, digits or _ (the filterValues key)"
    if token == '"':
        return " this string is never closed: end it with a double quote"
    if token.upper() in ("INCLUDE", "EXCLUDE") and "VBAR" in expected:
        return " chain expressions with |"
    if before.rstrip().endswith('""'):
        return ' "" is an empty string followed by more text: look for a doubled or unbalanced quote'
    if token == "(" and "SOURCE" in expected:
        return " parentheses cannot group conditions; chain whole expressions with | instead"
    if token.startswith(("'", "\u2018", "\u2019", "\u201c", "\u201d")):
        return ' string values use straight double quotes: "value"'
    if "RPAR" in expected and "COMMA" not in expected and token == ",":
        return " a placeholder stands alone in IN ($NAME): pass several values through it in filterValues"
    if "STRING" in expected and re.fullmatch(r"[+-]?\d+(\.\d*)?", token):
        return ' IN compares strings: quote the value ("10"), or use = for numbers'
    return ""


def _syntax_error(text: str, err: lark.exceptions.LarkError) -> FilterError:
    line = getattr(err, "line", 1) or 1
    column = getattr(err, "column", 1) or 1
    pos = getattr(err, "pos_in_stream", None)
    expected: set[str] = set()
    token: str | None
    if isinstance(err, lark.exceptions.UnexpectedToken):
        expected = set(err.accepts or err.expected or ())
        tok = err.token
        if tok.type == "$END":
            token = None
            line, column = _end_position(text)
            pos = len(text)
        else:
            token = str(tok)
            line, column = tok.line or line, tok.column or column
            pos = tok.start_pos
    elif isinstance(err, lark.exceptions.UnexpectedCharacters):
        expected = set(err.allowed or ())
        pos = err.pos_in_stream or 0
        token = _word_at(text, pos)
    elif isinstance(err, lark.exceptions.UnexpectedEOF):
        expected = set(err.expected or ())
        token = None
        line, column = _end_position(text)
        pos = len(text)
    else:  # pragma: no cover - lark raises only the three above while parsing
        token = None
    words = _describe(expected)
    found = f"unexpected {token!r}" if token is not None else "the filter ends too early"
    pos = pos if isinstance(pos, int) else 0
    hint = _hint(text, pos, token or "", expected)
    if hint == _IF_RULE and token is not None:
        # The text parses up to here; what breaks is the IF placement rule, so say it as a rule.
        rule = f"line {line}, column {column}: {token!r} follows an IF clause, but{_IF_RULE}"
        fix = "put every WHERE condition before IF, join IF conditions with AND, or chain with |"
        return FilterRuleError(
            f"{rule}. Fix: {fix}.\n{_caret(text, line, column)}",
            field="filterExpression",
            value=text,
            rule=rule,
            fix=fix,
        )
    message = f"line {line}, column {column}: {found}; expected {_join(words) or 'something else'}."
    if hint:
        message += " Hint:" + hint + "."
    message += "\n" + _caret(text, line, column)
    return FilterSyntaxError(message, text=text, line=line, column=column, token=token, expected=words)


def _end_position(text: str) -> tuple[int, int]:
    stripped = text.rstrip()
    lines = stripped.split("\n")
    return len(lines), len(lines[-1]) + 1


def _word_at(text: str, pos: int) -> str:
    match = re.match(r"[A-Za-z0-9_$]+|\S", text[pos:])
    return match.group(0) if match else text[pos : pos + 1]


def parse_syntax(text: str) -> FilterExpression:
    """Parse without the static rules (see :func:`parse`). Raises FilterSyntaxError / FilterRuleError."""
    if not isinstance(text, str):
        raise FilterRuleError(
            f"filterExpression must be a string, got {type(text).__name__}",
            field="filterExpression",
            value=text,
        )
    if not 1 <= len(text) <= MAX_EXPRESSION_LENGTH:
        raise FilterRuleError(
            f"filterExpression has {len(text)} characters; it must have 1–{MAX_EXPRESSION_LENGTH}. "
            "Fix: "
            + ("write an expression" if not text else "split it into several filters or use placeholders"),
            field="filterExpression",
            value=text,
        )
    try:
        tree = _parser().parse(text)
    except lark.exceptions.UnexpectedInput as err:
        raise _syntax_error(text, err) from None
    expressions = _ToAst().transform(tree)
    return FilterExpression(expressions=expressions, text=text)


def parse(
    text: str,
    *,
    schemas: Schemas | None = None,
    max_distinct_fields: int = 5,
) -> FilterExpression:
    """Parse a filter expression and check the language's static rules.

    ``schemas`` (optional) maps dataset names to ``{field name: avro type info}``; with it the fields
    are checked too (see :func:`personalize_lab.filters.rules.check_rules`). Raises
    :class:`FilterSyntaxError` for text that does not parse and :class:`FilterRuleError` for a rule
    the expression breaks.
    """
    expression = parse_syntax(text)
    check_rules(expression, schemas=schemas, max_distinct_fields=max_distinct_fields)
    return expression
