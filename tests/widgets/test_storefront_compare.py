"""Storefront and ComparePanel logic without a browser: clicks record events, comparisons run and export."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config

from personalize_lab.client import Lab
from personalize_lab.widgets import ComparePanel, Explorer, Storefront
from tests.support.wire import Wire


def test_storefront_click_records_an_event_the_next_request_sees(demo_lab: Lab) -> None:
    shop = Storefront(demo_lab, personas=["100", "101"])
    assert shop.error is None
    assert len(shop.frame) == 12
    assert shop.frame.attrs["request"]["filterArn"].endswith("/exclude-purchased")
    item = str(shop.frame["itemId"].iloc[0])
    assert f'data-item="{item}"' in shop.slots[0][0].value
    assert shop.slots[0][1].tooltip == item
    shop.slots[0][1].click()  # the card's Buy button
    assert shop.error is None
    assert shop.events[-1]["itemId"] == item
    assert shop.events[-1]["eventType"] == "Purchase"
    history = demo_lab.user_history("100", limit=3)
    assert history["ITEM_ID"].iloc[0] == item  # PutEvents reached the local Personalize
    assert item not in set(shop.frame["itemId"])  # bought: the exclude-purchased filter drops it
    assert "Recorded Purchase of" in shop.status.value


def test_storefront_buy_credits_the_shelf_and_the_variant(demo_lab: Lab) -> None:
    """Buy sends the shelf's recommendationId and impressions and the variant as attribution source,
    so a metric attribution counts purchases and revenue per variant."""
    local = demo_lab.local_personalize
    control = demo_lab.control_client
    arn = control.create_metric_attribution(
        name="storefront-impact",
        datasetGroupArn=local.dataset_group_arn,
        metrics=[
            {"eventType": "Purchase", "metricName": "purchases", "expression": "SAMPLECOUNT()"},
            {"eventType": "Purchase", "metricName": "revenue", "expression": "SUM(Items.PRICE)"},
        ],
        metricsOutputConfig={"roleArn": "arn:aws:iam::123456789012:role/PersonalizeMetrics"},
    )["metricAttributionArn"]
    try:
        shop = Storefront(demo_lab, personas=["104"])
        shelf = shop.frame.copy()
        item = str(shelf["itemId"].iloc[1])
        shop.click(item)
        shop.variant.value = "B"
        shop.click(str(shop.frame["itemId"].iloc[0]))
        sent = shop.events[-2]
        assert sent["recommendationId"] == shelf["recommendationId"].iloc[0]
        assert sent["impression"] == list(shelf["itemId"])
        assert sent["metricAttribution"] == {"eventAttributionSource": "storefront-A"}
        assert sent["eventValue"] == pytest.approx(float(shelf["PRICE"].iloc[1]))
        assert shop.events[-1]["metricAttribution"] == {"eventAttributionSource": "storefront-B"}
        table = demo_lab.attribution_metrics(arn).set_index(["metricName", "EVENT_ATTRIBUTION_SOURCE"])
        assert table.loc[("purchases", "storefront-A"), "value"] == 1
        assert table.loc[("purchases", "storefront-B"), "value"] == 1
        assert table.loc[("revenue", "storefront-A"), "value"] == pytest.approx(sent["eventValue"])
    finally:
        control.delete_metric_attribution(metricAttributionArn=arn)


def test_storefront_ab_toggle_shows_promoted_badges(demo_lab: Lab) -> None:
    shop = Storefront(demo_lab, personas=["102"])
    assert [v for _, v in shop.variant.options] == ["A", "B"]
    assert shop.frame["promotionName"].isna().all()
    shop.variant.value = "B"
    promoted = shop.frame[shop.frame["promotionName"] == "featured"]
    assert len(promoted) == 3  # 25% of 12
    assert sum("pl-badge" in body.value for body, _, _ in shop.slots) == 3


def test_storefront_without_tracker_explains_the_fix(demo_lab: Lab) -> None:
    shop = Storefront(demo_lab, personas=["103"], events_client=object())
    shop.click(str(shop.frame["itemId"].iloc[0]))
    assert "tracking_id=None" in shop.status.value
    assert "Fix: pass tracking_id" in shop.status.value


def test_compare_panel_runs_pins_and_exports(
    demo_lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    explorer = Explorer(demo_lab)
    explorer.pin("A")
    explorer.promotion.enabled.value = True
    explorer.promotion.filter.dropdown.value = "category"
    explorer.promotion.filter.placeholders.inputs["CATEGORY"].value = ("Books",)
    explorer.pin("B")
    panel = ComparePanel(demo_lab, users=12)
    assert [e.name.value for e in panel.editors] == ["A", "B"]
    assert panel.editors[1].promotion.value() is not None
    panel.run()
    assert panel.error is None, panel.message.value
    assert "Done: 24 lists" in panel.message.value
    assert panel.result is demo_lab.last_run  # the run went through lab.recommend_many
    frame = panel.frame
    assert list(frame.columns[:2]) == ["variant", "userId"]
    assert frame.groupby("variant", observed=True)["userId"].nunique().to_dict() == {"A": 12, "B": 12}
    summary = panel.comparison.summary().set_index("variant")  # type: ignore[union-attr]
    assert summary.loc["A", "promoted_share"] == 0
    assert summary.loc["B", "promoted_share"] == 0.2
    assert "Paired" in panel.summary.value
    assert "p (adjusted)" in panel.summary.value  # human names (analysis.labels), not snake_case
    assert "p_adjusted" not in panel.summary.value
    assert "<th>Verdict</th>" in panel.summary.value
    verdict = panel.comparison.tests().set_index("metric").loc["promoted_share", "verdict"]  # type: ignore[union-attr]
    assert verdict.startswith("B shows 20 percentage points more promoted items than A")
    assert html.escape(verdict) in panel.summary.value
    coverage = summary["catalog_coverage"]  # the panel knows the catalog: every summary column is filled
    assert coverage.notna().all()
    assert "<th>Catalog coverage</th>" in panel.summary.value
    assert "is not shown" not in panel.summary.value
    assert len(panel.overlap_plot.data) > 0
    assert len(panel.reason_plot.data) > 0
    # the view holds the three figures as plain JSON, tagged with the run
    assert len(panel.plots.figures) == 3
    assert panel.plots.answer_seq == panel.runs == 1
    assert "pl-gained" in panel.drill.value
    assert "pl-lost" in panel.drill.value
    notebook_folder = tmp_path / "notebooks"
    notebook_folder.mkdir()
    monkeypatch.chdir(notebook_folder)  # the kernel runs in the notebook's folder
    path = panel.export(tmp_path / "A B.html")
    assert path is not None
    assert path.read_text().startswith("<!DOCTYPE html>")
    # a link Jupyter resolves against the notebook's folder, and the absolute path as text
    assert "<a href='../A%20B.html' target='_blank' rel='noopener'>../A B.html</a>" in panel.message.value
    assert f"<code>{tmp_path / 'A B.html'}</code>" in panel.message.value
    panel.export("report.html")
    assert (notebook_folder / "report.html").exists()
    assert "<a href='report.html'" in panel.message.value


def test_compare_panel_cohort_choices_and_errors(demo_lab: Lab) -> None:
    panel = ComparePanel(demo_lab)
    panel.cohort_kind.value = "list"
    panel.run()
    assert "cohort list is empty" in panel.message.value
    panel.cohort_list.value = "1, 2\n3"
    assert panel.cohort() == ["1", "2", "3"]
    panel.cohort_kind.value = "segment"
    panel.segment_column.value = "MEMBERSHIP"
    panel.segment_value.value = "plus"
    panel.cohort_size.value = 5
    users = demo_lab.user_table()
    assert users is not None
    plus = set(users.loc[users["MEMBERSHIP"] == "plus", "USER_ID"].astype(str))
    assert len(panel.cohort()) == 5
    assert set(panel.cohort()) <= plus


def test_compare_panel_runs_in_a_thread_and_cancel_stops_it(demo_lab: Lab) -> None:
    demo_lab.clear_cache()  # every request is sent, so Cancel lands after the third one sent
    panel = ComparePanel(demo_lab, users=30)
    report = panel._progress

    def progress(done: int, total: int) -> None:  # the user presses Cancel after the third request
        report(done, total)
        if done == 3:
            panel.cancel()

    panel._progress = progress  # type: ignore[method-assign]
    panel.run(background=True)
    panel.wait(60)
    assert panel.progress.value == 3
    assert panel.progress.description == "3 / 60"
    assert "Cancelled after 3 requests (of 60)" in panel.message.value
    assert panel.frame.groupby(["variant", "userId"], observed=True).ngroups == 3
    assert panel.result is not None
    assert panel.result.interrupted
    assert panel.run_button.disabled is False
    assert panel.cancel_button.disabled is True


def test_compare_panel_ranks_on_a_personalized_ranking_campaign(demo_lab: Lab) -> None:
    ranking = demo_lab.local_personalize.campaign_arns["personalized-ranking"]
    items = [str(i) for i in demo_lab.local_personalize.items["ITEM_ID"][:8]]
    panel = ComparePanel(demo_lab, users=6)
    editor = panel.editors[1]
    editor.target.value = (ranking, "campaign")
    assert editor.items.layout.display is None  # the items to rank are asked for
    assert editor.promotion.box.layout.display == "none"  # ranking takes no promotion
    editor.items.value = ", ".join(items)
    panel.run()
    assert panel.error is None, panel.message.value
    ranked = panel.frame[panel.frame["variant"] == editor.name.value]
    assert ranked.groupby("userId").size().tolist() == [8] * 6  # every item, ranked, for every user
    assert set(ranked["itemId"]) == set(items)
    assert panel.frame.attrs["operations"][editor.name.value] == "GetPersonalizedRanking"
    assert panel.comparison is not None


def test_compare_panel_shows_failed_requests_from_the_errors_frame(demo_lab: Lab) -> None:
    local = demo_lab.local_personalize

    def fail(body: dict[str, Any], _: int) -> tuple[int, str] | None:
        return (400, "InvalidInputException") if body["userId"] in ("3", "4", "9") else None

    wire = Wire(fail)
    client = local.client("personalize-runtime", config=Config(retries={"total_max_attempts": 1}))
    client.meta.events.register_first("before-send.personalize-runtime", wire)
    local.install(client)
    lab = Lab(demo_lab.campaign_arn, client=client, control_client=demo_lab.control_client)
    lab.source, lab.local_personalize = "local", local
    panel = ComparePanel(lab)
    panel.cohort_kind.value = "list"
    panel.cohort_list.value = "1, 2, 3, 4, 5"
    panel.run()
    assert panel.error is None  # single failures are not the panel's error: the run went on
    assert panel.errors is not None
    assert sorted(panel.errors["userId"]) == ["3", "3", "4", "4"]
    message = panel.message.value
    assert "4 of 10 requests failed (InvalidInputException ×4); the others are compared." in message
    assert "variant A, user 3: injected InvalidInputException" in message
    assert "… and 1 more (panel.errors holds them all)" in message
    assert panel.comparison is not None
    assert sorted(panel.comparison.encoded.users) == ["1", "2", "5"]
    # a variant whose first two users fail the same way fails for everyone: the rest is skipped
    panel.cohort_list.value = "9, 3, 6"
    panel.run()
    message = panel.message.value
    assert "No list came back: nothing to compare." in message
    assert "2 of 6 requests failed (InvalidInputException ×2)" in message
    assert "variant A, every user: injected InvalidInputException (the variant fails the same way" in message
    assert len(wire.users()) == 10 + 4


def test_storefront_persona_picker_searches_every_user_in_numeric_order(demo_lab: Lab) -> None:
    shop = Storefront(demo_lab)
    assert len(shop.persona.options) == len(demo_lab.known_users()) == 1000
    assert shop.personas[:12] == [str(k) for k in range(1, 13)]  # 1, 2, … not 1, 10, 100
    assert shop.persona.options[0] == "User 1 · age 48 · membership free"
    assert shop.persona.ensure_option  # only a listed shopper is accepted
    shop.persona.value = shop.persona.options[41]  # typed and picked from the list
    assert shop.user == "42"
    assert shop.frame.attrs["request"]["userId"] == "42"
    assert "picks for user 42" in shop.heading.value
    shop.persona.value = "User 4"  # half-typed: not a shopper yet, nothing changes
    assert shop.user == "42"


def test_storefront_confirmation_sits_above_the_shelf(demo_lab: Lab) -> None:
    shop = Storefront(demo_lab, personas=["104"])
    title = str(shop.frame["TITLE"].iloc[0])
    shop.slots[0][1].click()
    children = list(shop.widget.children)
    assert children.index(shop.status) < children.index(shop.grid)
    assert "pl-done" in shop.status.value
    assert title in shop.status.value
    shop.variant.value = "B"  # a new shelf: the old confirmation goes
    assert shop.status.value == ""


def test_cards_show_catalog_photos_over_varied_tiles(demo_lab: Lab) -> None:
    import pandas as pd

    from personalize_lab.widgets import _html

    items = pd.DataFrame(
        {
            "ITEM_ID": ["a", "b", "c"],
            "PAGE": ["https://shop.example/a", None, "https://shop.example/c"],
            "IMAGE_URL": ["https://img.example/a.png?w=1&h=2", "http://img.example/b.jpg", None],
            "TITLE": ["javascript:alert(1)", "B", "C"],
        }
    )
    assert _html.image_column(items) == "IMAGE_URL"  # named like a picture, preferred over PAGE
    assert _html.image_column(items[["ITEM_ID", "TITLE"]]) is None
    assert _html.image_url("javascript:alert(1)") is None
    assert _html.image_url('https://x.example/a.png" onerror="alert(1)') is None  # not one URL
    row = pd.Series(
        {"itemId": "a", "TITLE": "Red Shoe", "CATEGORY_L1": "Footwear", "IMAGE_URL": items.iloc[0, 2]}
    )
    html = _html.card(row, image="IMAGE_URL")
    assert "background-image:url('https://img.example/a.png?w=1&amp;h=2')" in html  # escaped
    assert html.index("<svg") < html.index('class="pl-photo"')  # the tile lies under the photo
    assert _html.image_url("https://x.example/a.png')\\") is None  # cannot leave the CSS string
    no_photo = _html.card(row.drop("IMAGE_URL"), image="IMAGE_URL")
    assert "pl-photo" not in no_photo
    assert "<svg" in no_photo
    # one category, twelve items: the shades and motifs differ, the category's colour family stays
    tiles = [_html.placeholder_image("Red Shoe", "Footwear", f"P{k:05d}") for k in range(12)]
    stops = {t.split('stop-color="')[1][:7] for t in tiles}
    assert len(stops) >= 6
    assert len({t.split('<g class="pl-motif-')[1][0] for t in tiles}) >= 4
    assert all(">RS</text>" in t for t in tiles)


def test_storefront_requests_the_image_column_when_the_catalog_has_one() -> None:
    import pandas as pd

    from personalize_lab.emulator import LocalPersonalize

    items = pd.DataFrame(
        {
            "ITEM_ID": [f"i{k}" for k in range(30)],
            "TITLE": [f"Thing {k}" for k in range(30)],
            "IMAGE": [f"https://img.example/{k}.png" for k in range(30)],
        }
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
    shop = Storefront(Lab.local(local, campaign_arn=arn))
    assert shop.personas == ["0", "1", "2", "3", "4"]
    assert shop.frame.attrs["request"]["metadataColumns"] == {"ITEMS": ["TITLE", "IMAGE"]}
    first = str(shop.frame["itemId"].iloc[0])
    assert f"url('https://img.example/{first[1:]}.png')" in shop.slots[0][0].value
