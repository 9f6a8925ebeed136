"""Amazon Personalize's filter-expression language: parse, check, introspect, and encode filterValues.

Shared by the client (validation before a request is sent, widgets that list placeholders) and the
local Personalize (evaluation). The grammar is ``grammar.lark`` beside this file::

    >>> from personalize_lab import filters
    >>> f = filters.parse('INCLUDE ItemID WHERE Items.GENRE IN ($G)')
    >>> [p.name for p in f.placeholders], f.needs_user_id
    (['G'], False)
    >>> filters.encode_filter_values({"G": ["Comedy", "Drama"]})
    {'G': '"Comedy","Drama"'}
"""

from __future__ import annotations

from personalize_lab.filters.ast import (
    Condition,
    Expression,
    FieldRef,
    FilterExpression,
    Literals,
    Number,
    ParamRef,
    Placeholder,
)
from personalize_lab.filters.parser import MAX_EXPRESSION_LENGTH, parse, parse_syntax
from personalize_lab.filters.rules import DEFAULT_MAX_DISTINCT_FIELDS, Schemas, check_rules
from personalize_lab.filters.values import (
    check_filter_values,
    decode_filter_values,
    encode_filter_values,
)

# The name personalize_lab exports at top level, where a bare ``parse`` would be ambiguous.
parse_filter = parse

__all__ = [
    "DEFAULT_MAX_DISTINCT_FIELDS",
    "MAX_EXPRESSION_LENGTH",
    "Condition",
    "Expression",
    "FieldRef",
    "FilterExpression",
    "Literals",
    "Number",
    "ParamRef",
    "Placeholder",
    "Schemas",
    "check_filter_values",
    "check_rules",
    "decode_filter_values",
    "encode_filter_values",
    "parse",
    "parse_filter",
    "parse_syntax",
]
