"""The local Personalize's runtime semantics (personalize-semantics.md §1, §2, §4–§7, §10) on a known store."""

from __future__ import annotations

import json

import numpy as np
import pytest

from personalize_lab.emulator import LocalPersonalize
from personalize_lab.emulator.exceptions import InvalidInputException, ResourceNotFoundException
from tests.support.tiny_store import CATEGORIES, NOW


def arn(local: LocalPersonalize, name: str) -> str:
    return local.campaign_arns[name]


def ids(response: dict) -> list[str]:
    key = "itemList" if "itemList" in response else "personalizedRanking"
    return [entry["itemId"] for entry in response[key]]


def category_of(item_id: str) -> str:
    return CATEGORIES[int(item_id[1:]) % 3]


# --------------------------------------------------------------------------------------- scores
def test_user_personalization_scores_are_a_softmax_over_the_whole_catalog(local: LocalPersonalize) -> None:
    response = local.get_recommendations(campaignArn=arn(local, "up"), userId="u00", numResults=45)
    scores = [entry["score"] for entry in response["itemList"]]
    assert len(scores) == 45
    assert sum(scores) == pytest.approx(1.0, abs=1e-6)  # float32 logits
    assert scores == sorted(scores, reverse=True)
    assert response["recommendationId"].startswith("RID-")


def test_top_of_the_list_follows_the_users_taste(local: LocalPersonalize) -> None:
    for user, group in (("u00", 0), ("u01", 1), ("u02", 2)):
        top = ids(local.get_recommendations(campaignArn=arn(local, "up"), userId=user, numResults=5))
        assert sum(category_of(i) == CATEGORIES[group] for i in top) >= 4, (user, top)


def test_scores_are_not_renormalised_after_filtering(local: LocalPersonalize) -> None:
    full = local.get_recommendations(campaignArn=arn(local, "up"), userId="u00", numResults=45)
    filtered = local.get_recommendations(
        campaignArn=arn(local, "up"),
        userId="u00",
        numResults=45,
        filterArn=local.filter_arns["books"],
    )
    by_id = {e["itemId"]: e["score"] for e in full["itemList"]}
    assert all(category_of(e["itemId"]) == "books" for e in filtered["itemList"])
    assert all(e["score"] == pytest.approx(by_id[e["itemId"]]) for e in filtered["itemList"])
    assert sum(e["score"] for e in filtered["itemList"]) < 0.9


@pytest.mark.parametrize("name", ["popular", "trending", "sims", "similar"])
def test_recipes_without_scores_leave_the_key_out(local: LocalPersonalize, name: str) -> None:
    params = {"itemId": "i03"} if name in {"sims", "similar"} else {"userId": "u00"}
    response = local.get_recommendations(campaignArn=arn(local, name), numResults=10, **params)
    assert len(response["itemList"]) == 10
    assert all("score" not in entry for entry in response["itemList"])
    assert all("reason" not in entry for entry in response["itemList"])


def test_domain_recommenders_have_no_scores(local: LocalPersonalize) -> None:
    response = local.get_recommendations(recommenderArn=local.recommender_arns["for-you"], userId="u00")
    assert len(response["itemList"]) == 25
    assert all("score" not in entry for entry in response["itemList"])


def test_personalized_ranking_softmax_over_the_input_list_unknown_items_last(local: LocalPersonalize) -> None:
    response = local.get_personalized_ranking(
        campaignArn=arn(local, "ranking"), userId="u00", inputList=["i01", "nope", "i03", "i00", "i04"]
    )
    ranking = response["personalizedRanking"]
    assert [e["itemId"] for e in ranking][-1] == "nope"
    assert ranking[-1]["score"] == 0.0  # the developer guide's "rankings" page: unknown items score 0
    assert sum(e["score"] for e in ranking[:-1]) == pytest.approx(1.0)
    assert {e["itemId"] for e in ranking[:2]} <= {"i00", "i03"}  # group 0's items first


# --------------------------------------------------------------------------------------- filters
def test_include_filter_with_placeholder(local: LocalPersonalize) -> None:
    response = local.get_recommendations(
        campaignArn=arn(local, "up"),
        userId="u00",
        numResults=10,
        filterArn=local.filter_arns["category"],
        filterValues={"CATEGORY": '"games","books"'},
    )
    assert len(response["itemList"]) == 10
    assert {category_of(i) for i in ids(response)} <= {"games", "books"}


def test_include_placeholder_missing_is_an_error(local: LocalPersonalize) -> None:
    with pytest.raises(InvalidInputException, match="CATEGORY"):
        local.get_recommendations(
            campaignArn=arn(local, "up"), userId="u00", filterArn=local.filter_arns["category"]
        )


def test_exclude_placeholder_missing_drops_the_expression(local: LocalPersonalize) -> None:
    plain = local.get_recommendations(campaignArn=arn(local, "up"), userId="u00", numResults=10)
    dropped = local.get_recommendations(
        campaignArn=arn(local, "up"), userId="u00", numResults=10, filterArn=local.filter_arns["not-category"]
    )
    assert ids(plain) == ids(dropped)


def test_interaction_filter_sees_the_users_history(local: LocalPersonalize) -> None:
    purchased = set(local.user_history("u00", limit=None).query("EVENT_TYPE == 'purchase'")["ITEM_ID"])
    response = local.get_recommendations(
        campaignArn=arn(local, "up"),
        userId="u00",
        numResults=40,
        filterArn=local.filter_arns["exclude-purchased"],
    )
    assert purchased
    assert not purchased & set(ids(response))


def test_filter_needing_a_user_without_user_id_is_an_error(local: LocalPersonalize) -> None:
    with pytest.raises(InvalidInputException, match="userId is required"):
        local.get_recommendations(
            campaignArn=arn(local, "popular"), filterArn=local.filter_arns["exclude-purchased"]
        )


def test_current_item_filter_on_related_items(local: LocalPersonalize) -> None:
    response = local.get_recommendations(
        campaignArn=arn(local, "sims"),
        itemId="i04",
        numResults=10,
        filterArn=local.filter_arns["same-category"],
    )
    assert ids(response)
    assert all(category_of(i) == category_of("i04") for i in ids(response))
    assert "i04" not in ids(response)


def test_unknown_filter_arn_is_not_found(local: LocalPersonalize) -> None:
    with pytest.raises(ResourceNotFoundException):
        local.get_recommendations(
            campaignArn=arn(local, "up"),
            userId="u00",
            filterArn="arn:aws:personalize:us-east-1:123456789012:filter/missing",
        )


# --------------------------------------------------------------------------------------- promotions
def promote(local: LocalPersonalize, percent: int, user: str = "u00", **extra: object) -> dict:
    return local.get_recommendations(
        campaignArn=arn(local, "up"),
        userId=user,
        numResults=10,
        promotions=[
            {"name": "books-promo", "percentPromotedItems": percent, "filterArn": local.filter_arns["books"]}
        ],
        **extra,
    )


def test_promotion_covers_its_share_sorted_among_themselves(local: LocalPersonalize) -> None:
    response = promote(local, 30)
    promoted = [e for e in response["itemList"] if e.get("promotionName") == "books-promo"]
    assert len(promoted) == 3
    assert all(category_of(e["itemId"]) == "books" for e in promoted)
    assert [e["score"] for e in promoted] == sorted((e["score"] for e in promoted), reverse=True)
    assert len(response["itemList"]) == 10
    assert len(set(ids(response))) == 10


def test_request_filter_does_not_apply_to_promoted_items(local: LocalPersonalize) -> None:
    response = promote(
        local, 20, filterArn=local.filter_arns["category"], filterValues={"CATEGORY": '"shoes"'}
    )
    for entry in response["itemList"]:
        expected = "books" if entry.get("promotionName") else "shoes"
        assert category_of(entry["itemId"]) == expected


def test_promotion_positions_are_seeded(local: LocalPersonalize) -> None:
    assert ids(promote(local, 30)) == ids(promote(local, 30))
    positions = {
        tuple(
            i
            for i, e in enumerate(promote(local, 30, user=f"u{k:02d}")["itemList"])
            if e.get("promotionName")
        )
        for k in range(6)
    }
    assert len(positions) > 1  # positions vary with the request, not fixed at the top


@pytest.mark.parametrize(
    ("promotions", "message"),
    [
        ([{"name": "a", "percentPromotedItems": 10, "filterArn": "x"}] * 2, "at most 1 promotion"),
        (
            [
                {
                    "name": "a",
                    "percentPromotedItems": 101,
                    "filterArn": "arn:aws:personalize:us-east-1:1:filter/f",
                }
            ],
            "from 1 to 100",
        ),
        (
            [
                {
                    "name": "-bad",
                    "percentPromotedItems": 10,
                    "filterArn": "arn:aws:personalize:us-east-1:1:filter/f",
                }
            ],
            "1–63 characters",
        ),
    ],
)
def test_promotion_rules(local: LocalPersonalize, promotions: list, message: str) -> None:
    with pytest.raises(InvalidInputException, match=message):
        local.get_recommendations(campaignArn=arn(local, "up"), userId="u00", promotions=promotions)


# --------------------------------------------------------------------------------------- v2, exploration
def test_v2_placeholders_fill_an_emptied_list_without_score(local: LocalPersonalize) -> None:
    local_small_pool = local.options.v2_candidate_pool
    assert local_small_pool >= 45  # the whole tiny catalog is the pool: only the filter empties lists
    response = local.get_recommendations(
        campaignArn=arn(local, "up-v2"), userId="u00", numResults=25, filterArn=local.filter_arns["books"]
    )
    assert len(response["itemList"]) == 15  # only 15 books exist: nothing else passes the filter
    assert all("score" in e for e in response["itemList"])


def test_v2_reasons_mark_promoted_and_exploration(local: LocalPersonalize) -> None:
    response = local.get_recommendations(
        campaignArn=arn(local, "up-v2-explore"),
        userId="u00",
        numResults=20,
        promotions=[{"name": "p", "percentPromotedItems": 10, "filterArn": local.filter_arns["books"]}],
    )
    reasons = [tuple(e.get("reason", ())) for e in response["itemList"]]
    assert reasons.count(("Promoted item",)) == 2
    assert ("Exploration",) in reasons
    explored = [e["itemId"] for e in response["itemList"] if e.get("reason") == ["Exploration"]]
    assert explored


def test_v1_has_no_reason_even_when_exploring(local: LocalPersonalize) -> None:
    response = local.get_recommendations(campaignArn=arn(local, "up-explore"), userId="u00", numResults=20)
    assert all("reason" not in e for e in response["itemList"])


def test_exploration_is_reproducible(local: LocalPersonalize) -> None:
    a = local.get_recommendations(campaignArn=arn(local, "up-explore"), userId="u01", numResults=20)
    b = local.get_recommendations(campaignArn=arn(local, "up-explore"), userId="u01", numResults=20)
    assert ids(a) == ids(b)


# --------------------------------------------------------------------------------------- metadata
def test_metadata_values_are_strings_and_missing_keys_left_out(local: LocalPersonalize) -> None:
    response = local.get_personalized_ranking(
        campaignArn=arn(local, "ranking"),
        userId="u00",
        inputList=["i44", "i01"],
        metadataColumns={"ITEMS": ["TITLE", "PRICE"]},
    )
    by_id = {e["itemId"]: e["metadata"] for e in response["personalizedRanking"]}
    assert by_id["i01"] == {"TITLE": "Item 1", "PRICE": "6"}
    assert by_id["i44"] == {"PRICE": "49"}


@pytest.mark.parametrize(
    ("campaign", "extra", "message"),
    [
        ("popular", {"metadataColumns": {"ITEMS": ["TITLE"]}}, "enableMetadataWithRecommendations"),
        (
            "up",
            {"metadataColumns": {"ITEMS": ["TITLE"]}, "numResults": 51},
            "maximum of 50 when metadataColumns",
        ),
        ("up", {"metadataColumns": {"ITEMS": [f"C{k}" for k in range(11)]}}, "at most 10"),
        ("up", {"metadataColumns": {"USERS": ["AGE"]}}, "only dataset type allowed is ITEMS"),
        ("up", {"metadataColumns": {"ITEMS": ["NOPE"]}}, "not columns of the Items dataset"),
        ("up", {"numResults": 501}, "maximum of 500"),
        ("up", {"numResults": 0}, "between 1 and 500"),
    ],
)
def test_request_limits(local: LocalPersonalize, campaign: str, extra: dict, message: str) -> None:
    with pytest.raises(InvalidInputException, match=message):
        local.get_recommendations(campaignArn=arn(local, campaign), userId="u00", **extra)


# --------------------------------------------------------------------------------------- context
def test_context_shifts_the_ranking(local: LocalPersonalize) -> None:
    def rank_of_i00(device: str) -> int:
        got = ids(
            local.get_recommendations(
                campaignArn=arn(local, "up"), userId="u03", numResults=45, context={"DEVICE": device}
            )
        )
        return got.index("i00")

    assert rank_of_i00("mobile") < rank_of_i00("desktop")


def test_unknown_context_keys_are_ignored(local: LocalPersonalize) -> None:
    plain = local.get_recommendations(campaignArn=arn(local, "up"), userId="u00", numResults=10)
    odd = local.get_recommendations(
        campaignArn=arn(local, "up"), userId="u00", numResults=10, context={"WEATHER": "rain"}
    )
    assert ids(plain) == ids(odd)


# --------------------------------------------------------------------------------------- cold start, errors
def test_cold_user_gets_popular_items(local: LocalPersonalize) -> None:
    cold = ids(local.get_recommendations(campaignArn=arn(local, "up"), userId="stranger", numResults=5))
    popular = ids(local.get_recommendations(campaignArn=arn(local, "popular"), userId="x", numResults=5))
    assert cold == popular


def test_unknown_item_on_sims_gets_popular_items(local: LocalPersonalize) -> None:
    got = ids(local.get_recommendations(campaignArn=arn(local, "sims"), itemId="nope", numResults=5))
    popular = ids(local.get_recommendations(campaignArn=arn(local, "popular"), numResults=5))
    assert got == popular


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({}, InvalidInputException, "neither was given"),
        ({"campaignArn": "c", "recommenderArn": "r"}, InvalidInputException, "both were given"),
        (
            {"campaignArn": "arn:aws:personalize:us-east-1:123456789012:campaign/nope", "userId": "u"},
            ResourceNotFoundException,
            "campaign/nope",
        ),
    ],
)
def test_request_shape_errors(local: LocalPersonalize, params: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        local.get_recommendations(**params)


def test_user_id_required_by_user_personalization(local: LocalPersonalize) -> None:
    with pytest.raises(InvalidInputException, match="userId is required"):
        local.get_recommendations(campaignArn=arn(local, "up"))


def test_item_id_required_by_related_items(local: LocalPersonalize) -> None:
    with pytest.raises(InvalidInputException, match="itemId is required"):
        local.get_recommendations(campaignArn=arn(local, "sims"), userId="u00")


def test_ranking_campaign_refuses_get_recommendations(local: LocalPersonalize) -> None:
    with pytest.raises(InvalidInputException, match="GetPersonalizedRanking"):
        local.get_recommendations(campaignArn=arn(local, "ranking"), userId="u00")
    with pytest.raises(InvalidInputException, match="GetRecommendations instead"):
        local.get_personalized_ranking(campaignArn=arn(local, "up"), userId="u00", inputList=["i01"])


def test_default_num_results_is_25(local: LocalPersonalize) -> None:
    assert len(local.get_recommendations(campaignArn=arn(local, "up"), userId="u00")["itemList"]) == 25


def test_same_request_same_answer(local: LocalPersonalize) -> None:
    a = local.get_recommendations(campaignArn=arn(local, "up"), userId="u05", numResults=15)
    b = local.get_recommendations(campaignArn=arn(local, "up"), userId="u05", numResults=15)
    assert a["itemList"] == b["itemList"]
    assert a["recommendationId"] != b["recommendationId"]


# --------------------------------------------------------------------------------------- events
def test_put_events_reach_filters_and_the_model_at_once(fresh: LocalPersonalize) -> None:
    campaign = fresh.campaign_arns["up"]

    def books_in_top10() -> int:
        top = ids(fresh.get_recommendations(campaignArn=campaign, userId="u00", numResults=10))
        return sum(category_of(i) == "books" for i in top)

    before = books_in_top10()
    bought = [f"i{k:02d}" for k in range(1, 31, 3)]  # ten books (category index 1)
    fresh.put_events(
        trackingId=fresh.tracking_id,
        userId="u00",
        sessionId="s1",
        eventList=[
            {"eventType": "Purchase", "itemId": item, "sentAt": NOW + k} for k, item in enumerate(bought)
        ],
    )
    assert books_in_top10() > before  # the model folded the new events in on the next request
    remaining = ids(
        fresh.get_recommendations(
            campaignArn=campaign,
            userId="u00",
            numResults=45,
            filterArn=fresh.filter_arns["exclude-purchased"],
        )
    )
    assert not set(bought) & set(remaining)  # and the interaction filter sees them at once


def test_put_events_limits(fresh: LocalPersonalize) -> None:
    with pytest.raises(ResourceNotFoundException):
        fresh.put_events(trackingId="nope", userId="u", sessionId="s", eventList=[{"eventType": "View"}])
    with pytest.raises(InvalidInputException, match="between 1 and 10"):
        fresh.put_events(trackingId=fresh.tracking_id, sessionId="s", eventList=[{"eventType": "View"}] * 11)


def test_put_items_updates_filters(fresh: LocalPersonalize) -> None:
    def books() -> list[str]:
        response = fresh.get_recommendations(
            campaignArn=fresh.campaign_arns["up"],
            userId="u00",
            numResults=45,
            filterArn=fresh.filter_arns["books"],
        )
        return ids(response)

    assert "i00" not in books()  # the filter's answer is kept per filterValues until the metadata changes
    dataset = next(
        d["datasetArn"]
        for d in fresh.control.list_datasets(datasetGroupArn=fresh.dataset_group_arn)["datasets"]
        if d["datasetType"].upper() == "ITEMS"
    )
    fresh.put_items(
        datasetArn=dataset, items=[{"itemId": "i00", "properties": json.dumps({"category": "books"})}]
    )
    assert "i00" in books()


def test_catalog_includes_interacted_items_missing_from_items(local: LocalPersonalize) -> None:
    assert len(local.catalog) == 45
    assert np.all(local.items["ITEM_ID"].to_numpy() == local.catalog.item_ids.astype(str))


# --------------------------------------------------------------------------------------- found by the wire conformance table
def test_filter_arn_must_match_the_arn_pattern(local: LocalPersonalize) -> None:
    with pytest.raises(InvalidInputException, match="Value 'books' at 'filterArn' failed to satisfy"):
        local.get_recommendations(campaignArn=arn(local, "up"), userId="u00", filterArn="books")
    with pytest.raises(InvalidInputException, match="at 'filterArn'"):
        local.get_personalized_ranking(
            campaignArn=arn(local, "ranking"), userId="u00", inputList=["i01"], filterArn="books"
        )


def test_current_item_filters_need_a_related_items_recipe_and_a_known_item(local: LocalPersonalize) -> None:
    same = local.filter_arns["same-category"]
    with pytest.raises(
        InvalidInputException, match=r"only related-items recipes .* deploys aws-user-personal"
    ):
        local.get_recommendations(campaignArn=arn(local, "up"), userId="u00", itemId="i04", filterArn=same)
    with pytest.raises(InvalidInputException, match="itemId 'nope' is not in the catalog"):
        local.get_recommendations(campaignArn=arn(local, "sims"), itemId="nope", filterArn=same)


def test_a_promotion_filter_reads_the_promotions_own_filter_values(local: LocalPersonalize) -> None:
    with pytest.raises(
        InvalidInputException, match=r"^promotion 'p': filterValues has no value .*\(promotions"
    ):
        local.get_recommendations(
            campaignArn=arn(local, "up"),
            userId="u00",
            filterValues={"CATEGORY": '"books"'},
            promotions=[
                {"name": "p", "percentPromotedItems": 20, "filterArn": local.filter_arns["category"]}
            ],
        )


def test_create_filter_through_boto3_refuses_unknown_columns_like_the_python_api(
    fresh: LocalPersonalize,
) -> None:
    control = fresh.client("personalize")
    with pytest.raises(control.exceptions.InvalidInputException, match=r"Items\.NOPE is not a column"):
        control.create_filter(
            name="nope",
            datasetGroupArn=fresh.dataset_group_arn,
            filterExpression='INCLUDE ItemID WHERE Items.NOPE IN ("a")',
        )
    assert "nope" not in fresh.filter_arns


def test_recipes_on_the_same_model_and_config_share_one_fit(local: LocalPersonalize) -> None:
    up = local.deployment(arn(local, "up"), kind="campaign").model
    ranking = local.deployment(arn(local, "ranking"), kind="campaign").model
    for_you = local.deployment(local.recommender_arns["for-you"], kind="recommender").model
    assert up is ranking is for_you
    assert local.deployment(arn(local, "sims"), kind="campaign").model is not up
