"""The Storefront: what a shopper would see, for stakeholders — personas, product cards, A/B, live events.

Clicking "Buy" on a card sends a real PutEvents call (``personalize-events``: the local Personalize's
event tracker, or a configured tracking id on AWS); the next request sees the event, so the shelf
changes the way production would. Cards are built by ``_html.card`` (every metadata value escaped;
images are generated SVG placeholders, never fetched).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd

from personalize_lab.errors import ValidationError
from personalize_lab.requests import Promotion
from personalize_lab.widgets import _html
from personalize_lab.widgets._request import RequestSpec, Targets, discover
from personalize_lab.widgets._state import pins_of

if TYPE_CHECKING:
    from personalize_lab.client import Lab

CARD_COLUMNS = ("TITLE", "CATEGORY_L1", "PRICE")


def default_variants(lab: Lab, num_results: int = 12) -> dict[str, RequestSpec]:
    """A: the campaign without already-bought items; B: the same with 25% promoted from one category.

    Pins made in an Explorer (A and B) win. Filters are used only when the dataset group has them.
    """
    pins = pins_of(lab)
    if "A" in pins and "B" in pins:
        return {"A": pins["A"], "B": pins["B"]}
    arn = lab.campaign_arn or lab.recommender_arn or ""
    kind = "campaign" if lab.campaign_arn else "recommender"
    filter_names = set(discover(lab)[1]["name"].astype(str))
    items = lab.item_table()
    columns = [] if items is None else [c for c in CARD_COLUMNS if c in items.columns]
    base: dict[str, Any] = {"num_results": num_results, "metadata": columns or None}
    if "exclude-purchased" in filter_names:
        base["filter"] = "exclude-purchased"
    variants = {"A": RequestSpec(arn, kind, "recommend", base, label="A: personalized")}
    if "category" in filter_names and items is not None and "CATEGORY_L1" in items.columns:
        category = str(items["CATEGORY_L1"].value_counts().index[-1])  # the least-stocked category
        promo = Promotion("featured", 25, filter="category", filter_values={"CATEGORY": [category]})
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
        self.events: list[dict[str, Any]] = []
        self.seq = 0
        self.kernel_ms = 0.0
        users = lab.known_users()
        self.personas = personas or users[:8]
        people = lab.user_table()
        self.persona = w.Dropdown(
            options=[(self._persona_label(u, people), u) for u in self.personas],
            description="Shopper",
            layout={"width": "340px"},
        )
        labels = [(spec.label or name, name) for name, spec in self.variants.items()]
        self.variant = w.ToggleButtons(options=labels, value=labels[0][1], style={"button_width": "220px"})
        if len(labels) < 2:
            self.variant.layout.display = "none"
        self.history = w.HTML()
        self.status = w.HTML()
        self.heading = w.HTML()
        self.slots: list[tuple[w.HTML, w.Button, w.VBox]] = []
        for _ in range(num_results):
            body = w.HTML()
            button = w.Button(description="Buy", icon="shopping-cart", layout={"width": "100%"})
            button.style.button_color, button.style.text_color = "#1F2933", "white"
            button.add_class("pl-buy")
            slot = w.VBox([body, button], layout={"border": "0", "padding": "0"})
            slot.add_class("pl-slot")
            button.on_click(self._clicked_slot(len(self.slots)))
            self.slots.append((body, button, slot))
        self.grid = w.GridBox(
            [s[2] for s in self.slots],
            layout={"grid_template_columns": f"repeat({columns}, minmax(0, 1fr))", "grid_gap": "14px"},
        )
        self.persona.observe(lambda _c: self.refresh(), names="value")
        self.variant.observe(lambda _c: self.refresh(), names="value")
        ab = ", switch between experience A and B," if len(labels) > 1 else ""
        header = (
            f"<div class='pl-root'><div class='pl-h'>{_html.esc(title)}</div>"
            f"<div class='pl-sub' style='font-size:13px'>Pick a shopper{ab} and buy something: the purchase "
            "is sent as a real-time event and the shelf updates.</div></div>"
        )
        self.widget = w.VBox(
            [
                w.HTML(_html.STYLE + header),
                w.HBox([self.persona, self.variant]),
                w.HTML("<div style='font-weight:600;color:#52606D;margin-top:6px'>Recently</div>"),
                self.history,
                self.heading,
                self.grid,
                self.status,
            ],
            layout={"max_width": "1100px"},
        )
        self.widget.add_class("pl-storefront")
        self.refresh()

    @staticmethod
    def _persona_label(user: str, people: pd.DataFrame | None) -> str:
        if people is None or "USER_ID" not in people.columns:
            return f"User {user}"
        row = people[people["USER_ID"].astype(str) == user]
        if not len(row):
            return f"User {user}"
        extras = [f"{c.lower()} {row.iloc[0][c]}" for c in people.columns if c != "USER_ID"][:2]
        return " · ".join([f"User {user}", *extras])

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
    def spec(self) -> RequestSpec:
        return self.variants[self.variant.value].for_user(self.persona.value)

    def refresh(self) -> pd.DataFrame | None:
        """Ask for the persona's recommendations in the chosen variant and redraw the cards."""
        started = time.perf_counter()
        self.seq += 1
        user = self.persona.value
        self.history.value = _html.history_strip(self.lab.user_history(user, limit=6))
        try:
            frame = self.targets.run(self.spec)
        except Exception as e:  # shown in the page, never a traceback
            self.error = e
            self.status.value = _html.STYLE + _html.error_box(e)
            return None
        self.error = None
        self.frame = frame
        for i, (body, button, slot) in enumerate(self.slots):
            if i < len(frame):
                row = frame.iloc[i]
                body.value = _html.card(row)
                button.tooltip = str(row["itemId"])
                slot.layout.display = None
            else:
                button.tooltip = ""
                slot.layout.display = "none"
        promoted = int(frame["promotionName"].notna().sum()) if "promotionName" in frame.columns else 0
        self.kernel_ms = (time.perf_counter() - started) * 1000
        self.heading.value = (
            f"<div class='pl-root' data-seq='{self.seq}' data-kernel-ms='{self.kernel_ms:.1f}' "
            f"style='margin-top:10px;font-weight:600'>{len(frame)} picks for user {_html.esc(user)}"
            f"{f' · {promoted} promoted' if promoted else ''}</div>"
        )
        return frame

    def click(self, item_id: str) -> None:
        """Record ``event_type`` for the persona on ``item_id`` through PutEvents, then refresh."""
        user = self.persona.value
        try:
            if not self.tracking_id:
                raise ValidationError(
                    "tracking_id=None: the Storefront needs an event tracker to record clicks. "
                    "Fix: pass tracking_id='...' (your event tracker's trackingId)",
                    field="tracking_id",
                )
            event = {"eventType": self.event_type, "itemId": item_id, "sentAt": dt.datetime.now(dt.UTC)}
            self.events_client.put_events(
                trackingId=self.tracking_id, userId=user, sessionId=f"storefront-{user}", eventList=[event]
            )
        except Exception as e:  # shown in the page
            self.error = e
            self.status.value = _html.STYLE + _html.error_box(e)
            return
        self.events.append({"userId": user, **event})
        self.refresh()
        title = item_id
        if "TITLE" in self.frame.columns:
            before = self.lab.item_table()
            if before is not None and "TITLE" in before.columns:
                match = before.loc[before["ITEM_ID"].astype(str) == item_id, "TITLE"]
                title = str(match.iloc[0]) if len(match) else item_id
        self.status.value = (
            f"<div class='pl-note pl-root'>Recorded {_html.esc(self.event_type)} of "
            f"<b>{_html.esc(title)}</b> for user {_html.esc(user)}; recommendations refreshed.</div>"
        )
