"""GetActionRecommendations through a real boto3 client: propensities, expiration, repeat frequency, VALUE
ties, zero-score exploration and ActionID filters (tests/support/action_store.py knows the answers)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from botocore.exceptions import ClientError

from personalize_lab.emulator.engine import LocalPersonalize
from personalize_lab.emulator.options import EmulatorOptions
from tests.support.action_store import NOW, OPTIONS, action_local


@pytest.fixture(scope="module")
def local() -> LocalPersonalize:
    return action_local()


def ask(local: LocalPersonalize, **params: Any) -> list[tuple[str, float]]:
    runtime = local.client("personalize-runtime")
    params.setdefault("campaignArn", local.campaign_arns["next-best-action"])
    answer = runtime.get_action_recommendations(**params)
    assert answer["recommendationId"]
    return [(a["actionId"], a["score"]) for a in answer["actionList"]]


def test_scores_are_propensities_that_follow_the_users_group(local: LocalPersonalize) -> None:
    premium = dict(ask(local, userId="u02", numResults=10))
    free = dict(ask(local, userId="u03", numResults=10))
    assert all(0.0 <= s <= 1.0 for s in (*premium.values(), *free.values()))
    assert premium["card"] > 0.5 > free["card"]
    assert free["app"] > 0.5 > premium["app"]
    assert next(iter(premium)) == "card"
    assert next(iter(free)) == "app"


def test_the_default_list_has_five_actions_in_descending_score_order(local: LocalPersonalize) -> None:
    answer = ask(local, userId="u04")
    assert len(answer) == 5
    scores = [s for _, s in answer]
    assert all(a >= b - 0.01 for a, b in itertools.pairwise(scores))


def test_an_expired_action_is_never_recommended(local: LocalPersonalize) -> None:
    for user in ("u02", "u03", "stranger"):
        assert "expired" not in dict(ask(local, userId=user, numResults=100))


def test_an_action_without_enough_data_scores_zero_and_is_explored(local: LocalPersonalize) -> None:
    answer = ask(local, userId="u02", numResults=10)
    assert answer[-1] == ("fresh", 0.0)
    # with the service's threshold (50 of each) nothing in this small store has a real score: all 0.0,
    # listed by VALUE (equally likely actions: the greater value first)
    cold = action_local(options=EmulatorOptions())
    listed = ask(cold, userId="u02", numResults=10)
    assert [s for _, s in listed] == [0.0] * len(listed)
    assert "expired" not in dict(listed)
    values = dict(zip(cold.actions["ACTION_ID"], cold.actions["VALUE"], strict=True))
    assert [values[a] for a, _ in listed] == sorted((values[a] for a, _ in listed), reverse=True)
    assert listed[0] == ("fresh", 0.0)  # VALUE 99


def test_equally_likely_actions_rank_the_greater_value_first() -> None:
    local = action_local(options=EmulatorOptions(action_min_interactions=10, action_value_tie=0.5))
    order = [a for a, _ in ask(local, userId="stranger", numResults=10)]
    assert order.index("newsletter") < order.index("survey")  # both ~0.3, VALUE 9 > 1
    assert order[0] == "card"  # every scored action ties at this tolerance: the highest VALUE leads


def test_a_taken_action_waits_its_repeat_frequency() -> None:
    local = action_local()
    events = local.client("personalize-events")
    assert "weekly" in dict(ask(local, userId="u00", numResults=10))
    taken = {"actionId": "weekly", "userId": "u00", "sessionId": "s1", "eventType": "Taken"}
    events.put_action_interactions(
        trackingId=local.action_tracking_id, actionInteractions=[{**taken, "timestamp": NOW - 2 * 86_400}]
    )
    assert "weekly" not in dict(ask(local, userId="u00", numResults=10))  # taken 2 days ago, wait 7
    local.control.clock = lambda: float(NOW + 6 * 86_400)
    assert "weekly" in dict(ask(local, userId="u00", numResults=10))  # 8 days later
    # actions without REPEAT_FREQUENCY may come back at once (EmulatorOptions.action_repeat_default_days)
    events.put_action_interactions(
        trackingId=local.action_tracking_id,
        actionInteractions=[{**taken, "actionId": "card", "timestamp": NOW + 6 * 86_400}],
    )
    assert "card" in dict(ask(local, userId="u00", numResults=10))


def test_action_filters_read_actions_and_action_interactions(local: LocalPersonalize) -> None:
    control = local.client("personalize")
    group = local.dataset_group_arn
    goal = control.create_filter(
        name="goal", datasetGroupArn=group, filterExpression="INCLUDE ActionID WHERE Actions.GOAL IN ($GOAL)"
    )["filterArn"]
    revenue = ask(local, userId="u02", numResults=10, filterArn=goal, filterValues={"GOAL": '"revenue"'})
    assert {a for a, _ in revenue} == {"card", "fresh"}
    taken = control.create_filter(
        name="not-taken",
        datasetGroupArn=group,
        filterExpression='EXCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE IN ("TAKEN")',
    )["filterArn"]
    mine = {a for a, _ in ask(local, userId="u02", numResults=10)}
    history = local.user_action_history("u02", None)
    took = set(history.loc[history["EVENT_TYPE"] == "TAKEN", "ACTION_ID"])
    assert took
    assert {a for a, _ in ask(local, userId="u02", numResults=10, filterArn=taken)} == mine - took


def test_bad_requests_answer_the_services_errors(local: LocalPersonalize) -> None:
    runtime = local.client("personalize-runtime")
    nba = local.campaign_arns["next-best-action"]
    cases = [
        ({"campaignArn": nba}, "userId is required"),
        ({"campaignArn": nba, "userId": "u02", "numResults": 101}, "maximum of 100"),
        (
            {"campaignArn": local.campaign_arns["user-personalization"], "userId": "u02"},
            "PERSONALIZED_ACTIONS",
        ),
    ]
    for params, message in cases:
        with pytest.raises(ClientError, match=message) as raised:
            runtime.get_action_recommendations(**params)
        assert raised.value.response["Error"]["Code"] == "InvalidInputException"
    items_filter = local.client("personalize").create_filter(
        name="items", datasetGroupArn=local.dataset_group_arn,
        filterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("View")',
    )["filterArn"]  # fmt: skip
    with pytest.raises(ClientError, match="takes ActionID filters"):
        runtime.get_action_recommendations(campaignArn=nba, userId="u02", filterArn=items_filter)


def test_action_filters_need_an_actions_dataset() -> None:
    from tests.support.local_store import tiny_local

    plain = tiny_local()
    with pytest.raises(ClientError, match="no Actions dataset"):
        plain.client("personalize").create_filter(
            name="a",
            datasetGroupArn=plain.dataset_group_arn,
            filterExpression='EXCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE IN ("TAKEN")',
        )


def test_the_demo_store_serves_next_best_action() -> None:
    demo = LocalPersonalize.demo()
    answer = ask(demo, userId="1", numResults=10)
    ids = [a for a, _ in answer]
    assert "summer-sale-signup" not in ids  # expired
    assert answer[-1] == ("holiday-gift-guide", 0.0)  # new: explored with score 0.0
    assert all(s > 0 for _, s in answer[:-1])
    assert OPTIONS.action_min_interactions == 10
