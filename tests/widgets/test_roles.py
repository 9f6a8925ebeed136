"""Panels take their defaults from the data: a catalog that says NAME, GENRE, COST and names its filters
anything gets the same cards and the same A/B as the demo store's TITLE, CATEGORY_L1, PRICE."""

from __future__ import annotations

import pandas as pd

from personalize_lab.client import Lab
from personalize_lab.emulator import LocalPersonalize
from personalize_lab.widgets import ComparePanel, Explorer, Storefront
from personalize_lab.widgets._roles import ItemRoles, category_filter, exclude_bought_filter, item_roles

GENRES = ("Jazz", "Rock", "Folk", "Soul")


def _catalog(n: int = 40) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ITEM_ID": [f"i{k}" for k in range(n)],
            "SKU": [f"sku-{k:04d}" for k in range(n)],  # unique text: not a category
            "IN_STOCK": ["yes" if k % 3 else "no" for k in range(n)],  # a flag: not a category
            "NAME": [f"Record {k}" for k in range(n)],
            "GENRE": [GENRES[k % 4] if k < n - 2 else "Blues" for k in range(n)],  # Blues: least stocked
            "COST": [5.0 + k for k in range(n)],
        }
    )


def _filters(rows: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"name": list(rows), "expression": list(rows.values())})


def test_roles_come_from_column_types_and_names() -> None:
    assert item_roles(_catalog()) == ItemRoles(title="NAME", category="GENRE", price="COST")
    # no column named like a category: the first categorical text column (not unique ids, not flags)
    shelves = _catalog().drop(columns="GENRE").assign(SHELF=["top", "middle", "bottom", "floor"] * 10)
    assert item_roles(shelves) == ItemRoles(title="NAME", category="SHELF", price="COST")
    # nothing fits: each role is None, so a card shows the id and leaves the rest out
    assert item_roles(_catalog()[["ITEM_ID", "SKU", "IN_STOCK"]]) == ItemRoles()
    # a numeric column named like a price is a price; a text one is not
    assert item_roles(_catalog().assign(COST=["cheap"] * 40)).price is None
    # only the schema's field names (AWS lists no items): by name alone
    fields = ["ITEM_ID", "PRODUCT_NAME", "GENRE", "UNIT_COST"]
    assert item_roles(None, fields) == ItemRoles(title="PRODUCT_NAME", category="GENRE", price="UNIT_COST")
    assert ItemRoles(title="NAME", price="COST").columns() == ["NAME", "COST"]


def test_filters_are_found_by_their_expression_not_their_name() -> None:
    filters = _filters(
        {
            "hide-seen": 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("View")',
            "owned": 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Order")',
            "needs-a-value": "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ($E)",
            "broken": "EXCLUDE WHAT",
            "by-genre": "INCLUDE ItemID WHERE Items.GENRE IN ($G)",
            "genre-and-cheap": "INCLUDE ItemID WHERE Items.GENRE IN ($G) AND Items.COST < 10",
        }
    )
    assert exclude_bought_filter(filters) == "owned"  # a purchase-like event wins over "View"
    assert exclude_bought_filter(filters.iloc[[0, 2, 3]]) == "hide-seen"  # else any literal exclusion
    assert exclude_bought_filter(filters.iloc[[2, 3, 4]]) is None
    assert category_filter(filters, "genre") == ("by-genre", "G")  # field names match case-insensitively
    assert category_filter(filters, "COST") is None
    assert category_filter(filters, None) is None
    assert exclude_bought_filter(pd.DataFrame(columns=["name", "arn"])) is None  # no expressions listed


def _lab() -> tuple[Lab, LocalPersonalize]:
    catalog = _catalog()
    interactions = pd.DataFrame(
        {
            "USER_ID": [str(u % 6) for u in range(300)],
            "ITEM_ID": [f"i{(u * 7) % 40}" for u in range(300)],
            "TIMESTAMP": range(1_700_000_000, 1_700_000_300),
            "EVENT_TYPE": ["Order" if u % 4 == 0 else "Listen" for u in range(300)],
        }
    )
    local = LocalPersonalize.from_frames(interactions, catalog)
    arn = local.create_campaign(
        "shop", "aws-user-personalization", {"enableMetadataWithRecommendations": True}
    )
    local.create_filter("no-repeats", 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Order")')
    local.create_filter("genre-pick", "INCLUDE ItemID WHERE Items.GENRE IN ($WHICH)")
    return Lab.local(local, campaign_arn=arn), local


def test_panels_on_a_catalog_named_differently() -> None:
    lab, _ = _lab()
    shop = Storefront(lab, personas=["1"])
    assert shop.error is None
    request = shop.frame.attrs["request"]
    assert request["metadataColumns"] == {"ITEMS": ["NAME", "GENRE", "COST"]}
    assert request["filterArn"].endswith("/no-repeats")  # A: bought items hidden
    first = shop.frame.iloc[0]
    card = shop.slots[0][0].value
    assert f">{first['NAME']}</div>" in card  # the title is the NAME column
    assert f">{first['GENRE']} · #1" in card  # the category line is GENRE
    assert f"${float(first['COST']):,.2f}" in card  # the price is COST
    assert shop.variants["B"].label == "B: + Blues promoted"  # the least-stocked genre
    promotion = shop.variants["B"].kwargs["promotion"]
    assert (promotion.filter, promotion.filter_values) == ("genre-pick", {"WHICH": ["Blues"]})
    explorer = Explorer(lab)
    assert explorer.metadata.value == ("NAME", "GENRE", "COST")
    panel = ComparePanel(lab)
    assert [s.kwargs["metadata"] for s in panel.variants().values()] == [["NAME", "GENRE"]] * 2
