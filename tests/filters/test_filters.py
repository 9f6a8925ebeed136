"""The filter language's public behaviour beyond the golden tables: error attributes, introspection,
options of the rules, and the grammar shipped as package data."""

from __future__ import annotations

from importlib import resources

import pytest

import personalize_lab.filters as f
from personalize_lab.errors import FilterRuleError, FilterSyntaxError, PersonalizeLabError


def test_issue_done_when_example() -> None:
    placeholders = f.parse("INCLUDE ItemID WHERE Items.GENRE IN ($G)").placeholders
    assert placeholders == (
        f.Placeholder(
            name="G",
            dataset="Items",
            field="GENRE",
            operator="IN",
            is_list=True,
            expression_index=0,
            action="INCLUDE",
            required=True,
        ),
    )


def test_syntax_error_carries_position_token_and_expected_words() -> None:
    text = 'INCLUDE ItemID\nWHERE Items.GENRE IN ("a")\n  AND Items.PRICE =< 3'
    with pytest.raises(FilterSyntaxError) as caught:
        f.parse(text)
    err = caught.value
    assert (err.line, err.column, err.token) == (3, 20, "<")
    assert err.text == text
    assert "a number" in err.expected
    assert isinstance(err, PersonalizeLabError)
    assert isinstance(err, ValueError)
    assert str(err).endswith("  AND Items.PRICE =< 3\n                     ^")


def test_placeholders_know_list_scalar_and_expression() -> None:
    expr = f.parse(
        "INCLUDE ItemID WHERE Items.GENRE IN ($G) AND Items.PRICE <= $MAX"
        " | EXCLUDE ItemID WHERE Items.BRAND IN ($B) IF CurrentUser.AGE < ($AGE)"
    )
    rows = [(p.name, p.is_list, p.expression_index, p.action, p.required) for p in expr.placeholders]
    assert rows == [
        ("G", True, 0, "INCLUDE", True),
        ("MAX", False, 0, "INCLUDE", True),
        ("B", True, 1, "EXCLUDE", False),
        ("AGE", False, 1, "EXCLUDE", False),
    ]
    assert expr.placeholder_names == ("G", "MAX", "B", "AGE")
    assert expr.required_placeholders == ("G", "MAX")
    assert expr.datasets == ("Items", "Users")
    assert expr.needs_user_id
    assert not expr.needs_item_id


def test_user_segment_interactions_need_no_user_id() -> None:
    assert not f.parse('INCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("click")').needs_user_id
    assert f.parse('INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")').needs_user_id


def test_keywords_and_datasets_are_case_insensitive() -> None:
    a = f.parse('include itemid where ITEMS.genre in ("x") and items.PRICE > 3 if currentuser.age = 1')
    b = f.parse('INCLUDE ItemID WHERE Items.genre IN ("x") AND Items.PRICE > 3 IF CurrentUser.age = 1')
    assert a == b
    assert a.text != b.text  # the original text is kept but not compared


def test_escaped_quotes_round_trip() -> None:
    expr = f.parse(r'INCLUDE ItemID WHERE Items.TITLE IN ("say \"hi\"", "back\\slash")')
    condition = expr.expressions[0].conditions[0]
    assert condition.value == f.Literals(('say "hi"', "back\\slash"))
    assert str(expr) == r'INCLUDE ItemID WHERE Items.TITLE IN ("say \"hi\"", "back\\slash")'


def test_max_distinct_fields_is_a_parameter() -> None:
    text = 'INCLUDE ItemID WHERE Items.A IN ("1") AND Items.B IN ("1") AND Items.C IN ("1")'
    f.parse(text)
    with pytest.raises(FilterRuleError, match="at most 2 are allowed"):
        f.parse(text, max_distinct_fields=2)


def test_parse_syntax_skips_the_rules() -> None:
    expr = f.parse_syntax("INCLUDE ItemID WHERE CurrentUser.AGE > 3")
    with pytest.raises(FilterRuleError):
        f.check_rules(expr)


def test_schema_keys_accept_service_spellings() -> None:
    schemas = {
        "ITEMS": {"PRICE": {"type": ["null", "double"]}},
        "ActionInteractions": {"EVENT_TYPE": "string"},
    }
    f.parse("INCLUDE ItemID WHERE Items.price < 3", schemas=schemas)
    with pytest.raises(FilterRuleError, match=r"did you mean Items\.PRICE"):
        f.parse("INCLUDE ItemID WHERE Items.PRICES < 3", schemas=schemas)


def test_non_string_expression_is_a_rule_error() -> None:
    with pytest.raises(FilterRuleError, match="must be a string, got int"):
        f.parse(42)  # type: ignore[arg-type]


def test_grammar_ships_as_package_data() -> None:
    grammar = resources.files("personalize_lab.filters").joinpath("grammar.lark").read_text("utf-8")
    assert "expression: ACTION TARGET WHERE" in grammar
