"""The local Personalize's filter evaluation: exact masks on a hand-built catalog for every rule.

Catalog (position: GENRE | PRICE | BRAND):
    0: Action|Crime  10   acme
    1: Comedy        20   zen
    2: <missing>     30   acme
    3: Drama|Comedy  NaN  zen
    4: Action        5    <missing>
    5: Horror        20   acme
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from personalize_lab.emulator.exceptions import InvalidInputException
from personalize_lab.emulator.filtering import FilterCatalog, compile_action_filter, compile_item_filter
from personalize_lab.filters import parse

ITEMS = pd.DataFrame(
    {
        "ITEM_ID": ["i0", "i1", "i2", "i3", "i4", "i5"],
        "GENRE": pd.Series(["Action|Crime", "Comedy", None, "Drama|Comedy", "Action", "Horror"], dtype="str"),
        "PRICE": [10.0, 20.0, 30.0, np.nan, 5.0, 20.0],
        "BRAND": pd.Series(["acme", "zen", "acme", "zen", None, "acme"], dtype="str"),
        "YEAR_TEXT": pd.Series(["1999", "2001", None, "2010", "x", "1999"], dtype="str"),
    }
)
# The requesting user's newest interactions per event type (catalog positions); keys in any case.
HISTORY = {"click": np.array([1, 3]), "Purchase": np.array([5])}


def mask(text: str, precedence: str = "and_first", **request: object) -> list[int]:
    compiled = compile_item_filter(parse(text), ITEMS, precedence=precedence)  # type: ignore[arg-type]
    result = compiled.mask(**request)  # type: ignore[arg-type]
    assert result.dtype == bool
    assert result.shape == (len(ITEMS),)
    return [int(b) for b in result]


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        # multi-valued IN: the sets intersect
        ('INCLUDE ItemID WHERE Items.GENRE IN ("Action")', {}, [1, 0, 0, 0, 1, 0]),
        ('INCLUDE ItemID WHERE Items.GENRE IN ("Comedy", "Horror")', {}, [0, 1, 0, 1, 0, 1]),
        # NOT IN: disjoint sets; a missing value satisfies NOT IN
        ('INCLUDE ItemID WHERE Items.GENRE NOT IN ("Action")', {}, [0, 1, 1, 1, 0, 1]),
        ('INCLUDE ItemID WHERE Items.GENRE NOT IN ("Comedy")', {}, [1, 0, 1, 0, 1, 1]),
        # value matches are exact (case-sensitive)
        ('INCLUDE ItemID WHERE Items.GENRE IN ("action")', {}, [0, 0, 0, 0, 0, 0]),
        # field names match columns case-insensitively
        ('INCLUDE ItemID WHERE Items.genre IN ("Crime")', {}, [1, 0, 0, 0, 0, 0]),
        # placeholders
        ("INCLUDE ItemID WHERE Items.GENRE IN ($G)", {"G": '"Crime","Horror"'}, [1, 0, 0, 0, 0, 1]),
        ("INCLUDE ItemID WHERE Items.PRICE <= $P", {"P": '"20"'}, [1, 1, 0, 0, 1, 1]),
        ("INCLUDE ItemID WHERE Items.PRICE <= $P", {"P": "20"}, [1, 1, 0, 0, 1, 1]),
        ("INCLUDE ItemID WHERE Items.PRICE <= ($P)", {"P": '"7.5"'}, [0, 0, 0, 0, 1, 0]),
        # comparisons: a missing value never satisfies one, not even !=
        ("INCLUDE ItemID WHERE Items.PRICE != 20", {}, [1, 0, 1, 0, 1, 0]),
        ("INCLUDE ItemID WHERE Items.PRICE = 20", {}, [0, 1, 0, 0, 0, 1]),
        ("INCLUDE ItemID WHERE Items.PRICE > 10", {}, [0, 1, 1, 0, 0, 1]),
        ("INCLUDE ItemID WHERE Items.PRICE >= 10", {}, [1, 1, 1, 0, 0, 1]),
        ("INCLUDE ItemID WHERE Items.PRICE < 10", {}, [0, 0, 0, 0, 1, 0]),
        # numbers held as strings compare numerically; unparsable ones count as missing
        ("INCLUDE ItemID WHERE Items.YEAR_TEXT > 2000", {}, [0, 1, 0, 1, 0, 0]),
        ('INCLUDE ItemID WHERE Items.YEAR_TEXT IN ("1999")', {}, [1, 0, 0, 0, 0, 1]),
        # chains: (∪ INCLUDE) − (∪ EXCLUDE), order does not matter
        (
            'INCLUDE ItemID WHERE Items.GENRE IN ("Action") | INCLUDE ItemID WHERE Items.BRAND IN ("zen")',
            {},
            [1, 1, 0, 1, 1, 0],
        ),
        (
            'INCLUDE ItemID WHERE Items.GENRE IN ("Action") | INCLUDE ItemID WHERE Items.BRAND IN ("zen")'
            " | EXCLUDE ItemID WHERE Items.PRICE < 8",
            {},
            [1, 1, 0, 1, 0, 0],
        ),
        (
            'EXCLUDE ItemID WHERE Items.PRICE < 8 | INCLUDE ItemID WHERE Items.BRAND IN ("zen")'
            ' | INCLUDE ItemID WHERE Items.GENRE IN ("Action")',
            {},
            [1, 1, 0, 1, 0, 0],
        ),
        # only EXCLUDE: start from every item; the missing BRAND stays
        ('EXCLUDE ItemID WHERE Items.BRAND IN ("acme")', {}, [0, 1, 0, 1, 1, 0]),
        (
            'EXCLUDE ItemID WHERE Items.BRAND IN ("acme") | EXCLUDE ItemID WHERE Items.GENRE IN ("Comedy")',
            {},
            [0, 0, 0, 0, 1, 0],
        ),
        # an EXCLUDE expression whose placeholder has no value is dropped
        ("EXCLUDE ItemID WHERE Items.BRAND IN ($B)", {}, [1, 1, 1, 1, 1, 1]),
        (
            'INCLUDE ItemID WHERE Items.GENRE IN ("Action") | EXCLUDE ItemID WHERE Items.PRICE < $P',
            {},
            [1, 0, 0, 0, 1, 0],
        ),
        # AND within one expression
        ('INCLUDE ItemID WHERE Items.BRAND IN ("acme") AND Items.PRICE >= 20', {}, [0, 0, 1, 0, 0, 1]),
    ],
)
def test_item_masks(text: str, values: dict[str, str], expected: list[int]) -> None:
    assert mask(text, filter_values=values) == expected


AND_OR = 'INCLUDE ItemID WHERE Items.GENRE IN ("Action") OR Items.GENRE IN ("Comedy") AND Items.PRICE > 15'


def test_and_binds_before_or_by_default() -> None:
    # Action ∪ (Comedy ∩ PRICE>15)
    assert mask(AND_OR) == [1, 1, 0, 0, 1, 0]


def test_left_to_right_is_a_named_option() -> None:
    # (Action ∪ Comedy) ∩ PRICE>15
    assert mask(AND_OR, precedence="left_to_right") == [0, 1, 0, 0, 0, 0]


def test_missing_include_placeholder_is_invalid_input() -> None:
    with pytest.raises(InvalidInputException) as caught:
        mask(
            "INCLUDE ItemID WHERE Items.GENRE IN ($G) | EXCLUDE ItemID WHERE Items.PRICE > $P",
            filter_values={},
        )
    assert caught.value.message == (
        "filterValues has no value for placeholder $G, which INCLUDE expression 1 of the filter requires "
        "(INCLUDE ItemID WHERE Items.GENRE IN ($G))"
    )


def test_bad_numeric_placeholder_values() -> None:
    with pytest.raises(InvalidInputException) as caught:
        mask("INCLUDE ItemID WHERE Items.PRICE < $P", filter_values={"P": '"cheap"'})
    assert (
        caught.value.message == "filterValues P='cheap' is not a number, but Items.PRICE is compared with <"
    )
    with pytest.raises(InvalidInputException) as caught:
        mask("INCLUDE ItemID WHERE Items.PRICE < $P", filter_values={"P": '"1","2"'})
    assert caught.value.message == "filterValues P has 2 values, but Items.PRICE < $P takes exactly one"


GATED = 'EXCLUDE ItemID WHERE Items.GENRE IN ("Action") IF CurrentUser.AGE > 18'


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"AGE": 30}, [0, 1, 1, 1, 0, 1]),
        ({"age": "30"}, [0, 1, 1, 1, 0, 1]),  # field names any case, numbers as strings
        ({"AGE": 18}, [1, 1, 1, 1, 1, 1]),  # IF false: the expression does not apply
        ({}, [1, 1, 1, 1, 1, 1]),  # missing attribute never satisfies a comparison
        ({"AGE": None}, [1, 1, 1, 1, 1, 1]),
    ],
)
def test_if_gates_its_expression(user: dict[str, object], expected: list[int]) -> None:
    assert mask(GATED, current_user=user) == expected


def test_if_gated_include_does_not_apply() -> None:
    text = 'INCLUDE ItemID WHERE Items.GENRE IN ("Action") IF CurrentUser.AGE > 18'
    assert mask(text, current_user={"AGE": 40}) == [1, 0, 0, 0, 1, 0]
    assert mask(text, current_user={"AGE": 4}) == [1, 1, 1, 1, 1, 1]


def test_if_with_in_placeholder_and_string_equality() -> None:
    text = (
        'INCLUDE ItemID WHERE Items.BRAND IN ("zen") IF CurrentUser.TIER IN ("gold") '
        "AND CurrentUser.MEMBERSHIP = $PREMIUM"
    )
    both = {"TIER": "silver|gold", "MEMBERSHIP": "premium"}
    assert mask(text, current_user=both, filter_values={"PREMIUM": '"premium"'}) == [0, 1, 0, 1, 0, 0]
    assert mask(text, current_user=both, filter_values={"PREMIUM": '"basic"'}) == [1, 1, 1, 1, 1, 1]
    no_tier = {"MEMBERSHIP": "premium"}
    assert mask(text, current_user=no_tier, filter_values={"PREMIUM": '"premium"'}) == [1, 1, 1, 1, 1, 1]
    not_in = 'INCLUDE ItemID WHERE Items.BRAND IN ("zen") IF CurrentUser.TIER NOT IN ("gold")'
    assert mask(not_in, current_user={}) == [0, 1, 0, 1, 0, 0]  # missing satisfies NOT IN


def test_if_without_a_user_is_invalid_input() -> None:
    with pytest.raises(InvalidInputException) as caught:
        mask(GATED)
    assert caught.value.message == "The filter tests CurrentUser in its IF clause and needs a userId"


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        # event types match case-insensitively, in the filter and in the history keys
        ('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("CLICK")', {}, [1, 0, 1, 0, 1, 1]),
        ('INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")', {}, [0, 0, 0, 0, 0, 1]),
        ('INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")', {}, [0, 1, 0, 1, 0, 1]),
        ('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")', {}, [1, 0, 1, 0, 1, 0]),
        ('INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("view")', {}, [0, 0, 0, 0, 0, 0]),
        ('INCLUDE ItemID WHERE Interactions.EVENT_TYPE NOT IN ("click")', {}, [1, 0, 1, 0, 1, 1]),
        (
            "INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ($E)",
            {"E": '"Click","PURCHASE"'},
            [0, 1, 0, 1, 0, 1],
        ),
        # semantics #16: requested genres minus items clicked or streamed
        (
            "INCLUDE ItemID WHERE Items.GENRE IN ($GENRE)"
            ' | EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click", "stream")',
            {"GENRE": '"Comedy","Horror"'},
            [0, 0, 0, 0, 0, 1],
        ),
    ],
)
def test_history_masks(text: str, values: dict[str, str], expected: list[int]) -> None:
    assert mask(text, filter_values=values, history=HISTORY) == expected


def test_user_without_history_and_request_without_user() -> None:
    text = 'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")'
    assert mask(text, history={}) == [0, 0, 0, 0, 0, 0]
    with pytest.raises(InvalidInputException) as caught:
        mask(text)
    assert caught.value.message == (
        "The filter tests Interactions.EVENT_TYPE and needs the user's interactions: pass a userId"
    )


CHEAPER_SAME_GENRE = (
    "INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE AND Items.GENRE IN CurrentItem.GENRE"
)


def test_current_item() -> None:
    assert mask(CHEAPER_SAME_GENRE, current_item={"PRICE": 25, "GENRE": "Comedy|Action"}) == [
        1,
        1,
        0,
        0,
        1,
        0,
    ]
    assert mask(CHEAPER_SAME_GENRE, current_item={"price": "11", "genre": "Action"}) == [1, 0, 0, 0, 1, 0]
    assert mask(CHEAPER_SAME_GENRE, current_item={"PRICE": 25}) == [0, 0, 0, 0, 0, 0]
    other = "INCLUDE ItemID WHERE Items.GENRE NOT IN CurrentItem.GENRE"
    assert mask(other, current_item={}) == [1, 1, 1, 1, 1, 1]


def test_current_item_from_the_catalog_row() -> None:
    compiled = compile_item_filter(parse(CHEAPER_SAME_GENRE), ITEMS)
    # item 1 (Comedy, 20): cheaper Comedy items — none
    assert compiled.mask(current_item=compiled.current_item_at(1)).tolist() == [False] * 6
    # item 2 (no genre, 30): IN an empty set matches nothing
    assert not compiled.mask(current_item=compiled.current_item_at(2)).any()
    with pytest.raises(InvalidInputException) as caught:
        compiled.mask()
    assert caught.value.message == "The filter reads CurrentItem.PRICE and needs an itemId"


def test_unknown_column_and_wrong_target_fail_at_compile_time() -> None:
    with pytest.raises(InvalidInputException) as caught:
        compile_item_filter(parse('INCLUDE ItemID WHERE Items.COLOUR IN ("red")'), ITEMS)
    assert caught.value.message == (
        "Filter field Items.COLOUR is not a column of the Items dataset "
        "(columns: ITEM_ID, GENRE, PRICE, BRAND, YEAR_TEXT)"
    )
    with pytest.raises(InvalidInputException) as caught:
        compile_item_filter(parse("INCLUDE UserID WHERE Users.AGE > 3"), ITEMS)
    assert (
        caught.value.message
        == "Filter expression 1 targets UserID; Items recommendations need ItemID filters"
    )


def test_masks_are_fresh_arrays() -> None:
    compiled = compile_item_filter(parse('INCLUDE ItemID WHERE Items.GENRE IN ("Action")'), ITEMS)
    first = compiled.mask()
    first[:] = False
    assert compiled.mask().tolist() == [True, False, False, False, True, False]


def test_filters_share_one_catalog() -> None:
    catalog = FilterCatalog(ITEMS)
    request_filter = compile_item_filter(parse('EXCLUDE ItemID WHERE Items.GENRE IN ("Comedy")'), catalog)
    promotion_filter = compile_item_filter(parse('INCLUDE ItemID WHERE Items.GENRE IN ("Action")'), catalog)
    assert request_filter.mask().tolist() == [True, False, True, False, True, True]
    assert promotion_filter.mask().tolist() == [True, False, False, False, True, False]
    assert request_filter.catalog is promotion_filter.catalog


def test_action_filters() -> None:
    actions = pd.DataFrame({"ACTION_ID": ["a0", "a1", "a2"], "VALUE": [1.0, 5.0, 9.0]})
    text = (
        "EXCLUDE ActionID WHERE Actions.VALUE < ($VALUE) IF CurrentUser.MEMBERSHIP = $PREMIUM"
        ' | EXCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE IN ("NOT_TAKEN")'
    )
    compiled = compile_action_filter(parse(text), actions)
    values = {"VALUE": '"4"', "PREMIUM": '"premium"'}
    history = {"not_taken": np.array([2])}
    premium = compiled.mask(filter_values=values, history=history, current_user={"MEMBERSHIP": "premium"})
    assert premium.tolist() == [False, True, False]
    basic = compiled.mask(filter_values=values, history=history, current_user={"MEMBERSHIP": "basic"})
    assert basic.tolist() == [True, True, False]


def test_interaction_conditions_other_than_event_type_are_refused() -> None:
    from personalize_lab.filters import parse_syntax  # skips the static rules, as a hand-built AST would

    with pytest.raises(InvalidInputException) as caught:
        compile_item_filter(parse_syntax('INCLUDE ItemID WHERE Interactions.DEVICE IN ("mobile")'), ITEMS)
    assert caught.value.message == (
        'Filter condition Interactions.DEVICE IN ("mobile"): interaction filters test only EVENT_TYPE '
        "with IN or NOT IN"
    )


def test_a_filter_on_values_alone_shares_one_read_only_answer_per_filter_values() -> None:
    compiled = compile_item_filter(parse("INCLUDE ItemID WHERE Items.GENRE IN ($G)"), ITEMS)
    crime = compiled.allowed(filter_values={"G": '"Crime"'})
    assert compiled.allowed(filter_values={"G": '"Crime"'}) is crime
    assert crime.mask.tolist() == compiled.mask(filter_values={"G": '"Crime"'}).tolist()
    assert crime.positions.tolist() == [0]
    with pytest.raises(ValueError, match="read-only"):
        crime.mask[1] = True
    comedy = compiled.allowed(filter_values={"G": '"Comedy"'})
    assert comedy.positions.tolist() == [1, 3]


def test_a_filter_on_the_users_history_answers_each_request_afresh() -> None:
    compiled = compile_item_filter(parse('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")'), ITEMS)
    first = compiled.allowed(history=HISTORY)
    assert first.positions.tolist() == [0, 2, 4, 5]
    assert compiled.allowed(history={"click": np.array([0])}).positions.tolist() == [1, 2, 3, 4, 5]
