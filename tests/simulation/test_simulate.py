"""lab.simulate against the real local Personalize: determinism, events received, attribution, results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import personalize_lab as pl
from personalize_lab import ValidationError
from personalize_lab.analysis.online import visits_needed
from personalize_lab.simulation import ATTRIBUTION_NAME, ClickModel, HoldoutSplit, holdout_split

VARIANTS = {"A": {}, "B": {"filter": "exclude-purchased"}}
NOISY = ClickModel(click_relevant=0.6, click_noise=0.2, buy_relevant=0.4, buy_noise=0.1)


@pytest.fixture(scope="module")
def split() -> HoldoutSplit:
    return holdout_split(pl.demo_store(n_users=120, n_items=300, n_interactions=5000), fraction=0.2)


def fresh_lab(split: HoldoutSplit) -> pl.Lab:
    return pl.Lab.local(pl.LocalPersonalize(split.train))


def test_the_same_seed_gives_the_same_run_and_another_seed_another(split: HoldoutSplit) -> None:
    runs = [fresh_lab(split).simulate(split.future, VARIANTS, visits=300, seed=s) for s in (4, 4, 5)]
    same = [r.visits.drop(columns="recommendationId") for r in runs]
    pd.testing.assert_frame_equal(same[0], same[1])
    assert not same[0].equals(same[2])
    pd.testing.assert_frame_equal(runs[0].summary(), runs[1].summary())
    pd.testing.assert_frame_equal(runs[0].tests(), runs[1].tests())


def test_every_click_and_purchase_reaches_the_local_personalize_and_its_metric_attribution(
    split: HoldoutSplit,
) -> None:
    lab = fresh_lab(split)
    result = lab.simulate(split.future, VARIANTS, visits=400, seed=1, click_model=NOISY)
    local = lab.local_personalize
    events = local.streamed_events()
    assert len(events) == result.events_sent > 0
    counts = events.groupby(["EVENT_ATTRIBUTION_SOURCE", "EVENT_TYPE"]).size()
    summary = result.summary().set_index("variant")
    for variant in VARIANTS:
        assert counts.get((variant, "Click"), 0) == summary.loc[variant, "clicks"]
        assert counts.get((variant, "Purchase"), 0) == summary.loc[variant, "purchases"]
        # the metric attribution's numbers are the simulation's own
        assert summary.loc[variant, "attributed_clicks"] == summary.loc[variant, "clicks"]
        assert summary.loc[variant, "attributed_purchases"] == summary.loc[variant, "purchases"]
        assert summary.loc[variant, "attributed_value"] == pytest.approx(summary.loc[variant, "value"])
    # each event names the list it came from and what that list showed
    issued = set(result.visits["recommendationId"].dropna())
    assert set(events["RECOMMENDATION_ID"]) <= issued
    assert events["IMPRESSION"].str.count(r"\|").eq(9).all()  # ten items shown
    purchases = events[events["EVENT_TYPE"] == "Purchase"]
    prices = local.items.set_index("ITEM_ID")["PRICE"]
    assert purchases["EVENT_VALUE"].to_numpy() == pytest.approx(prices[purchases["ITEM_ID"]].to_numpy())
    attributions = lab.control_client.list_metric_attributions()["metricAttributions"]
    assert [a["name"] for a in attributions] == [ATTRIBUTION_NAME]

    again = lab.simulate(split.future, VARIANTS, visits=200, seed=2, click_model=NOISY)  # reuses it
    assert len(lab.control_client.list_metric_attributions()["metricAttributions"]) == 1
    second = again.summary().set_index("variant")
    assert (second["attributed_clicks"] == second["clicks"]).all()  # this run's events only


def test_position_bias_and_relevance_show_in_the_run(split: HoldoutSplit) -> None:
    result = fresh_lab(split).simulate(split.future, {"A": {}}, visits=800, seed=3, click_model=NOISY)
    by_rank = result.positions.groupby("rank")[["shown", "clicks", "relevant", "relevant_clicks"]].sum()
    rate = by_rank["clicks"] / by_rank["shown"]
    assert rate[1] > rate[3] > rate[10]
    assert rate[1] == pytest.approx(NOISY.click_noise, abs=0.05)  # mostly irrelevant items: the noise level
    relevant_rate = by_rank["relevant_clicks"].sum() / by_rank["relevant"].sum()
    other_rate = (by_rank["clicks"] - by_rank["relevant_clicks"]).sum() / (
        by_rank["shown"] - by_rank["relevant"]
    ).sum()
    assert relevant_rate > 2 * other_rate
    assert result.tests().empty  # one variant: nothing to test


def test_results_power_figure_and_page(split: HoldoutSplit, tmp_path: Path) -> None:
    name = "<b>B</b>"
    result = fresh_lab(split).simulate(
        split.future, {"A": {}, name: {"filter": "exclude-purchased"}}, visits=500, seed=0, click_model=NOISY
    )
    summary = result.summary().set_index("variant")
    visits = result.visits
    for variant in ("A", name):
        mine = visits[visits["variant"] == variant]
        assert summary.loc[variant, "visits"] == len(mine)
        assert summary.loc[variant, "conversion"] == pytest.approx(mine["converted"].mean())
        assert summary.loc[variant, "conversion_low"] <= summary.loc[variant, "conversion"]
        assert summary.loc[variant, "conversion"] <= summary.loc[variant, "conversion_high"]
    assert set(result.shoppers.groupby("variant").size()) <= {
        len(result.shoppers) // 2,
        -(-len(result.shoppers) // 2),
    }
    assert (visits.groupby("userId")["variant"].nunique() == 1).all()  # a shopper sees one variant

    tests = result.tests()
    assert list(tests["metric"]) == ["conversion", "click_through", "value_per_visit"]
    assert tests["verdict"].str.len().gt(20).all()

    power = result.power(lift=0.2).iloc[0]
    assert power["baseline"] == pytest.approx(summary.loc["A", "conversion"])
    assert power["visits_per_variant"] == visits_needed(power["baseline"], 0.2)
    assert power["visits_per_variant_adjusted"] >= power["visits_per_variant"]

    fig = result.figure()
    assert [t.name for t in fig.data] == ["A", "&lt;b&gt;B&lt;/b&gt;"]
    assert fig.data[0].y[-1] == pytest.approx(summary.loc["A", "conversion"])

    page = result.to_html(tmp_path / "ab.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;B&lt;/b&gt;" in page
    assert "<b>B</b>" not in page
    assert "Position-based click model" in page
    assert "Click rate by rank" in page
    assert "[redacted personalize ARN]" in page  # the metric attribution's ARN


def test_bad_input_names_field_value_rule_and_fix(split: HoldoutSplit) -> None:
    lab = fresh_lab(split)
    cases = [
        ({"variants": {"A": {}, "B": {"filtr": "x"}}}, "variants['B']"),
        ({"visits": 0}, "visits"),
        ({"visits": -5}, "visits"),
        ({"visits": 2.5}, "visits"),
        ({"variants": {}}, "variants"),
        ({"seed": -1}, "seed"),
        ({"reference": "Z"}, "reference"),
        ({"click_model": "cascade"}, "click_model"),
        ({"rate_limit": 0}, "rate_limit"),
    ]
    for change, field in cases:
        arguments = {"future": split.future, "variants": VARIANTS, "visits": 10, **change}
        with pytest.raises(ValidationError) as error:
            lab.simulate(**arguments)
        assert error.value.field == field, change
        assert error.value.rule, change
        assert "Fix" in str(error.value) or error.value.fix, change
    assert lab.local_personalize.streamed_events().empty  # nothing was sent


def test_against_aws_a_metric_attribution_must_be_named(split: HoldoutSplit) -> None:
    """Boto3 clients that are not the Lab's local Personalize count as AWS: real events, so it asks first."""
    local = pl.LocalPersonalize(split.train)
    aws_like = pl.Lab(
        local.default_campaign_arn,
        client=local.client("personalize-runtime"),
        control_client=local.client("personalize"),
    )
    assert aws_like.local_personalize is None
    with pytest.raises(ValidationError) as error:
        aws_like.simulate(split.future, VARIANTS, visits=10)
    assert error.value.field == "metric_attribution_arn"
    assert "test campaign" in str(error.value.rule)
    assert local.streamed_events().empty
