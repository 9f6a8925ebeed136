"""What the panels show by default, read from the customer's data instead of the demo store's names.

A card needs a title, a category and a price; the Storefront's A variant wants a filter that hides what
the user already bought, its B variant a filter to promote one category. The demo store calls them
TITLE, CATEGORY_L1, PRICE, ``exclude-purchased`` and ``category``; another catalog says NAME, GENRE,
COST and names its filters anything. So roles are found by shape: column names and types, and filters by
their expression, never by their name. Every finder returns None when nothing fits, and the panels then
leave that part out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from personalize_lab.errors import FilterError
from personalize_lab.filters import Expression, Literals, ParamRef, parse

_TITLE = re.compile(r"(^|_)(TITLE|NAME)($|_)", re.IGNORECASE)
_CATEGORY = re.compile(r"CATEGOR|GENRE|DEPARTMENT|(^|_)(TYPE|CLASS|SECTION)($|_)", re.IGNORECASE)
_PRICE = re.compile(r"PRICE|COST", re.IGNORECASE)
_BOUGHT = re.compile(r"PURCHASE|BUY|BOUGHT|ORDER|CHECKOUT", re.IGNORECASE)
_BOOLEAN_TEXT = {"true", "false", "yes", "no", "0", "1", "y", "n", "t", "f"}
#: A string column with at most this many distinct values (and fewer than half the rows) is categorical.
MAX_CATEGORIES = 50
SAMPLE_ROWS = 10_000


@dataclass(frozen=True)
class ItemRoles:
    """The item columns a card shows: each a column name of the catalog, or None when it has none."""

    title: str | None = None
    category: str | None = None
    price: str | None = None

    def columns(self) -> list[str]:
        """The roles that were found, in card order (title, category, price): the metadata to request."""
        return [c for c in (self.title, self.category, self.price) if c is not None]


def item_roles(items: pd.DataFrame | None, fields: Sequence[str] = ()) -> ItemRoles:
    """Title, category and price columns of ``items`` (the Items dataset), or of ``fields`` (schema field
    names) where the backend cannot list the items (AWS): then by name alone."""
    if items is None:
        names = [f for f in fields if f.upper() != "ITEM_ID"]
        return ItemRoles(
            title=_first(names, _TITLE),
            category=_first(names, _CATEGORY),
            price=_first(names, _PRICE),
        )
    strings = [str(c) for c in items.columns if str(c).upper() != "ITEM_ID" and _is_text(items[c])]
    numbers = [str(c) for c in items.columns if pd.api.types.is_numeric_dtype(items[c].dtype)]
    title = _first(strings, _TITLE)
    categorical = [c for c in strings if c != title and _is_categorical(items[c])]
    return ItemRoles(
        title=title,
        category=_first(categorical, _CATEGORY) or (categorical[0] if categorical else None),
        price=_first(numbers, _PRICE),
    )


def _first(names: Iterable[str], pattern: re.Pattern[str]) -> str | None:
    return next((n for n in names if pattern.search(n)), None)


def _is_text(column: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(column.dtype) or column.dtype == object


def _is_categorical(column: pd.Series) -> bool:
    """A few distinct values shared by many rows, and not a yes/no flag (judged on the first rows, so a
    catalog of millions costs no more than one of thousands)."""
    values = column.head(SAMPLE_ROWS).dropna().astype(str)
    distinct = set(values.unique())
    if len(distinct) < 2 or {v.lower() for v in distinct} <= _BOOLEAN_TEXT:
        return False
    return len(distinct) <= MAX_CATEGORIES and len(distinct) < len(values) / 2


def _expressions(text: str) -> tuple[Expression, ...]:
    try:
        return parse(text).expressions
    except (FilterError, ValueError):
        return ()


def exclude_bought_filter(filters: pd.DataFrame) -> str | None:
    """Name of a filter that hides items the user already interacted with and needs no values.

    Its expression is one ``EXCLUDE ItemID WHERE Interactions.… IN ("…")`` with literal values; one
    that names a purchase-like event type wins over one that excludes every interaction.
    """
    found: list[tuple[str, bool]] = []
    for name, text in _named_expressions(filters):
        expressions = _expressions(text)
        if len(expressions) != 1:
            continue
        (expr,) = expressions
        conditions = expr.all_conditions
        if expr.action != "EXCLUDE" or expr.target != "ItemID" or not conditions:
            continue
        if all(c.field.dataset == "Interactions" and isinstance(c.value, Literals) for c in conditions):
            bought = any(
                _BOUGHT.search(v) for c in conditions if isinstance(c.value, Literals) for v in c.value.values
            )
            found.append((name, bought))
    return next((n for n, bought in found if bought), found[0][0] if found else None)


def category_filter(filters: pd.DataFrame, category: str | None) -> tuple[str, str] | None:
    """(filter name, placeholder) of a filter that keeps one category: ``INCLUDE ItemID WHERE
    Items.<category> IN ($P)`` and nothing else. A promotion with it promotes the category ``P`` names."""
    if category is None:
        return None
    for name, text in _named_expressions(filters):
        expressions = _expressions(text)
        if len(expressions) != 1 or len(expressions[0].all_conditions) != 1:
            continue
        expr = expressions[0]
        (cond,) = expr.all_conditions
        if (
            expr.action == "INCLUDE"
            and expr.target == "ItemID"
            and cond.field.dataset == "Items"
            and cond.field.name.upper() == category.upper()
            and cond.operator == "IN"
            and isinstance(cond.value, ParamRef)
        ):
            return name, cond.value.name
    return None


def _named_expressions(filters: pd.DataFrame) -> list[tuple[str, str]]:
    if not {"name", "expression"} <= set(filters.columns):
        return []
    return [
        (str(n), str(e))
        for n, e in zip(filters["name"], filters["expression"], strict=True)
        if isinstance(e, str)
    ]


__all__ = ["MAX_CATEGORIES", "ItemRoles", "category_filter", "exclude_bought_filter", "item_roles"]
