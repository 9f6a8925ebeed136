"""The Storefront: what a shopper would see, for stakeholders — personas, product cards, A/B, live events.

Clicking "Buy" on a card sends a real PutEvents call (``personalize-events``: the local Personalize's
event tracker, or a configured tracking id on AWS) through a :class:`~personalize_lab.tracking.Tracker`,
with the shelf's recommendationId and impressions and the variant as attribution source, so a metric
attribution credits each variant; the next request sees the event, so the shelf changes the way
production would. Cards are built by ``_html.card`` (every metadata value escaped;
pictures are generated SVG tiles, or the catalog's own photos when a metadata column holds image URLs).
The persona picker is a type-to-search box over every known user, in numeric order.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd
from ipywidgets.widgets.widget_string import HTMLStyle

from personalize_lab.errors import PersonalizeLabError, ValidationError
from personalize_lab.requests import Promotion
from personalize_lab.tracking import Tracker
from personalize_lab.widgets import _html
from personalize_lab.widgets._request import RequestSpec, Targets, discover
from personalize_lab.widgets._roles import ItemRoles, category_filter, exclude_bought_filter, item_roles
from personalize_lab.widgets._state import pins_of

if TYPE_CHECKING:
    from personalize_lab.client import Lab


def card_roles(lab: Lab) -> ItemRoles:
    """The catalog's title, category and price columns (by name alone where only the schema is known)."""
    items = lab.item_table()
    if items is not None:
        return item_roles(items)
    try:
        return item_roles(None, lab.schema_fields("ITEMS"))
    except PersonalizeLabError:  # a runtime-only role cannot read the schema: cards show ids
        return ItemRoles()


def default_variants(lab: Lab, num_results: int = 12) -> dict[str, RequestSpec]:
    """A: the campaign without already-bought items; B: the same with 25% promoted from one category.

    Pins made in an Explorer (A and B) win. The filters are found by their expressions (``_roles``):
    A uses one that excludes bought items, B promotes the least-stocked category through one that keeps
    a category; each is left out when the dataset group has no such filter.
    """
    pins = pins_of(lab)
    if "A" in pins and "B" in pins:
        return {"A": pins["A"], "B": pins["B"]}
    arn = lab.campaign_arn or lab.recommender_arn or ""
    kind = "campaign" if lab.campaign_arn else "recommender"
    filters = discover(lab)[1]
    items = lab.item_table()
    roles = card_roles(lab)
    columns = roles.columns()
    image = _html.image_column(items)
    if image is not None:
        columns.append(image)
    base: dict[str, Any] = {"num_results": num_results, "metadata": columns or None}
    exclude = exclude_bought_filter(filters)
    if exclude is not None:
        base["filter"] = exclude
    variants = {"A": RequestSpec(arn, kind, "recommend", base, label="A: personalized")}
    keep = category_filter(filters, roles.category)
    if keep is not None and items is not None and roles.category in items.columns:
        name, placeholder = keep
        category = str(items[roles.category].value_counts().index[-1])  # the least-stocked category
        promo = Promotion("featured", 25, filter=name, filter_values={placeholder: [category]})
        variants["B"] = RequestSpec(
            arn, kind, "recommend", {**base, "promotion": promo}, label=f"B: + {category} promoted"
        )
    return variants


class Storefront:
    """Persona picker, their recent history, a grid of recommendation cards, an A/B toggle, live clicks."""

    def __init__(
        self,
        lab: Lab,
        *,
        variants: dict[str, RequestSpec] | None = None,
        personas: list[str] | None = None,
        columns: int = 4,
        num_results: int = 12,
        event_type: str = "Purchase",
        events_client: Any = None,
        tracking_id: str | None = None,
        title: str = "Recommended for you",
    ) -> None:
        self.lab = lab
        self.targets = Targets(lab)
        self.variants = variants or default_variants(lab, num_results)
        self.event_type = event_type
        client, local_tracking = lab.events_client() if events_client is None else (events_client, None)
        self.events_client = client
        self.tracking_id = tracking_id or local_tracking
        self.frame = pd.DataFrame()
        self.error: BaseException | None = None
        self.events: list[dict[str, Any]] = []  # every event sent, as sent (Tracker.track's answer)
        self._tracker: Tracker | None = None
        self.seq = 0
        self.kernel_ms = 0.0
        self.personas = list(personas) if personas else sorted(lab.known_users(), key=natural_key)
        self.labels = persona_labels(self.personas, lab.user_table())
        self._user_of = {label: user for user, label in self.labels.items()}
        self.user = self.personas[0] if self.personas else ""
        self.image = _html.image_column(lab.item_table())
        self.roles = card_roles(lab)
        self.persona = self._picker()
        labels = [(request.label or name, name) for name, request in self.variants.items()]
        self.variant = w.ToggleButtons(options=labels, value=labels[0][1], style={"button_width": "220px"})
        if len(labels) < 2:
            self.variant.layout.display = "none"
        self.history = w.HTML()
        self.status = w.HTML()
        self.heading = w.HTML()
        # one Layout/Style model shared by every slot: the page fetches ~70 widget models, not ~120
        self._shared = {
            "body": w.Layout(flex="1 1 auto"),
            "html": HTMLStyle(),
            "button": w.Layout(width="auto"),
            "buy": w.ButtonStyle(button_color="#1F2933", text_color="white"),
            "slot": w.Layout(padding="0", justify_content="space-between"),
        }
        self.slots = [self._slot(i) for i in range(num_results)]
        self.grid = w.GridBox(
            [s[2] for s in self.slots],
            layout={"grid_template_columns": f"repeat({columns}, minmax(0, 1fr))", "grid_gap": "14px"},
        )
        self.persona.observe(self._picked, names="value")
        self.variant.observe(lambda _c: self._switch(), names="value")
        self.widget = self._layout(title, ab=len(labels) > 1)
        self.refresh()

    def _picker(self) -> w.Combobox:
        """Type-to-search over every shopper (the browser filters the list as one types), numeric order."""
        picker = w.Combobox(
            options=list(self.labels.values()),
            value=self.labels.get(self.user, ""),
            placeholder="type a user id, age, membership…",
            ensure_option=bool(self.personas),  # against AWS no users are known: type any id
            description="Shopper",
            layout={"width": "380px"},
        )
        picker.add_class("pl-persona")
        picker.tooltip = f"{len(self.personas):,} shoppers: type to search"
        return picker

    def _slot(self, index: int) -> tuple[w.HTML, w.Button, w.VBox]:
        """One card box: the card's HTML with its Buy button inside, at the foot, as wide as the text."""
        shared = self._shared
        body = w.HTML(layout=shared["body"], style=shared["html"])
        button = w.Button(
            description="Buy", icon="shopping-cart", layout=shared["button"], style=shared["buy"]
        )
        button.add_class("pl-buy")
        button.on_click(self._clicked_slot(index))
        slot = w.VBox([body, button], layout=shared["slot"])
        slot.add_class("pl-slot")
        return body, button, slot

    def _layout(self, title: str, *, ab: bool) -> w.VBox:
        """Header, picker and A/B toggle, the confirmation (above the fold), history, then the shelf."""
        switch = ", switch between experience A and B," if ab else ""
        header = (
            f"<div class='pl-root'><div class='pl-h'>{_html.esc(title)}</div>"
            f"<div class='pl-sub' style='font-size:13px'>Pick a shopper (type to search){switch} and buy "
            "something: the purchase is sent as a real-time event and the shelf updates.</div></div>"
        )
        controls = w.HBox(
            [self.persona, self.variant], layout={"flex_flow": "row wrap", "align_items": "center"}
        )
        widget = w.VBox(
            [
                w.HTML(_html.STYLE + _html.STOREFRONT_STYLE + header),
                controls,
                self.status,
                w.HTML("<div style='font-weight:600;color:#52606D;margin-top:6px'>Recently</div>"),
                self.history,
                self.heading,
                self.grid,
            ],
            layout={"max_width": "1100px"},
        )
        widget.add_class("pl-storefront")
        return widget

    def _picked(self, change: dict[str, Any]) -> None:
        """A persona chosen in the search box (a label from the list, or any id when none are known)."""
        text = str(change["new"]).strip()
        user = self._user_of.get(text, "" if self.personas else text)
        if user and user != self.user:
            self.show(user)

    def _switch(self) -> None:
        self.status.value = ""
        self.refresh()

    def show(self, user: str) -> pd.DataFrame | None:
        """Switch the shelf to ``user`` (the picker follows) and refresh it."""
        self.user = str(user)
        self.status.value = ""
        if self.user in self.labels:
            self.persona.value = self.labels[self.user]
        return self.refresh()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def _clicked_slot(self, index: int) -> Any:
        def handler(_button: Any) -> None:
            item = self.slots[index][1].tooltip
            if item:
                self.click(item)

        return handler

    @property
    def request(self) -> RequestSpec:
        return self.variants[self.variant.value].for_user(self.user)

    def refresh(self) -> pd.DataFrame | None:
        """Ask for the persona's recommendations in the chosen variant and redraw the cards."""
        started = time.perf_counter()
        self.seq += 1
        user = self.user
        history = self.lab.user_history(user, limit=6)
        self.history.value = _html.history_strip(history, title_column=self.roles.title)
        try:
            frame = self.targets.run(self.request)
        except Exception as e:  # shown in the page, never a traceback
            self.error = e
            self.status.value = _html.STYLE + _html.error_box(e)
            return None
        self.error = None
        self.frame = frame
        for i, (body, button, slot) in enumerate(self.slots):
            if i < len(frame):
                row = frame.iloc[i]
                body.value = _html.card(
                    row,
                    title=self.roles.title,
                    category=self.roles.category,
                    price=self.roles.price,
                    image=self.image,
                )
                button.tooltip = str(row["itemId"])
                slot.remove_class("pl-empty")
            else:
                button.tooltip = ""
                slot.add_class("pl-empty")
        promoted = int(frame["promotionName"].notna().sum()) if "promotionName" in frame.columns else 0
        self.kernel_ms = (time.perf_counter() - started) * 1000
        label = self.variants[self.variant.value].label or self.variant.value
        self.heading.value = (
            f"<div class='pl-root pl-shelf-head' data-seq='{self.seq}' data-kernel-ms='{self.kernel_ms:.1f}'>"
            f"{len(frame)} picks for user {_html.esc(user)}<span class='pl-sub'>{_html.esc(label)}"
            f"{f' · {promoted} promoted' if promoted else ''}</span></div>"
        )
        return frame

    def click(self, item_id: str) -> None:
        """Record ``event_type`` for the persona on ``item_id`` through PutEvents, then refresh.

        The event carries what metric attribution needs: the shelf's recommendationId and its items as
        the impression, the variant as eventAttributionSource (``storefront-A``/``storefront-B``) and the
        card's price as eventValue when the card shows one.
        """
        user = self.user
        title = self._title_of(item_id)
        try:
            if not self.tracking_id:
                raise ValidationError(
                    "tracking_id=None: the Storefront needs an event tracker to record clicks. "
                    "Fix: pass tracking_id='...' (your event tracker's trackingId)",
                    field="tracking_id",
                )
            if self._tracker is None:
                self._tracker = Tracker(self.events_client, self.tracking_id)
            shelf = self.frame if "recommendationId" in self.frame.columns and len(self.frame) else None
            sent = self._tracker.track(
                user,
                item_id,
                self.event_type,
                value=self._price_of(item_id),
                recommendation=shelf,
                session_id=f"storefront-{user}",
                attribution_source=self.attribution_source,
            )
        except Exception as e:  # shown in the page
            self.error = e
            self.status.value = _html.STYLE + _html.error_box(e)
            return
        self.events.append(sent)
        self.status.value = _html.confirmation(self.event_type, title, user)
        self.refresh()

    @property
    def attribution_source(self) -> str:
        """The eventAttributionSource of the shown variant (``storefront-A``), for metric attribution."""
        return f"storefront-{self.variant.value}"

    def _price_of(self, item_id: str) -> float | None:
        """The card's price for ``item_id`` (sent as the purchase's eventValue), None when not shown."""
        price = self.roles.price
        if price is None or price not in self.frame.columns or "itemId" not in self.frame.columns:
            return None
        match = pd.to_numeric(
            self.frame.loc[self.frame["itemId"].astype(str) == item_id, price], errors="coerce"
        )
        return float(match.iloc[0]) if len(match) and pd.notna(match.iloc[0]) else None

    def _title_of(self, item_id: str) -> str:
        """The card's title for ``item_id`` (the shelf shows it, so no catalog look-up is needed)."""
        title = self.roles.title
        if title is not None and title in self.frame.columns and "itemId" in self.frame.columns:
            match = self.frame.loc[self.frame["itemId"].astype(str) == item_id, title]
            if len(match) and not pd.isna(match.iloc[0]):
                return str(match.iloc[0])
        return item_id


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key putting ``user-2`` before ``user-10`` and 1, 2, … 10 before 100 (numbers compare as numbers)."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.findall(r"\d+|\D+", text))


def persona_labels(users: list[str], people: pd.DataFrame | None) -> dict[str, str]:
    """``{user: "User 42 · age 31 · membership plus"}``: the id and two Users columns, built in one pass."""
    labels = {u: f"User {u}" for u in users}
    if people is None or "USER_ID" not in people.columns or not users:
        return labels
    extras = [c for c in people.columns if c != "USER_ID"][:2]
    table = people.assign(USER_ID=people["USER_ID"].astype(str)).drop_duplicates("USER_ID", keep="last")
    table = table.set_index("USER_ID")
    for user, *values in table.reindex(users)[extras].itertuples(name=None):
        shown = [f"{c.lower()} {v}" for c, v in zip(extras, values, strict=True) if not pd.isna(v)]
        labels[user] = " · ".join([f"User {user}", *shown])
    return labels
