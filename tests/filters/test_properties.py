"""Property tests: canonical text round-trips to the same AST, and no input raises a foreign exception."""

from __future__ import annotations

import contextlib
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from personalize_lab.errors import PersonalizeLabError
from personalize_lab.filters import (
    Condition,
    FieldRef,
    FilterExpression,
    Literals,
    Number,
    ParamRef,
    check_filter_values,
    decode_filter_values,
    encode_filter_values,
    parse,
    parse_syntax,
)
from personalize_lab.filters.ast import Expression

SOURCES = ["Items", "Interactions", "Users", "Actions", "Action_Interactions", "CurrentUser", "CurrentItem"]
NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)
KEY = st.from_regex(r"[A-Za-z0-9_]{1,12}", fullmatch=True)
NUMBER = st.from_regex(r"[+-]?(\d{1,6}(\.\d{0,3})?|\.\d{1,3})([eE][+-]?\d{1,2})?", fullmatch=True)

fields = st.builds(FieldRef, st.sampled_from(SOURCES), NAME)
list_values = st.one_of(
    st.builds(Literals, st.lists(st.text(max_size=8), min_size=1, max_size=3).map(tuple)),
    st.builds(ParamRef, KEY),
    st.builds(FieldRef, st.just("CurrentItem"), NAME),
)
scalar_values = st.one_of(
    st.builds(Number, NUMBER), st.builds(ParamRef, KEY), st.builds(FieldRef, st.just("CurrentItem"), NAME)
)
conditions = st.one_of(
    st.builds(Condition, fields, st.sampled_from(["IN", "NOT IN"]), list_values),
    st.builds(Condition, fields, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), scalar_values),
)


@st.composite
def expressions(draw: st.DrawFn) -> Expression:
    conds = draw(st.lists(conditions, min_size=1, max_size=4))
    return Expression(
        action=draw(st.sampled_from(["INCLUDE", "EXCLUDE"])),
        target=draw(st.sampled_from(["ItemID", "UserID", "ActionID"])),
        conditions=tuple(conds),
        connectors=tuple(draw(st.sampled_from(["AND", "OR"])) for _ in conds[1:]),
        if_conditions=tuple(draw(st.lists(conditions, max_size=2))),
    )


filters = st.builds(FilterExpression, st.lists(expressions(), min_size=1, max_size=3).map(tuple))


@settings(max_examples=300, deadline=None)
@given(filters)
def test_canonical_text_round_trips(expr: FilterExpression) -> None:
    text = str(expr)
    if len(text) <= 2500:
        assert parse_syntax(text) == expr
        assert str(parse_syntax(text)) == text


KEYWORDS = ["INCLUDE", "EXCLUDE", "ItemID", "WHERE", "Items.", "GENRE", "IN", "NOT", "AND", "OR", "IF"]
PUNCTUATION = ["(", ")", ",", "|", "$G", '"a"', '"', "\\", "*", "=", "<", "!=", "1.5"]
PIECES = [*KEYWORDS, "CurrentUser.", "CurrentItem.", *PUNCTUATION]
fuzz = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(PIECES), max_size=25).map(" ".join),
    st.text(alphabet=string.printable, max_size=120),
)


@settings(max_examples=400, deadline=None)
@given(fuzz)
def test_arbitrary_text_raises_only_our_errors(text: str) -> None:
    try:
        expr = parse(text)
    except PersonalizeLabError:
        return
    assert parse(str(expr)) == expr


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.text(max_size=6),
        st.one_of(st.text(max_size=20), st.integers(), st.none()),
        max_size=4,
    )
)
def test_filter_values_raise_only_our_errors(wire: dict[str, object]) -> None:
    expr = parse("INCLUDE ItemID WHERE Items.GENRE IN ($G) | EXCLUDE ItemID WHERE Items.PRICE > $P")
    for call in (
        lambda: check_filter_values(expr, wire),  # type: ignore[arg-type]
        lambda: encode_filter_values(wire),
        lambda: decode_filter_values(wire),  # type: ignore[arg-type]
    ):
        with contextlib.suppress(PersonalizeLabError):
            call()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=10), min_size=1, max_size=5))
def test_encode_then_decode_gives_the_values_back(values: list[str]) -> None:
    wire = encode_filter_values({"K": values})
    assert decode_filter_values(wire) == {"K": values}
