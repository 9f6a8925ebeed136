"""The vectorised masks agree with a row-by-row reading of the semantics on random catalogs and filters."""

from __future__ import annotations

import math
import operator

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from personalize_lab.emulator.filtering import compile_item_filter
from personalize_lab.filters import Condition, Expression, FieldRef, FilterExpression, Literals, Number

GENRES = ["a", "b", "c"]
genre_cells = st.one_of(st.none(), st.lists(st.sampled_from(GENRES), min_size=1, max_size=2, unique=True))
price_cells = st.sampled_from([1.0, 2.0, 3.0, math.nan])
OPS = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
Row = tuple[list[str] | None, float]

genre_conditions = st.builds(
    Condition,
    st.just(FieldRef("Items", "GENRE")),
    st.sampled_from(["IN", "NOT IN"]),
    st.lists(st.sampled_from(GENRES), min_size=1, max_size=2, unique=True).map(lambda v: Literals(tuple(v))),
)
price_conditions = st.builds(
    Condition,
    st.just(FieldRef("Items", "PRICE")),
    st.sampled_from(list(OPS)),
    st.sampled_from(["1", "2", "3"]).map(Number),
)


@st.composite
def expressions(draw: st.DrawFn) -> Expression:
    conditions = draw(st.lists(st.one_of(genre_conditions, price_conditions), min_size=1, max_size=4))
    return Expression(
        action=draw(st.sampled_from(["INCLUDE", "EXCLUDE"])),
        target="ItemID",
        conditions=tuple(conditions),
        connectors=tuple(draw(st.sampled_from(["AND", "OR"])) for _ in conditions[1:]),
    )


def holds(condition: Condition, genres: list[str] | None, price: float) -> bool:
    if condition.field.name == "GENRE":
        assert isinstance(condition.value, Literals)
        hit = genres is not None and bool(set(genres) & set(condition.value.values))
        return hit if condition.operator == "IN" else not hit
    assert isinstance(condition.value, Number)
    return not math.isnan(price) and OPS[condition.operator](price, condition.value.value)


def reference(expr: FilterExpression, rows: list[Row], precedence: str) -> list[bool]:
    """Row by row: AND/OR per precedence, then (∪ INCLUDE) − (∪ EXCLUDE)."""
    out = []
    for genres, price in rows:
        included, excluded, any_include = False, False, False
        for e in expr.expressions:
            values = [holds(c, genres, price) for c in e.conditions]
            if precedence == "left_to_right":
                result = values[0]
                for connector, value in zip(e.connectors, values[1:], strict=True):
                    result = (result and value) if connector == "AND" else (result or value)
            else:
                groups = [[values[0]]]
                for connector, value in zip(e.connectors, values[1:], strict=True):
                    if connector == "AND":
                        groups[-1].append(value)
                    else:
                        groups.append([value])
                result = any(all(g) for g in groups)
            if e.action == "INCLUDE":
                any_include = True
                included = included or result
            else:
                excluded = excluded or result
        out.append((included if any_include else True) and not excluded)
    return out


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(genre_cells, price_cells), min_size=1, max_size=10),
    st.lists(expressions(), min_size=1, max_size=3),
    st.sampled_from(["and_first", "left_to_right"]),
)
def test_vectorised_mask_matches_row_by_row_semantics(
    rows: list[Row], chain: list[Expression], precedence: str
) -> None:
    items = pd.DataFrame(
        {
            "ITEM_ID": [f"i{i}" for i in range(len(rows))],
            "GENRE": pd.Series([None if g is None else "|".join(g) for g, _ in rows], dtype="str"),
            "PRICE": [p for _, p in rows],
        }
    )
    expr = FilterExpression(tuple(chain))
    compiled = compile_item_filter(expr, items, precedence=precedence)  # type: ignore[arg-type]
    assert compiled.mask().tolist() == reference(expr, rows, precedence)
    assert np.array_equal(compiled.mask(), compiled.mask())
