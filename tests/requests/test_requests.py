"""Every request rule (semantics §1, §4, §6, §7) refused before sending, with exact messages."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import botocore.session
import botocore.validate
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import personalize_lab.requests as rq
from personalize_lab.errors import FilterValuesError, PersonalizeLabWarning, ValidationError
from personalize_lab.requests import (
    Promotion,
    ResolvedFilter,
    build_action_request,
    build_ranking_request,
    build_recommendations_request,
    recipe_info,
)

C = "arn:aws:personalize:us-east-1:1:campaign/c"
R = "arn:aws:personalize:us-east-1:1:recommender/r"
UP = recipe_info("arn:aws:personalize:::recipe/aws-user-personalization", metadata_enabled=True)
UP_NO_META = recipe_info("arn:aws:personalize:::recipe/aws-user-personalization")
SIMS = recipe_info("arn:aws:personalize:::recipe/aws-sims")
POP = recipe_info("arn:aws:personalize:::recipe/aws-popularity-count", recipe_type="USER_PERSONALIZATION")
PR = recipe_info("arn:aws:personalize:::recipe/aws-personalized-ranking", metadata_enabled=True)
NBA = recipe_info("arn:aws:personalize:::recipe/aws-next-best-action")
RUNTIME_MODEL = botocore.session.get_session().get_service_model("personalize-runtime")
VOD_TRENDING = recipe_info("arn:aws:personalize:::recipe/aws-vod-trending-now")


def rec(**kw: Any) -> dict[str, Any]:
    kw.setdefault("campaign_arn", C)
    kw.setdefault("recipe", UP)
    if kw["recipe"] is not None and kw["recipe"].user_id == "required":
        kw.setdefault("user_id", "u1")
    return build_recommendations_request(**kw).kwargs


def message(fn: Any, **kw: Any) -> str:
    with pytest.raises(ValidationError) as info:
        fn(**kw)
    return str(info.value)


def test_minimal_request_is_exact_kwargs() -> None:
    assert rec() == {"campaignArn": C, "userId": "u1", "numResults": 25}
    assert build_recommendations_request(recommender_arn=R, user_id="u", num_results=5).kwargs == {
        "recommenderArn": R,
        "userId": "u",
        "numResults": 5,
    }


def test_full_request_keeps_every_member() -> None:
    kwargs = rec(
        num_results=10,
        context={"DEVICE": "mobile"},
        filter=ResolvedFilter("arn:f", None),
        promotion=Promotion("promo-1", 20),
        promotion_filter=ResolvedFilter("arn:p", None),
        metadata=["TITLE", "GENRE"],
    )
    assert kwargs == {
        "campaignArn": C,
        "userId": "u1",
        "numResults": 10,
        "context": {"DEVICE": "mobile"},
        "filterArn": "arn:f",
        "promotions": [{"name": "promo-1", "percentPromotedItems": 20, "filterArn": "arn:p"}],
        "metadataColumns": {"ITEMS": ["TITLE", "GENRE"]},
    }


def test_exactly_one_target() -> None:
    assert message(build_recommendations_request, campaign_arn=C, recommender_arn=R) == (
        f"campaignArn={C!r} and recommenderArn={R!r} are both set; a request takes exactly one. "
        "Fix: pass either campaign_arn or recommender_arn"
    )
    assert message(build_recommendations_request) == (
        "campaignArn and recommenderArn are both missing; a request takes exactly one. "
        "Fix: pass campaign_arn=... or recommender_arn=... (or use pl.Lab.demo())"
    )


def test_target_must_look_like_a_personalize_arn() -> None:
    assert message(build_recommendations_request, campaign_arn="my-campaign") == (
        "campaignArn='my-campaign' is not a Personalize ARN (arn:aws:personalize:<region>:<account>:"
        "campaign/<name>). Fix: copy it from the console or from list_campaigns()"
    )
    assert message(build_recommendations_request, recommender_arn="arn:aws:s3:::bucket") == (
        "recommenderArn='arn:aws:s3:::bucket' is not a Personalize ARN (arn:aws:personalize:<region>:"
        "<account>:recommender/<name>). Fix: copy it from the console or from list_recommenders()"
    )


@pytest.mark.parametrize(
    ("n", "metadata", "expected"),
    [
        (0, None, "numResults=0 is below the minimum of 1. Fix: pass an integer from 1 to 500"),
        (
            600,
            None,
            "numResults=600 exceeds the maximum of 500 (50 when metadataColumns is set). "
            "Fix: pass at most 500",
        ),
        (
            51,
            ["TITLE"],
            "numResults=51 exceeds the maximum of 500 (50 when metadataColumns is set). Fix: pass at most 50",
        ),
        (2.5, None, "numResults=2.5 must be an integer. Fix: pass an integer from 1 to 500"),
    ],
)
def test_num_results(n: Any, metadata: Any, expected: str) -> None:
    assert message(rec, num_results=n, metadata=metadata) == expected


def test_num_results_edges_pass() -> None:
    assert rec(num_results=500)["numResults"] == 500
    assert rec(num_results=50, metadata=["TITLE"])["numResults"] == 50


def test_user_and_item_by_recipe_arn() -> None:
    assert message(rec, recipe=UP, user_id=None) == (
        "userId=None is required by recipe aws-user-personalization. Fix: pass user_id='...'"
    )
    assert message(rec, recipe=UP, item_id="i1") == (
        "itemId='i1' is not used by recipe aws-user-personalization. Fix: drop item_id="
    )
    assert message(rec, recipe=SIMS) == (
        "itemId=None is required by recipe aws-sims (related items). Fix: pass item_id='...'"
    )
    assert rec(recipe=SIMS, item_id="i1") == {"campaignArn": C, "itemId": "i1", "numResults": 25}
    # Popularity-Count says USER_PERSONALIZATION in recipeType, but its ARN decides: no userId needed
    assert POP.behaviour == "POPULAR_ITEMS"
    assert rec(recipe=POP) == {"campaignArn": C, "numResults": 25}
    assert message(rec, recipe=PR) == (
        "recipe='aws-personalized-ranking' is a PERSONALIZED_RANKING recipe; GetRecommendations does not "
        "serve it. Fix: use lab.rank(user_id, items)"
    )


def test_unknown_recipe_is_permissive() -> None:
    info = recipe_info("arn:aws:personalize:::recipe/aws-something-new")
    assert info.behaviour is None
    assert rec(recipe=info, user_id="u", item_id="i") == {
        "campaignArn": C,
        "itemId": "i",
        "userId": "u",
        "numResults": 25,
    }


@pytest.mark.parametrize(
    ("promotion", "expected"),
    [
        (
            Promotion("-bad", 10),
            "promotions[0].name='-bad' must be 1-63 characters matching ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*. "
            "Fix: start with a letter or digit and use only letters, digits, '-' and '_'",
        ),
        (
            Promotion("a" * 64, 10),
            f"promotions[0].name={'a' * 64!r} must be 1-63 characters matching ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*. "
            "Fix: start with a letter or digit and use only letters, digits, '-' and '_'",
        ),
        (
            Promotion("ok", 0),
            "promotions[0].percentPromotedItems=0 must be an integer from 1 to 100. "
            "Fix: pass percent=20 for 20% of the list",
        ),
        (
            Promotion("ok", 101),
            "promotions[0].percentPromotedItems=101 must be an integer from 1 to 100. "
            "Fix: pass percent=20 for 20% of the list",
        ),
    ],
)
def test_promotion_rules(promotion: Promotion, expected: str) -> None:
    assert message(rec, promotion=promotion) == expected


def test_one_promotion_only_and_not_everywhere() -> None:
    two = [Promotion("a", 10), Promotion("b", 10)]
    assert message(rec, promotion=two).startswith("promotions=[Promotion(name='a'")
    assert message(rec, promotion=two).endswith(
        "takes at most one promotion. Fix: pass a single pl.Promotion"
    )
    # no GetRecommendations recipe refuses promotions today; the rule stays for a table that says so
    refusing = dataclasses.replace(UP, promotions=False)
    assert message(rec, recipe=refusing, promotion=Promotion("p", 10)) == (
        "promotions='p' are not supported by recipe aws-user-personalization. Fix: drop promotion="
    )
    # every domain use case takes a promotion (developer guide), VOD "Trending now" included
    assert rec(recipe=VOD_TRENDING, promotion=Promotion("p", 10))["promotions"][0]["name"] == "p"
    assert Promotion("edge-1_x", 100).percent == 100
    with pytest.raises(AttributeError):
        Promotion("a", 1).percent = 2  # type: ignore[misc]


def test_metadata_rules() -> None:
    cols = [f"C{i}" for i in range(11)]
    assert message(rec, metadata=cols) == (
        f"metadataColumns['ITEMS']={cols!r} has 11 columns, more than the maximum of 10. "
        "Fix: request at most 10 columns"
    )
    assert message(rec, metadata={"USERS": ["AGE"]}) == (
        "metadataColumns={'USERS': ['AGE']} must have exactly one key, 'ITEMS'. "
        "Fix: pass metadata=['TITLE', ...] or metadata={'ITEMS': ['TITLE', ...]}"
    )
    assert message(rec, recipe=UP_NO_META, metadata=["TITLE"]) == (
        "metadataColumns={'ITEMS': ['TITLE']} is set but metadata is not enabled on this "
        "campaign/recommender. "
        "Fix: update it with enableMetadataWithRecommendations=True, or drop metadata="
    )
    assert rec(metadata={"ITEMS": ["TITLE"]})["metadataColumns"] == {"ITEMS": ["TITLE"]}


def test_old_botocore_without_metadata_columns_is_named() -> None:
    import botocore

    with pytest.raises(ValidationError) as info:
        rq.check_metadata_supported(["campaignArn", "userId"])
    assert str(info.value) == (
        f"metadataColumns is not supported by the installed botocore {botocore.__version__}: its "
        "personalize-runtime model has no metadataColumns member. Fix: pip install -U boto3 botocore"
    )
    rq.check_metadata_supported()  # the installed one has it


def test_context_rules() -> None:
    assert message(rec, context={"DEVICE-TYPE": "x"}) == (
        "context key='DEVICE-TYPE' must be 1-150 characters of [A-Za-z0-9_]. "
        "Fix: use the Interactions schema field name, e.g. 'DEVICE'"
    )
    assert message(rec, context={"K" * 151: "x"}).startswith(f"context key={'K' * 151!r} must be 1-150")
    assert message(rec, context={"DEVICE": "x" * 1001}) == (
        f"context['DEVICE']={'x' * 40 + '…'!r} exceeds the maximum of 1000 characters. Fix: shorten the value"
    )
    assert message(rec, context={"AGE": 3}) == "context['AGE']=3 must be a string. Fix: pass '3'"
    many = {f"K{i}": "v" for i in range(151)}
    assert message(rec, context=many) == (
        "context='<151 entries>' exceeds the maximum of 150 entries. Fix: send fewer context keys"
    )
    with pytest.warns(PersonalizeLabWarning) as record:
        kwargs = rec(recipe=SIMS, item_id="i", context={"DEVICE": "m"})
    assert kwargs["context"] == {"DEVICE": "m"}
    assert [str(w.message) for w in record] == [
        "context={'DEVICE': 'm'} is likely ignored by recipe aws-sims: only User-Personalization, "
        "Personalized-Ranking, Recommended for you and Top picks for you use context"
    ]
    ok = {"K" * 150: "v" * 1000}
    assert rec(context=ok)["context"] == ok


def test_filter_values_without_filter() -> None:
    assert message(rec, filter_values={"GENRE": "x"}) == (
        "filterValues={'GENRE': 'x'} is set but no filter is. Fix: pass filter=<name or ARN> as well"
    )


def test_ranking_request() -> None:
    request = build_ranking_request(campaign_arn=C, recipe=PR, user_id="u", items=["a", "b"])
    assert request.operation == "GetPersonalizedRanking"
    assert request.kwargs == {
        "campaignArn": C,
        "inputList": ["a", "b"],
        "userId": "u",
    }
    many = [str(i) for i in range(51)]
    assert message(
        build_ranking_request, campaign_arn=C, recipe=PR, user_id="u", items=many, metadata=["T"]
    ) == (
        "inputList='<51 items>' exceeds the maximum of 500 items (50 when metadataColumns is set). "
        "Fix: rank at most 50 items per call"
    )
    assert message(build_ranking_request, campaign_arn=C, recipe=PR, user_id="u", items="abc") == (
        "inputList='abc' must be a list of item IDs, not one string. Fix: pass ['abc']"
    )
    assert message(build_ranking_request, campaign_arn=C, recipe=UP, user_id="u", items=["a"]) == (
        "recipe='aws-user-personalization' is not a PERSONALIZED_RANKING recipe; GetPersonalizedRanking "
        "needs aws-personalized-ranking. Fix: use lab.recommend(...) on this campaign, or a "
        "Personalized-Ranking campaign for rank()"
    )
    assert message(build_ranking_request, campaign_arn="", recipe=None, user_id="u", items=["a"]) == (
        "campaignArn='' is required by GetPersonalizedRanking (recommenders cannot rank). "
        "Fix: use a Lab built with campaign_arn="
    )


def test_action_request() -> None:
    assert build_action_request(campaign_arn=C, recipe=NBA, user_id="u").kwargs == {
        "campaignArn": C,
        "userId": "u",
        "numResults": 5,
    }
    assert message(build_action_request, campaign_arn=C, recipe=NBA, user_id="u", num_results=101) == (
        "numResults=101 must be an integer from 1 to 100 for actions. Fix: pass at most 100"
    )


INCLUDE_GENRE = ResolvedFilter("arn:f1", "INCLUDE ItemID WHERE Items.GENRE IN ($GENRE)", "by-genre")
EXCLUDE_EVENT = ResolvedFilter(
    "arn:f2", "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ($EVENT)", "not-bought"
)
MISSING_GENRE = (
    "no filterValues value for $GENRE, which expression 1 (INCLUDE ItemID WHERE Items.GENRE IN ($GENRE)) "
    "needs: INCLUDE expressions require a value for every placeholder. Fix: add {'GENRE': '\"value\"'} "
    "to filterValues"
)


def test_filter_values_are_encoded_for_the_wire() -> None:
    kwargs = rec(filter=INCLUDE_GENRE, filter_values={"GENRE": ["Action", "Drama"]})
    assert kwargs["filterArn"] == "arn:f1"
    assert kwargs["filterValues"] == {"GENRE": '"Action","Drama"'}
    # already-encoded strings pass through unchanged
    assert rec(filter=INCLUDE_GENRE, filter_values={"GENRE": '"Action"'})["filterValues"] == {
        "GENRE": '"Action"'
    }


def test_filter_values_checked_against_the_expression() -> None:
    with pytest.raises(FilterValuesError) as info:
        rec(filter=INCLUDE_GENRE)
    assert str(info.value) == MISSING_GENRE
    with pytest.raises(FilterValuesError) as info:
        rec(filter=INCLUDE_GENRE, filter_values={"genre": ["Action"]})
    assert str(info.value) == (
        "filterValues key 'genre' is not a placeholder of this filter (placeholders: GENRE). "
        "Keys are case-sensitive: did you mean 'GENRE'?"
    )


def test_missing_exclude_value_warns_naming_the_dropped_clause() -> None:
    with pytest.warns(PersonalizeLabWarning) as record:
        kwargs = rec(filter=EXCLUDE_EVENT)
    assert kwargs == {"campaignArn": C, "userId": "u1", "numResults": 25, "filterArn": "arn:f2"}
    assert [str(w.message) for w in record] == [
        "filter not-bought: no filterValues value for $EVENT: expression 1 "
        "(EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ($EVENT)) will be dropped, so it excludes nothing"
    ]


def test_promotion_filter_values_are_checked_with_their_own_prefix() -> None:
    promo = Promotion("p", 10, filter="by-genre")
    with pytest.raises(FilterValuesError) as info:
        rec(promotion=promo, promotion_filter=INCLUDE_GENRE)
    assert str(info.value) == f"promotions[0].filterValues: {MISSING_GENRE}"
    ok = rec(
        promotion=Promotion("p", 10, filter="by-genre", filter_values={"GENRE": "Sale"}),
        promotion_filter=INCLUDE_GENRE,
    )
    assert ok["promotions"] == [
        {"name": "p", "percentPromotedItems": 10, "filterArn": "arn:f1", "filterValues": {"GENRE": '"Sale"'}}
    ]


def test_interaction_filter_needs_a_user_even_on_popularity() -> None:
    with pytest.warns(PersonalizeLabWarning):
        assert rec(recipe=POP, user_id="u", filter=EXCLUDE_EVENT)["userId"] == "u"
    assert message(rec, recipe=POP, filter=EXCLUDE_EVENT) == (
        "userId=None is required by filter not-bought (it reads the user's interactions or CurrentUser). "
        "Fix: pass user_id='...'"
    )


@settings(max_examples=60, deadline=None)
@given(
    num=st.integers(min_value=1, max_value=500),
    name=st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9\-_]{0,62}", fullmatch=True),
    percent=st.integers(min_value=1, max_value=100),
    context=st.dictionaries(
        st.from_regex(r"[A-Za-z0-9_]{1,20}", fullmatch=True), st.text(max_size=30), max_size=5
    ),
)
def test_whatever_passes_our_rules_passes_botocores_model(
    num: int, name: str, percent: int, context: dict[str, str]
) -> None:
    kwargs = rec(num_results=num, promotion=Promotion(name, percent), context=context)
    shape = RUNTIME_MODEL.operation_model("GetRecommendations").input_shape
    botocore.validate.validate_parameters(kwargs, shape)  # raises ParamValidationError on any mismatch
    assert kwargs["promotions"] == [{"name": name, "percentPromotedItems": percent}]


@settings(max_examples=60, deadline=None)
@given(name=st.text(max_size=70))
def test_promotion_name_rule_is_the_documented_pattern(name: str) -> None:
    valid = 1 <= len(name) <= 63 and re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9\-_]*", name) is not None
    if valid:
        assert rec(promotion=Promotion(name, 10))["promotions"][0]["name"] == name
    else:
        with pytest.raises(ValidationError, match=r"^promotions\[0\]\.name="):
            rec(promotion=Promotion(name, 10))
