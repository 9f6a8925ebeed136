"""The base layer's list of deployable recipes is the emulator's registry, spelled the same way."""

from __future__ import annotations

import pytest

from personalize_lab.emulator.recipes import REGISTRY, get_recipe
from personalize_lab.errors import ValidationError
from personalize_lab.recipes_known import CUSTOM_RECIPES, DOMAIN_RECIPES, LOCAL_RECIPES, resolve_recipe


def test_the_list_is_the_emulators_registry() -> None:
    assert sorted(LOCAL_RECIPES) == sorted(REGISTRY)
    assert sorted(DOMAIN_RECIPES) == sorted(a for a, r in REGISTRY.items() if r.spec.domain)
    assert sorted(CUSTOM_RECIPES) == sorted(a for a, r in REGISTRY.items() if not r.spec.domain)


@pytest.mark.parametrize(
    "name",
    ["sims", "aws-sims", " aws-sims ", "arn:aws:personalize:::recipe/aws-sims", "hrnn", "aws-hrnn", "x", ""],
)
def test_resolve_accepts_what_get_recipe_accepts(name: str) -> None:
    try:
        expected: str | None = get_recipe(name).spec.arn
    except ValidationError:
        expected = None
    assert resolve_recipe(name) == expected
