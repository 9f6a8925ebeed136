"""The client's recipe table and the local Personalize's recipe specs say the same about every recipe.

Two tables describe recipe behaviour (semantics §1.5): :mod:`personalize_lab.requests.recipes` (what the
client checks before sending) and :mod:`personalize_lab.emulator.recipes.specs` (what the emulator does).
Where both describe a fact — the behaviour (recipe type), whether userId / itemId is required, whether
promotions and context are taken — they must agree, or a request the client lets through would be
refused by the emulator (or the reverse). Facts only one side holds (scores, exploration, reasons, the
domain's automatic filter are the emulator's; ``unused`` ids are the client's) are not compared.
"""

from __future__ import annotations

import pytest

from personalize_lab.emulator.recipes import REGISTRY
from personalize_lab.requests import recipe_info

ARNS = sorted(REGISTRY)


def _client(arn: str) -> dict[str, object]:
    info = recipe_info(arn)
    return {
        "behaviour": info.behaviour,
        "userId required": info.user_id == "required",
        "itemId required": info.item_id == "required",
        "promotions": info.promotions,
        "context": info.context,
    }


def _emulator(arn: str) -> dict[str, object]:
    spec = REGISTRY[arn].spec
    return {
        "behaviour": spec.recipe_type,
        "userId required": spec.needs_user_id,
        "itemId required": spec.needs_item_id,
        "promotions": spec.supports_promotions,
        "context": spec.supports_context,
    }


def test_the_client_knows_every_recipe_the_emulator_serves() -> None:
    unknown = [arn for arn in ARNS if recipe_info(arn).behaviour is None]
    assert not unknown, f"add these to personalize_lab/requests/recipes.py: {unknown}"


@pytest.mark.parametrize("arn", ARNS, ids=[arn.rsplit("/", 1)[-1] for arn in ARNS])
def test_client_and_emulator_agree_on_what_both_describe(arn: str) -> None:
    client, emulator = _client(arn), _emulator(arn)
    differ = {k: {"client": client[k], "emulator": emulator[k]} for k in client if client[k] != emulator[k]}
    assert not differ, (
        f"{arn}: requests/recipes.py and emulator/recipes/specs.py disagree on {differ}; fix the side that "
        "is wrong (personalize-semantics.md §1.5 and the developer guide decide)"
    )
