"""Fidelity of the serving pipeline, through a real boto3 client: the developer guide's rules, one per test."""

from __future__ import annotations

from typing import Any

import pytest

from personalize_lab.datasets.config import CampaignSpec, ProjectConfig, RecommenderSpec
from personalize_lab.emulator import EmulatorOptions, LocalPersonalize
from personalize_lab.emulator.recipes import REGISTRY
from tests.support.tiny_store import TINY_FILTERS, tiny_frames

DOMAIN_USE_CASES = sorted(arn for arn, recipe in REGISTRY.items() if recipe.spec.domain is not None)


def _store(options: EmulatorOptions | None = None) -> LocalPersonalize:
    interactions, items, users = tiny_frames(0)
    config = ProjectConfig(
        dataset_group="serving",
        campaigns=(CampaignSpec("ranking", "aws-personalized-ranking", {}),),
        recommenders=tuple(
            RecommenderSpec(arn.rsplit("/", 1)[-1].removeprefix("aws-"), arn, {}) for arn in DOMAIN_USE_CASES
        ),
        filters=TINY_FILTERS,
    )
    return LocalPersonalize.from_frames(interactions, items, users, config=config, options=options)


@pytest.fixture(scope="module")
def local() -> LocalPersonalize:
    return _store()


def test_ranking_gives_items_the_model_does_not_know_a_score_of_0(local: LocalPersonalize) -> None:
    """Developer guide, "rankings": items not in the training data are ranked last with a score of 0."""
    runtime = local.client("personalize-runtime")
    ranking = runtime.get_personalized_ranking(
        campaignArn=local.campaign_arns["ranking"], userId="u00", inputList=["i00", "new-1", "i03", "new-2"]
    )["personalizedRanking"]
    assert [e["itemId"] for e in ranking[2:]] == ["new-1", "new-2"]
    assert [e["score"] for e in ranking[2:]] == [0.0, 0.0]
    assert sum(e["score"] for e in ranking) == pytest.approx(1.0)


def test_ranking_leaves_the_score_out_when_the_option_says_so() -> None:
    local = _store(EmulatorOptions(unknown_ranking_item_score=None))
    ranking = local.client("personalize-runtime").get_personalized_ranking(
        campaignArn=local.campaign_arns["ranking"], userId="u00", inputList=["i00", "new-1"]
    )["personalizedRanking"]
    assert ranking[-1] == {"itemId": "new-1"}


@pytest.mark.parametrize("use_case", DOMAIN_USE_CASES, ids=lambda arn: arn.rsplit("/", 1)[-1])
def test_every_domain_use_case_accepts_a_promotion(local: LocalPersonalize, use_case: str) -> None:
    """Developer guide, "promotions": with all domain use cases you can specify a promotion."""
    recipe = REGISTRY[use_case].spec
    request: dict[str, Any] = {
        "recommenderArn": local.recommender_arns[use_case.rsplit("/", 1)[-1].removeprefix("aws-")],
        "numResults": 10,
        "promotions": [
            {"name": "books", "percentPromotedItems": 20, "filterArn": local.filter_arns["books"]}
        ],
    }
    if recipe.needs_user_id:
        request["userId"] = "u00"
    if recipe.needs_item_id:
        request["itemId"] = "i00"
    items = local.client("personalize-runtime").get_recommendations(**request)["itemList"]
    promoted = [e["itemId"] for e in items if e.get("promotionName") == "books"]
    assert promoted, f"{use_case} returned no promoted item"
    assert all(int(item_id[1:]) % 3 == 1 for item_id in promoted)  # the books filter's items
