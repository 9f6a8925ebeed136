"""Explorer logic without a browser: set widget values as a user would, check frames, figures, messages."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from personalize_lab import plots
from personalize_lab.client import Lab
from personalize_lab.widgets import Explorer
from personalize_lab.widgets.view import figure_json


@pytest.fixture
def explorer(demo_lab: Lab) -> Explorer:
    return Explorer(demo_lab, user_id="42")


def _reasons(fig: dict[str, Any]) -> list[str]:
    """The reasons the reason plot counts (its bars' labels)."""
    return [label for t in fig["data"] if t.get("x") for label in t.get("y") or ()]


def _score_plot(explorer: Explorer) -> dict[str, Any]:
    return dict(explorer.view.figures[0])


def _reason_plot(explorer: Explorer) -> dict[str, Any]:
    return dict(explorer.view.figures[1])


def test_first_request_fills_table_plots_and_call(explorer: Explorer, demo_lab: Lab) -> None:
    assert explorer.error is None
    assert list(explorer.frame["rank"]) == list(range(1, 26))
    assert explorer.frame.attrs["request"]["userId"] == "42"
    # the table shows every returned item, with title and score bar
    view = explorer.view
    for item in explorer.frame["itemId"]:
        assert f'data-item="{item}"' in view.table_html
    assert 'class="pl-bar"' in view.table_html
    assert f'data-seq="{explorer.seq}"' in view.table_html
    # table, figures and call arrive as one state, tagged with the same request number
    assert view.seq == view.answer_seq == explorer.seq
    assert len(view.figures) == 2
    assert list(view.plot_classes) == ["pl-score-plot", "pl-reason-plot"]
    json.dumps(list(view.figures), allow_nan=False)  # plain JSON: what plotly.js draws
    assert isinstance(view.figures[0]["layout"]["template"], dict)  # the theme travels with the figure
    # the CSV the export button saves: every row, reasons joined
    assert view.csv.splitlines()[0].startswith("rank,itemId,score,promotionName,reason")
    assert len(view.csv.splitlines()) == 26
    # where the kernel's time went, stage by stage (benchmarks/widgets.py reports it)
    assert list(explorer.timings) == ["controls", "request", "figures", "table", "view", "total"]
    assert explorer.timings["total"] >= explorer.timings["figures"] > 0
    assert "client.get_recommendations(" in view.call
    assert "userId='42'" in view.call
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
    last_answer = explorer.view.table_html
    explorer.filter.dropdown.value = "category"
    assert type(explorer.error).__name__ == "ValidationError"
    assert "Pick at least one CATEGORY value under Filter, on the left" in explorer.message
    assert "filterValues" not in explorer.message  # panel words, not code advice
    assert explorer.frame.empty
    # the last answer stays, greyed, under the message; the call shown is the request not sent
    view = explorer.view
    assert view.stale is True
    assert view.table_html == last_answer
    assert view.answer_seq < view.seq == explorer.seq
    assert view.call.startswith("lab.recommend(user_id='42', filter='category'")
    assert view.call_title.startswith("Not sent")
    # filling it clears the message and every returned item is in the chosen category
    explorer.filter.placeholders.inputs["CATEGORY"].value = ("Books", "Toys")
    assert explorer.error is None
    assert explorer.message == ""
    assert view.stale is False
    assert set(explorer.frame["CATEGORY_L1"]) <= {"Books", "Toys"}
    assert "filterValues={'CATEGORY': '\"Books\",\"Toys\"'}" in view.call


def test_numeric_placeholder_takes_a_number_and_names_a_bad_one(explorer: Explorer) -> None:
    explorer.filter.dropdown.value = "max-price"
    box = explorer.filter.placeholders.inputs["MAX_PRICE"]
    box.value = "cheap"
    assert "MAX_PRICE=&#x27;cheap&#x27; must be a number" in explorer.message
    assert "Change the inputs under Filter, on the left." in explorer.message
    box.value = "20"
    assert explorer.error is None
    assert (explorer.frame["PRICE"].astype(float) <= 20).all()


def test_a_value_the_catalog_lacks_is_flagged_before_sending() -> None:
    """A free-text placeholder (the field has too many values for a list) checked against the catalog."""
    from personalize_lab.widgets import _advice
    from personalize_lab.widgets._inputs import MAX_CHOICES, Catalog, FilterPicker, PromotionEditor

    categories = [f"Cat{k}" for k in range(MAX_CHOICES + 1)] + ["Books"]
    catalog = Catalog(pd.DataFrame({"ITEM_ID": range(len(categories)), "CATEGORY_L1": categories}), None)
    table = pd.DataFrame(
        {"name": ["category"], "expression": ["INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY)"]}
    )
    picker = FilterPicker(table, catalog, lambda: None)
    picker.dropdown.value = "category"
    assert picker.placeholders.kinds["CATEGORY"] == "list"
    promotion = PromotionEditor(table, catalog, lambda: None)
    assert _advice.check(picker, promotion).blocking == [
        "Pick at least one CATEGORY value under Filter, on the left: the category filter's INCLUDE clause "
        "(Items.CATEGORY_L1) needs it before the request can be sent."
    ]
    picker.placeholders.inputs["CATEGORY"].value = "Books, Bookz"
    advice = _advice.check(picker, promotion)
    assert advice.blocking == []
    assert len(advice.warnings) == 1
    assert advice.warnings[0].startswith("'Bookz' matches no Items.CATEGORY_L1 value in the catalog")
    assert "Books" not in advice.warnings[0].split("(")[0]


def test_a_ticked_promotion_waits_for_its_filter_without_an_error(explorer: Explorer) -> None:
    before = explorer.frame["itemId"].tolist()
    explorer.promotion.enabled.value = True
    assert explorer.error is None
    assert "Pick the promotion&#x27;s filter under Promotion" in explorer.message
    assert "pl-error" not in explorer.message.split("</style>")[-1]
    assert explorer.frame["itemId"].tolist() == before  # the list, still without the promotion


def test_promotion_marks_promoted_rows_and_the_reason_plot(explorer: Explorer, demo_lab: Lab) -> None:
    # only User-Personalization-v2 fills `reason` (personalize-semantics §5)
    explorer.target.value = (demo_lab.local_personalize.campaign_arns["user-personalization-v2"], "campaign")
    assert "Promoted item" not in _reasons(_reason_plot(explorer))
    explorer.promotion.enabled.value = True
    explorer.promotion.filter.dropdown.value = "category"
    explorer.promotion.filter.placeholders.inputs["CATEGORY"].value = ("Books",)
    explorer.promotion.percent.value = 20
    assert explorer.error is None
    promoted = explorer.frame[explorer.frame["promotionName"] == "featured"]
    assert len(promoted) == 5  # 20% of 25
    assert set(promoted["CATEGORY_L1"]) == {"Books"}
    table = explorer.view.table_html
    assert table.count('<span class="pl-badge">featured</span>') == 5
    assert table.count('class="pl-promoted"') == 5
    assert "Promoted item" in _reasons(_reason_plot(explorer))
    assert table.count(">Promoted item</span>") == 5  # the reason chips


def _fresh(builder: Any, explorer: Explorer) -> dict[str, Any]:
    """The figure ``builder`` (a public ``plots`` function) draws for the Explorer's latest answer, as the
    JSON the view sends (its size and title font are the Explorer's)."""
    fig = builder(explorer.frame)
    fig.update_layout(
        width=620, height=300, margin={"l": 55, "r": 15, "t": 70, "b": 45}, title_font_size=14,
    )  # fmt: skip
    return _canonical(figure_json(fig))


def _canonical(figure: dict[str, Any]) -> Any:
    """One form for comparing: arrays as lists of Python numbers, whatever dtype they were built with."""

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple, np.ndarray)):
            return [plain(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
        return value

    return plain(go.Figure(figure).to_dict())


def test_the_view_holds_exactly_the_figures_the_plots_module_draws(explorer: Explorer, demo_lab: Lab) -> None:
    """Whatever changed, the view's state is the whole figure of the latest answer (never a diff)."""
    arns = demo_lab.local_personalize.campaign_arns

    def check() -> None:
        assert explorer.error is None
        recipe = explorer.current_lab.recipe.recipe_name
        assert _canonical(_score_plot(explorer)) == _fresh(plots.rank_scores, explorer)
        reasons = functools.partial(plots.reason_counts, recipe=recipe)
        assert _canonical(_reason_plot(explorer)) == _fresh(reasons, explorer)
        assert explorer.view.answer_seq == explorer.seq

    check()
    explorer.target.value = (arns["user-personalization-v2"], "campaign")
    check()
    explorer.user.value = "7"
    check()
    explorer.promotion.enabled.value = True
    explorer.promotion.filter.dropdown.value = "category"
    explorer.promotion.filter.placeholders.inputs["CATEGORY"].value = ("Toys",)
    check()
    assert "Promoted item" in _reasons(_reason_plot(explorer))
    explorer.target.value = (arns["sims"], "campaign")  # no scores
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
    assert "no score" in explorer.view.table_html


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
    assert explorer.error is None, explorer.message
    table = explorer.view.table_html
    assert "<img" not in table
    assert "<b>x" not in table
    assert "&lt;img src=x onerror=alert(1)&gt;" in table


def test_explorer_on_a_replay_shows_the_recorded_answer(demo_lab: Lab, tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    recording = Lab.local(demo_lab.local_personalize, record=path)
    recorded = Explorer(recording, user_id="5").frame
    replayed = Explorer(Lab.replay(path), user_id="5")
    assert replayed.error is None, replayed.message
    assert replayed.frame["itemId"].tolist() == recorded["itemId"].tolist()
    assert replayed.frame.attrs["source"] == "replay"
    assert replayed.users == []  # a replay cannot list users: the user box is free text


def test_a_next_best_action_campaign_shows_its_inputs_and_an_action_table(explorer: Explorer) -> None:
    nba = next(
        value for _, value in explorer.target.options if value[0].endswith("campaign/next-best-action")
    )
    explorer.target.value = nba
    assert explorer.item_row.layout.display == "none"
    assert explorer.rank_row.layout.display == "none"
    assert explorer.promotion_row.layout.display == "none"
    assert explorer.context_row.layout.display == "none"
    assert explorer.metadata.disabled
    assert explorer.num_results.max == 100
    explorer.num_results.value = 8
    explorer.run()
    assert explorer.error is None
    frame = explorer.frame
    assert "actionId" in frame.columns
    assert "summer-sale-signup" not in set(frame["actionId"])  # expired
    assert frame["score"].between(0, 1).all()
    assert f'data-item="{frame["actionId"].iloc[0]}"' in explorer.view.table_html
    assert "client.get_action_recommendations(" in explorer.view.call
    explorer.filter.dropdown.value = "exclude-taken-actions"
    explorer.run()
    assert explorer.error is None
