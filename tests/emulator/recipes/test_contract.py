"""One contract every registered recipe passes, on two disjoint user groups whose right answers are known
(see ``tests/support/recipes_fixtures.py``)."""

from __future__ import annotations

import numpy as np
import pytest

import tests.support.recipes_fixtures as fx
from personalize_lab.emulator.recipes import REGISTRY, Model, Recipe, TrainingData, get_recipe
from personalize_lab.errors import ValidationError

# Every registered recipe, plus the EASE core of user-personalization (ALS is the default).
VARIANTS: dict[str, Recipe] = {
    **REGISTRY,
    "aws-user-personalization[ease]": get_recipe("aws-user-personalization").with_hyperparameters(
        algorithm="ease"
    ),
}
RECIPES = sorted(VARIANTS)
PERSONAL = {"USER_PERSONALIZATION", "PERSONALIZED_RANKING"}


def of_type(*types: str) -> list[str]:
    return [k for k in RECIPES if VARIANTS[k].spec.recipe_type in types]


def where(flag: str) -> list[str]:
    return [k for k in RECIPES if getattr(VARIANTS[k].spec, flag)]


@pytest.fixture(scope="module")
def data() -> TrainingData:
    return TrainingData.from_frames(fx.interactions(), fx.items())


_MODELS: dict[str, Model] = {}


def fitted(arn: str, data: TrainingData) -> Model:
    if arn not in _MODELS:
        _MODELS[arn] = VARIANTS[arn].fit(data)
    return _MODELS[arn]


def softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits.astype(np.float64) - logits.max())
    return e / e.sum()


@pytest.mark.parametrize("arn", RECIPES)
def test_relevance_is_catalog_length_float32_and_deterministic(arn: str, data: TrainingData) -> None:
    model = fitted(arn, data)
    again = VARIANTS[arn].fit(data)  # a second fit on the same data and seed
    for user in ("a0", "b3", "stranger"):
        scores = model.relevance_for_user(user)
        assert scores.dtype == np.float32
        assert scores.shape == (len(data.catalog),)
        np.testing.assert_array_equal(scores, again.relevance_for_user(user))
    assert model.popularity.dtype == np.float32
    assert model.popularity.tolist() == [12, 12, 12, 9, 9, 12, 12, 12, 9, 9, 0, 0]


@pytest.mark.parametrize("arn", of_type(*PERSONAL))
def test_personal_recipes_recommend_the_users_own_group(arn: str, data: TrainingData) -> None:
    model = fitted(arn, data)
    ids = data.catalog.item_ids
    for user in ("a0", "a3", "b1", "b5"):
        seen = fx.group_items(user[0]) - fx.unseen(user)
        best_unseen = fx.top(ids, model.relevance_for_user(user), 2, exclude=seen)
        assert set(best_unseen) == fx.unseen(user), user


@pytest.mark.parametrize("arn", of_type(*PERSONAL, "RELATED_ITEMS"))
def test_unknown_user_gets_popular_items(arn: str, data: TrainingData) -> None:
    model = fitted(arn, data)
    scores = model.relevance_for_user("stranger")
    # the six items with 12 interactions come first (catalog order among equals is the engine's business)
    assert set(fx.top(data.catalog.item_ids, scores, 6)) == {"A0", "A1", "A2", "B0", "B1", "B2"}


@pytest.mark.parametrize("arn", RECIPES)
def test_streamed_events_change_the_next_answer(arn: str, data: TrainingData) -> None:
    spec = VARIANTS[arn].spec
    model = fitted(arn, data)
    recent = data.catalog.indices(["B0", "B1"])
    fresh = model.relevance_for_user("stranger", recent_items=recent)
    if not spec.reacts_to_events:
        np.testing.assert_array_equal(fresh, model.relevance_for_user("stranger"))
        return
    # a new user who just viewed B0, B1 now gets the other B items first among the unseen
    assert set(fx.top(data.catalog.item_ids, fresh, 3, exclude={"B0", "B1"})) == {"B2", "B3", "B4"}
    # a known A user who streams B events gets B items mixed in above the A items they lacked
    before = model.relevance_for_user("a0")
    after = model.relevance_for_user("a0", recent_items=data.catalog.indices(["B0", "B1", "B2"]))
    b3 = data.catalog.index["B3"]
    assert after[b3] > before[b3]


@pytest.mark.parametrize("arn", RECIPES)
def test_context_shifts_scores_towards_what_that_context_chose(arn: str, data: TrainingData) -> None:
    spec = VARIANTS[arn].spec
    model = fitted(arn, data)
    plain = model.relevance_for_user("a5")
    np.testing.assert_array_equal(plain, model.relevance_for_user("a5", context={"LOCATION": "x"}))
    np.testing.assert_array_equal(plain, model.relevance_for_user("a5", context={"DEVICE": "tv"}))
    mobile = model.relevance_for_user("a5", context={"DEVICE": "mobile"})
    if not spec.supports_context:
        np.testing.assert_array_equal(plain, mobile)
        return
    idx = data.catalog.index
    # mobile interactions went to A0/A1: they gain on A2 (desktop) relative to the plain request
    assert mobile[idx["A1"]] - mobile[idx["A2"]] > plain[idx["A1"]] - plain[idx["A2"]] + 0.5


@pytest.mark.parametrize("arn", where("has_scores"))
def test_scored_recipes_give_spread_softmax_probabilities(arn: str, data: TrainingData) -> None:
    probs = softmax(fitted(arn, data).relevance_for_user("a0"))
    assert 1.0 / len(probs) < probs.max() < 0.9
    assert probs.min() > 1e-6


@pytest.mark.parametrize("arn", of_type("RELATED_ITEMS"))
def test_related_items(arn: str, data: TrainingData) -> None:
    spec = VARIANTS[arn].spec
    model = fitted(arn, data)
    ids = data.catalog.item_ids
    related = model.relevance_for_item("A3")
    assert related is not None
    assert related.dtype == np.float32
    assert related[data.catalog.index["A3"]] == -np.inf  # never the seed itself
    assert set(fx.top(ids, related, 4)) == fx.group_items("a") - {"A3"}
    assert model.relevance_for_item("no-such-item") is None
    cold = model.relevance_for_item("A_new")  # in the Items dataset, never interacted
    if spec.config.metadata_weight > 0:
        assert cold is not None
        assert set(fx.top(ids, cold, 5)) == fx.group_items("a")
    else:
        assert cold is None


@pytest.mark.parametrize("arn", of_type("POPULAR_ITEMS"))
def test_popular_items_are_the_same_for_everyone(arn: str, data: TrainingData) -> None:
    spec = VARIANTS[arn].spec
    model = fitted(arn, data)
    scores = model.relevance_for_user("a0")
    np.testing.assert_array_equal(scores, model.relevance_for_user("b4"))
    np.testing.assert_array_equal(scores, model.relevance_for_user("stranger"))
    top3 = set(fx.top(data.catalog.item_ids, scores, 3))
    if spec.short_name.endswith("trending-now"):
        assert top3 <= fx.group_items("b")  # B items are the recent ones
    else:
        assert top3 in ({"A0", "A1", "A2"}, {"B0", "B1", "B2"}, {"A0", "A1", "B0"})


def test_scores_follow_the_service_rules() -> None:
    scored = {spec.short_name for spec in (r.spec for r in REGISTRY.values()) if spec.has_scores}
    assert scored == {
        "aws-user-personalization",
        "aws-user-personalization-v2",
        "aws-personalized-ranking",
        "aws-personalized-ranking-v2",
        "aws-next-best-action",  # propensities, not softmax shares
    }
    reasons = {r.spec.short_name for r in REGISTRY.values() if r.spec.reasons}
    assert reasons == {"aws-user-personalization-v2"}


def test_domain_use_cases_carry_their_automatic_filters() -> None:
    filters = {r.spec.short_name: r.spec.auto_filter for r in REGISTRY.values() if r.spec.domain}
    purchased = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Purchase")'
    watched = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Watch")'
    assert filters == {
        "aws-ecomm-popular-items-by-views": None,
        "aws-ecomm-popular-items-by-purchases": None,
        "aws-ecomm-frequently-bought-together": None,
        "aws-ecomm-customers-who-viewed-x-also-viewed": purchased,
        "aws-ecomm-recommended-for-you": purchased,
        "aws-vod-because-you-watched-x": watched,
        "aws-vod-more-like-x": watched,
        "aws-vod-most-popular": None,
        "aws-vod-trending-now": None,
        "aws-vod-top-picks": watched,
    }
    # "With all domain use cases … you can specify a promotion" (developer guide): VOD Trending now too
    assert get_recipe("aws-vod-trending-now").spec.supports_promotions
    explorers = {r.spec.short_name for r in REGISTRY.values() if r.spec.supports_exploration}
    assert explorers == {
        "aws-user-personalization",
        "aws-user-personalization-v2",
        "aws-ecomm-recommended-for-you",
        "aws-vod-top-picks",
        "aws-next-best-action",  # actions without data, score 0.0
    }


def test_get_recipe_accepts_arns_and_short_names_and_lists_the_registry() -> None:
    arn = "arn:aws:personalize:::recipe/aws-sims"
    assert get_recipe(arn).arn == arn
    assert get_recipe("aws-sims").arn == arn
    assert get_recipe("sims").arn == arn
    with pytest.raises(ValidationError) as err:
        get_recipe("aws-hrnn")
    message = str(err.value)
    assert message.startswith("recipe='aws-hrnn': no such recipe in the local Personalize. Fix: use one of [")
    assert "'arn:aws:personalize:::recipe/aws-user-personalization'" in message


def test_hyperparameters_are_typed_and_checked(data: TrainingData) -> None:
    ease = fitted("aws-user-personalization[ease]", data)
    assert ease.spec.config.algorithm == "ease"
    assert ease.algorithm == "ease"
    default = fitted("arn:aws:personalize:::recipe/aws-user-personalization", data)
    assert default.algorithm == "als"
    # tiny histories (3 items each): the ridge default is capped at 0.2 * alpha * 3, not 50
    assert default.regularization == pytest.approx(6.0)
    with pytest.raises(ValidationError, match=r"aws-sims has no hyperparameter factors\. Fix: use one of"):
        get_recipe("aws-sims").with_hyperparameters(factors=3)


# ---- Next-Best-Action: catalog = the Actions dataset, relevance = propensity log-odds -----------------------
@pytest.fixture(scope="module")
def action_data() -> TrainingData:
    from personalize_lab.datasets.actions import check_action_frames
    from personalize_lab.emulator.recipes.next_best_action import action_training_data
    from tests.support.action_store import action_frames

    frames = action_frames()
    acted = check_action_frames(frames["actions"], frames["action_interactions"])
    return action_training_data(
        frames["actions"], acted, interactions=frames["interactions"], users=frames["users"]
    )


def test_next_best_action_gives_action_length_log_odds_that_follow_the_data(
    action_data: TrainingData,
) -> None:
    recipe = get_recipe("aws-next-best-action")
    model = recipe.fit(action_data)
    ids = list(action_data.catalog.item_ids)
    assert ids == ["card", "app", "newsletter", "survey", "weekly", "expired", "fresh"]
    premium, free = model.relevance_for_user("u02"), model.relevance_for_user("u03")
    assert premium.dtype == np.float32
    assert premium.shape == (len(ids),)
    np.testing.assert_array_equal(premium, recipe.fit(action_data).relevance_for_user("u02"))
    card, app = ids.index("card"), ids.index("app")
    assert premium[card] > 0 > free[card]  # log-odds: premium members take the card, free ones do not
    assert free[app] > 0 > premium[app]
    # an unknown user gets the actions' base rates: card ~45%, newsletter ~30%
    base = 1 / (1 + np.exp(-model.relevance_for_user("stranger").astype(np.float64)))
    assert 0.35 < base[card] < 0.55
    assert 0.15 < base[ids.index("newsletter")] < 0.45
    taken, other = model.recent_counts(42)  # type: ignore[attr-defined]
    assert taken[ids.index("fresh")] == other[ids.index("fresh")] == 0
    assert taken[card] >= 10
    assert other[card] >= 10
