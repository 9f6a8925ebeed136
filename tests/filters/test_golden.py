"""Golden conformance tables for the filter language (tests/golden/filters/*.json).

examples.json holds every expression of personalize-semantics.md §3.5 with its expected placeholders,
datasets and needs; invalid.json the expected error of each broken expression (exact message);
filter_values.json the filterValues codec in both directions and the checks against an expression.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from personalize_lab import errors
from personalize_lab.filters import (
    Literals,
    check_filter_values,
    decode_filter_values,
    encode_filter_values,
    parse,
)
from tests.support.paths import GOLDEN

FILTERS = GOLDEN / "filters"


def _load(name: str) -> Any:
    return json.loads((FILTERS / name).read_text("utf-8"))


EXAMPLES = _load("examples.json")["examples"]
INVALID = _load("invalid.json")
VALUES = _load("filter_values.json")


def test_the_table_holds_every_example_of_the_semantics_file() -> None:
    ids = [e["id"] for e in EXAMPLES]
    assert len(ids) == 53  # §3.5 counts: 25 (2023 guide) + 18 (historical) + 10 (online)
    assert len(set(ids)) == len(ids)
    assert len(INVALID["invalid"]) + len(INVALID["invalid_with_schemas"]) >= 40


@pytest.mark.parametrize("case", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_example(case: dict[str, Any]) -> None:
    expected = case["expected"]
    if "error" in expected:
        with pytest.raises(getattr(errors, expected["error"])) as caught:
            parse(case["expression"])
        assert str(caught.value) == expected["message"]
        return
    f = parse(case["expression"])
    assert str(f) == expected["canonical"]
    assert f.target == expected["target"]
    assert list(f.datasets) == expected["datasets"]
    assert f.needs_user_id is expected["needs_user_id"]
    assert f.needs_item_id is expected["needs_item_id"]
    assert [dataclasses.asdict(p) for p in f.placeholders] == expected["placeholders"]
    conditions = [c for e in f.expressions for c in e.all_conditions]
    literals = [v for c in conditions if isinstance(c.value, Literals) for v in c.value.values]
    assert literals == expected["literals"]
    assert parse(str(f)) == f


@pytest.mark.parametrize("case", INVALID["invalid"], ids=[c["why"] for c in INVALID["invalid"]])
def test_invalid(case: dict[str, Any]) -> None:
    with pytest.raises(getattr(errors, case["error"])) as caught:
        parse(case["expression"])
    assert str(caught.value) == case["message"]


@pytest.mark.parametrize(
    "case", INVALID["invalid_with_schemas"], ids=[c["why"] for c in INVALID["invalid_with_schemas"]]
)
def test_invalid_with_schemas(case: dict[str, Any]) -> None:
    parse(case["expression"])  # fine without a schema
    with pytest.raises(getattr(errors, case["error"])) as caught:
        parse(case["expression"], schemas=INVALID["schemas"])
    assert str(caught.value) == case["message"]


@pytest.mark.parametrize("text", INVALID["valid_with_schemas"])
def test_valid_with_schemas(text: str) -> None:
    assert str(parse(text, schemas=INVALID["schemas"]))


@pytest.mark.parametrize("case", VALUES["encode"], ids=range(len(VALUES["encode"])))
def test_encode(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(errors.FilterValuesError) as caught:
            encode_filter_values(case["values"])
        assert str(caught.value) == case["message"]
    else:
        assert encode_filter_values(case["values"]) == case["wire"]


@pytest.mark.parametrize("case", VALUES["decode"], ids=[c["wire"] for c in VALUES["decode"]])
def test_decode(case: dict[str, Any]) -> None:
    assert decode_filter_values({"K": case["wire"]}) == {"K": case["values"]}


@pytest.mark.parametrize("case", VALUES["check"], ids=range(len(VALUES["check"])))
def test_check(case: dict[str, Any]) -> None:
    expression = parse(case["expression"])
    options = case.get("options", {})
    if "error" in case:
        with pytest.raises(errors.FilterValuesError) as caught:
            check_filter_values(expression, case["wire"], **options)
        assert str(caught.value) == case["message"]
    else:
        assert check_filter_values(expression, case["wire"], **options) == case["warnings"]
