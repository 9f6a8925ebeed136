"""Explorer logic without a browser: set widget values as a user would, check frames, figures, messages."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from personalize_lab import plots
from personalize_lab.client import Lab
from personalize_lab.widgets import Explorer


@pytest.fixture
def explorer(demo_lab: Lab) -> Explorer:
    return Explorer(demo_lab, user_id="42")


def _trace_names(fig: object) -> list[str]:
    """Names of the traces that hold data (the reason plot keeps an empty trace per absent reason)."""
    return [t.name for t in fig.data if len(t.x)]  # type: ignore[attr-defined]


def test_first_request_fills_table_plots_and_call(explorer: Explorer, demo_lab: Lab) -> None:
    assert explorer.error is None
    assert list(explorer.frame["rank"]) == list(range(1, 26))
    assert explorer.frame.attrs["request"]["userId"] == "42"
    # the table shows every returned item, with title and score bar
    for item in explorer.frame["itemId"]:
        assert f'data-item="{item}"' in explorer.table.value
    assert 'class="pl-bar"' in explorer.table.value
    # the score plot has the scored-items panel and the scoreless panel; the reason plot stacks by rank
    assert len(explorer.score_plot.data) == 2
    assert explorer.score_plot.layout.meta == {"seq": explorer.seq}
    assert explorer.reason_plot.layout.meta == {"seq": explorer.seq}
    # where the kernel's time went, stage by stage; the browser test reads it from the table
    stages = ["controls", "request", "frame", "figures", "widgets", "table", "total"]
    assert list(explorer.timings) == stages
    assert explorer.timings["total"] >= explorer.timings["figures"] > 0
    shown = json.loads(html.unescape(explorer.table.value.split('data-timings="')[1].split('"')[0]))
    assert list(shown) == stages
    assert "client.get_recommendations(" in explorer.call.value
    assert "userId=&#x27;42&#x27;" in explorer.call.value
    # the user's history from the local backend
    history = demo_lab.user_history("42", limit=8)
    assert history["ITEM_ID"].iloc[0] in explorer.user_history.value


def test_category_filter_creates_a_required_multiselect_of_known_values(
    explorer: Explorer, demo_lab: Lab
) -> None:
    explorer.filter.dropdown.value = "category"
    inputs = explorer.filter.placeholders
    assert list(inputs.inputs) == ["CATEGORY"]
    assert inputs.kinds["CATEGORY"] == "multi"
    assert inputs.required["CATEGORY"] is True
    items = demo_lab.item_table()
    assert items is not None
    assert list(inputs.inputs["CATEGORY"].options) == sorted(items["CATEGORY_L1"].unique())
    assert "required" in inputs.box.children[0].children[0].value


def test_empty_include_placeholder_is_a_readable_message_in_the_panel(explorer: Explorer) -> None:
    explorer.filter.dropdown.value = "category"
    assert type(explorer.error).__name__ == "FilterValuesError"
    assert "no filterValues value for $CATEGORY" in explorer.message.value
    assert "Traceback" not in explorer.message.value
    assert explorer.frame.empty
    assert "pl-stale" in explorer.score_box._dom_classes  # the plots of the last answer are faded
    # filling it clears the message and every returned item is in the chosen category
    explorer.filter.placeholders.inputs["CATEGORY"].value = ("Books", "Toys")
    assert explorer.error is None
    assert explorer.message.value == ""
    assert "pl-stale" not in explorer.score_box._dom_classes
    assert set(explorer.frame["CATEGORY_L1"]) <= {"Books", "Toys"}
    assert (
        "filterValues={&#x27;CATEGORY&#x27;: &#x27;&quot;Books&quot;,&quot;Toys&quot;&#x27;}"
        in explorer.call.value
    )


def test_numeric_placeholder_takes_a_number_and_names_a_bad_one(explorer: Explorer) -> None:
    explorer.filter.dropdown.value = "max-price"
    box = explorer.filter.placeholders.inputs["MAX_PRICE"]
    box.value = "cheap"
    assert "MAX_PRICE=&#x27;cheap&#x27; must be a number" in explorer.message.value
    box.value = "20"
    assert explorer.error is None
    assert (explorer.frame["PRICE"].astype(float) <= 20).all()


def test_promotion_marks_promoted_rows_and_the_reason_plot(explorer: Explorer, demo_lab: Lab) -> None:
    # only User-Personalization-v2 fills `reason` (personalize-semantics §5)
    explorer.target.value = (demo_lab.local_personalize.campaign_arns["user-personalization-v2"], "campaign")
    assert "Promoted item" not in _trace_names(explorer.reason_plot)
    explorer.promotion.enabled.value = True
    explorer.promotion.filter.dropdown.value = "category"
    explorer.promotion.filter.placeholders.inputs["CATEGORY"].value = ("Books",)
    explorer.promotion.percent.value = 20
    assert explorer.error is None
    promoted = explorer.frame[explorer.frame["promotionName"] == "featured"]
    assert len(promoted) == 5  # 20% of 25
    assert set(promoted["CATEGORY_L1"]) == {"Books"}
    assert explorer.table.value.count('<span class="pl-badge">featured</span>') == 5
    assert explorer.table.value.count('class="pl-promoted"') == 5
    assert "Promoted item" in _trace_names(explorer.reason_plot)
    assert explorer.table.value.count(">Promoted item</span>") == 5  # the reason chips


def _shown(fig: go.Figure) -> dict[str, object]:
    """What the browser draws: the figure's JSON, without the reason plot's empty placeholder traces."""
    shown = json.loads(pio.to_json(fig, validate=False))
    shown["data"] = [t for t in shown["data"] if t.get("x")]
    return dict(shown)


def _fresh(builder: object, explorer: Explorer) -> dict[str, object]:
    """The figure ``builder`` (a public ``plots`` function) draws for the Explorer's latest answer."""
    label = explorer.target.value[0].rsplit("/", 1)[-1]
    long = explorer.frame.assign(variant=label, userId=explorer.user.value)
    fig = builder(long)  # type: ignore[operator]
    fig.update_layout(
        width=620, height=300, margin={"l": 55, "r": 15, "t": 70, "b": 45}, title_font_size=14,
        meta={"seq": explorer.seq},
    )  # fmt: skip
    return _shown(fig)


def test_plots_updated_in_place_show_what_fresh_figures_show(explorer: Explorer, demo_lab: Lab) -> None:
    """Only the changed properties reach the FigureWidgets, yet they end up equal to freshly built figures."""
    arns = demo_lab.local_personalize.campaign_arns
    score_widget = explorer.score_plot

    def check() -> None:
        assert explorer.error is None
        assert _shown(explorer.score_plot) == _fresh(plots.score_distribution, explorer)
        assert _shown(explorer.reason_plot) == _fresh(plots.reason_breakdown, explorer)

    check()
    explorer.target.value = (arns["user-personalization-v2"], "campaign")
    check()
    explorer.user.value = "7"
    check()
    assert explorer.score_plot is score_widget  # the same widget, updated in place
    explorer.promotion.enabled.value = True
    explorer.promotion.filter.dropdown.value = "category"
    explorer.promotion.filter.placeholders.inputs["CATEGORY"].value = ("Toys",)
    check()
    assert "Promoted item" in _trace_names(explorer.reason_plot)
    explorer.target.value = (arns["sims"], "campaign")  # no scores: the scored-items trace goes away
    check()
    explorer.target.value = (arns["user-personalization-v2"], "campaign")
    for _ in range(3):
        explorer.pick_random_user()
        check()


def test_num_results_limit_follows_the_metadata_rule(explorer: Explorer) -> None:
    assert explorer.num_results.max == 50
    explorer.metadata.value = ()
    assert explorer.num_results.max == 500
    explorer.num_results.value = 120
    assert len(explorer.frame) == 120
    explorer.metadata.value = ("TITLE",)
    assert explorer.num_results.max == 50
    assert explorer.num_results.value == 50
    assert len(explorer.frame) == 50


def test_history_back_and_forward_restore_controls(explorer: Explorer) -> None:
    first = explorer.frame["itemId"].tolist()
    explorer.user.value = "7"
    second = explorer.frame["itemId"].tolist()
    assert first != second
    explorer.go(-1)
    assert explorer.user.value == "42"
    assert explorer.frame["itemId"].tolist() == first
    assert explorer.forward.disabled is False
    explorer.go(+1)
    assert explorer.user.value == "7"
    assert explorer.frame["itemId"].tolist() == second


def test_random_user_and_context(explorer: Explorer, demo_lab: Lab) -> None:
    explorer.pick_random_user()
    assert explorer.user.value in demo_lab.known_users()
    assert explorer.frame.attrs["request"]["userId"] == explorer.user.value
    assert explorer.context.keys == ["DEVICE"]
    explorer.context.add("DEVICE", "mobile")
    assert explorer.frame.attrs["request"]["context"] == {"DEVICE": "mobile"}


def test_related_items_target_shows_the_item_input(explorer: Explorer, demo_lab: Lab) -> None:
    local = demo_lab.local_personalize
    explorer.target.value = (local.campaign_arns["sims"], "campaign")
    assert explorer.item_row.layout.display is None
    assert explorer.error is None
    assert explorer.frame.attrs["request"]["itemId"] == explorer.item.value
    assert explorer.frame["score"].isna().all()  # SIMS returns no scores: the table says so
    assert "no score" in explorer.table.value


def test_ranking_target_ranks_the_input_list(explorer: Explorer, demo_lab: Lab) -> None:
    local = demo_lab.local_personalize
    explorer.target.value = (local.campaign_arns["personalized-ranking"], "campaign")
    explorer.input_list.value = "P00001, P00002, P00003"
    assert explorer.error is None
    assert sorted(explorer.frame["itemId"]) == ["P00001", "P00002", "P00003"]


def test_script_injection_title_is_escaped() -> None:
    from personalize_lab.emulator import LocalPersonalize

    evil = "<img src=x onerror=alert(1)>"
    items = pd.DataFrame(
        {"ITEM_ID": [f"i{k}" for k in range(30)], "TITLE": [evil] * 30, "CATEGORY_L1": ["<b>x"] * 30}
    )
    interactions = pd.DataFrame(
        {
            "USER_ID": [str(u % 5) for u in range(200)],
            "ITEM_ID": [f"i{(u * 7) % 30}" for u in range(200)],
            "TIMESTAMP": range(1_700_000_000, 1_700_000_200),
            "EVENT_TYPE": ["View"] * 200,
        }
    )
    local = LocalPersonalize.from_frames(interactions, items)
    arn = local.create_campaign(
        "meta", "aws-user-personalization", {"enableMetadataWithRecommendations": True}
    )
    explorer = Explorer(Lab.local(local, campaign_arn=arn), metadata=("TITLE", "CATEGORY_L1"))
    assert explorer.error is None, explorer.message.value
    assert "<img" not in explorer.table.value
    assert "<b>x" not in explorer.table.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in explorer.table.value


def test_explorer_on_a_replay_shows_the_recorded_answer(demo_lab: Lab, tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    recording = Lab.local(demo_lab.local_personalize, record=path)
    recorded = Explorer(recording, user_id="5").frame
    replayed = Explorer(Lab.replay(path), user_id="5")
    assert replayed.error is None, replayed.message.value
    assert replayed.frame["itemId"].tolist() == recorded["itemId"].tolist()
    assert replayed.frame.attrs["source"] == "replay"
    assert replayed.users == []  # a replay cannot list users: the user box is free text
