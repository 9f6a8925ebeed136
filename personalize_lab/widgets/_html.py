"""HTML fragments the panels show: result tables, cards, errors, histories — every value escaped here.

Item metadata comes from the customer's catalog and may hold anything (a TITLE of
``<img src=x onerror=alert(1)>`` must render as text), so every value that reaches HTML passes through
:func:`esc`. Nothing here knows about widgets: functions take frames and return strings, which keeps them
testable and shared by the Explorer, the ComparePanel and the Storefront.
"""

from __future__ import annotations

import html
import re
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from personalize_lab.errors import PersonalizeLabError
from personalize_lab.plots.theme import MUTED, REASON_COLORS

STYLE = """
<style>
.pl-root{font-family:Inter,'Segoe UI',Helvetica,Arial,sans-serif;color:#1F2933;font-size:13px}
.pl-table{border-collapse:collapse;width:100%;font-size:13px}
.pl-table th{background:#F5F7FA;color:#52606D;text-align:left;font-weight:600;padding:6px 8px;
  border-bottom:2px solid #E4E7EB;position:sticky;top:0}
.pl-table td{padding:5px 8px;border-bottom:1px solid #EEF1F4;vertical-align:middle}
.pl-table tr.pl-promoted td{background:#FFF8EB}
.pl-table tr.pl-gained td{background:#E9F7F1}
.pl-table tr.pl-lost td{background:#FDEEE8;color:#7B8794;text-decoration:line-through}
.pl-rank{color:#7B8794;width:2.5em;text-align:right}
.pl-item{font-weight:600}
.pl-sub{color:#7B8794;font-size:11px}
.pl-bar{display:block;height:8px;border-radius:4px;background:#0072B2;vertical-align:middle}
.pl-bar-bg{display:inline-block;width:90px;height:8px;border-radius:4px;background:#E4E7EB;margin-right:6px;
  vertical-align:middle;overflow:hidden}
.pl-score{font-variant-numeric:tabular-nums;color:#52606D;font-size:12px}
.pl-chip{display:inline-block;padding:1px 8px;border-radius:10px;font-size:11px;line-height:1.6;color:white;
  margin:1px 2px;white-space:nowrap}
.pl-table td.pl-scorecell{white-space:nowrap;min-width:150px}
.pl-badge{display:inline-block;padding:0 6px;border-radius:4px;font-size:11px;font-weight:600;line-height:1.6;
  background:#E69F00;color:white;margin-left:6px}
.pl-error{border-left:4px solid #D55E00;background:#FDEEE8;padding:10px 14px;border-radius:4px;
  white-space:pre-wrap;font-size:13px}
.pl-error b{color:#B44A00}
.pl-warning{border-left:4px solid #E69F00;background:#FFF8EB;padding:8px 14px;border-radius:4px;margin:4px 0}
.pl-note{color:#52606D;font-size:12px;padding:4px 0}
.pl-code{background:#1F2933;color:#E4E7EB;padding:10px 12px;border-radius:6px;font-size:12px;
  white-space:pre;overflow-x:auto;user-select:all;line-height:1.45;margin:0;
  font-family:'JetBrains Mono',Menlo,Consolas,'DejaVu Sans Mono',monospace !important}
.pl-code *{font-family:inherit !important}
.pl-history{display:flex;gap:6px;flex-wrap:wrap}
.pl-hist-item{border:1px solid #E4E7EB;border-radius:6px;padding:2px 8px;font-size:11px;line-height:1.5;background:#FAFBFC}
.pl-card{border:1px solid #E4E7EB;border-radius:10px;overflow:hidden;background:white;
  box-shadow:0 1px 3px rgba(31,41,51,.08);height:100%}
.pl-card svg{display:block;width:100%;height:auto}
.pl-card-body{padding:8px 10px}
.pl-card-title{font-weight:600;font-size:13px;line-height:1.25;height:2.5em;overflow:hidden}
.pl-card-meta{color:#7B8794;font-size:11px;margin-top:2px}
.pl-price{font-weight:700;font-size:14px;margin-top:4px}
.pl-h{font-size:20px;font-weight:700;margin:4px 0}
.pl-kpi{display:inline-block;border:1px solid #E4E7EB;border-radius:8px;padding:6px 12px;margin:0 8px 8px 0}
.pl-kpi b{display:block;font-size:18px}
.pl-stale{opacity:.3;filter:grayscale(1)}
.pl-sig{color:#009E73;font-weight:600}.pl-nosig{color:#7B8794}
</style>
"""


def esc(value: Any) -> str:
    """Text safe inside HTML elements and attributes; missing values become the empty string."""
    if value is None or (not isinstance(value, (tuple, list)) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def error_box(error: BaseException, text: str | None = None) -> str:
    """A readable message for the panel: the error's class and its message (or ``text``, the panel's own
    wording of it), never a traceback."""
    kind = type(error).__name__
    text = text or str(error) or kind
    hint = "" if isinstance(error, PersonalizeLabError) else "\n(unexpected error: please report it)"
    return f'<div class="pl-error" role="alert"><b>{esc(kind)}</b>: {esc(text)}{esc(hint)}</div>'


def note(text: str) -> str:
    return f'<div class="pl-note">{esc(text)}</div>'


def chips(reasons: Iterable[str]) -> str:
    return "".join(
        f'<span class="pl-chip" style="background:{REASON_COLORS.get(r, MUTED)}">{esc(r)}</span>'
        for r in reasons
    )


def _score_cell(score: Any, top: float) -> str:
    if score is None or pd.isna(score):
        return '<span class="pl-score">no score</span>'
    width = 0 if top <= 0 else max(2, round(90 * float(score) / top))
    return (
        f'<span class="pl-bar-bg"><span class="pl-bar" style="width:{width}px"></span></span>'
        f'<span class="pl-score">{float(score):.4g}</span>'
    )


def _sort_key(score: Any) -> str:
    """The score as the table sorts it (a missing score sorts last, never as 0)."""
    return "" if score is None or pd.isna(score) else repr(float(score))


IMAGE_URL = re.compile(r"^https?://[^\s\"'<>]+\.(?:png|jpe?g|gif|webp|avif|svg)(?:\?[^\s\"'<>]*)?$", re.I)


def metadata_cell(value: Any) -> str:
    """A metadata value as a cell: an image when it is an image URL (the browser loads it from the
    catalog's own host; nothing is fetched by the panel itself), escaped text otherwise."""
    text = esc(value)
    if text and IMAGE_URL.match(str(value)):
        return (
            f'<img class="pl-thumb" src="{text}" alt="" loading="lazy" referrerpolicy="no-referrer">'
            f'<span class="pl-sub" hidden>{text}</span>'
        )
    return text


def result_table(
    frame: pd.DataFrame,
    metadata: Sequence[str] = (),
    *,
    title_column: str | None = None,
    row_classes: dict[str, str] | None = None,
    attrs: dict[str, Any] | None = None,
) -> str:
    """Rank, item (title under it), score bar, promoted badge, reason chips and metadata columns."""
    data_attrs = "".join(f' data-{esc(k)}="{esc(v)}"' for k, v in (attrs or {}).items())
    item_key = "itemId" if "itemId" in frame.columns else "actionId"
    if not len(frame) or item_key not in frame.columns:
        return f'<div class="pl-root"{data_attrs}>{note("The service returned no items.")}</div>'
    scores = pd.to_numeric(frame["score"], errors="coerce") if "score" in frame.columns else None
    top = float(scores.max()) if scores is not None and scores.notna().any() else 0.0
    shown = [c for c in metadata if c in frame.columns and c != title_column]
    shown_title = [title_column] if title_column is not None and title_column in frame.columns else []
    head = "".join(f"<th>{esc(c)}</th>" for c in shown)
    rows = []
    for _, row in frame.iterrows():
        item = row[item_key]
        promo = row.get("promotionName")
        promoted = promo is not None and not pd.isna(promo)
        classes = []
        if promoted:
            classes.append("pl-promoted")
        if row_classes and str(item) in row_classes:
            classes.append(row_classes[str(item)])
        badge = f'<span class="pl-badge">{esc(promo)}</span>' if promoted else ""
        title = f'<div class="pl-sub">{esc(row[title_column])}</div>' if title_column in shown_title else ""
        reasons = row.get("reason")
        cells = "".join(f"<td>{metadata_cell(row[c])}</td>" for c in shown)
        rows.append(
            f'<tr class="{" ".join(classes)}" data-item="{esc(item)}">'
            f'<td class="pl-rank">{esc(row.get("rank"))}</td>'
            f'<td><span class="pl-item">{esc(item)}</span>{badge}{title}</td>'
            f"<td class='pl-scorecell' data-sort=\"{_sort_key(row.get('score'))}\">"
            f"{_score_cell(row.get('score'), top)}</td>"
            f"<td>{chips(reasons if isinstance(reasons, (tuple, list)) else ())}</td>{cells}</tr>"
        )
    return (
        f'<div class="pl-root"{data_attrs}><table class="pl-table"><thead><tr><th>#</th><th>Item</th>'
        f"<th>Score</th><th>Reason</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def history_strip(history: pd.DataFrame, *, title_column: str | None = None, limit: int = 8) -> str:
    """The user's latest interactions as small chips (event type and, when ``title_column`` names one of
    the history's columns, the item's title; else its id)."""
    if history is None or not len(history):
        return note("No history for this user in the local backend.")
    items = []
    for _, row in history.head(limit).iterrows():
        label = row.get(title_column) if title_column in history.columns else row.get("ITEM_ID")
        items.append(
            f'<span class="pl-hist-item"><b>{esc(row.get("EVENT_TYPE"))}</b> {esc(label)}'
            f' <span class="pl-sub">{esc(row.get("ITEM_ID"))}</span></span>'
        )
    return f'<div class="pl-root"><div class="pl-history">{"".join(items)}</div></div>'


# muted, distinct tile colours; a category keeps its colour across runs (crc32, not hash()): the demo's
# eight categories land on eight different ones
TILE_COLOURS = ("#2F6690", "#D1495B", "#EDAE49", "#00798C", "#6A4C93", "#3A7D44", "#C8553D", "#4F6D7A",
                "#8E5572", "#588B8B")  # fmt: skip
TILE_MOTIFS = 6  # circle, rings, stripes, dots, peaks, waves: an item's hash picks one

# the Storefront's card slots: the HTML card and its Buy button share one bordered box; the confirmation
# is a banner above the shelf; a photo, when the catalog has one, is a background layer over the tile
STOREFRONT_STYLE = """
<style>
.pl-storefront .pl-slot{border:1px solid #E4E7EB;border-radius:12px;background:white;overflow:hidden;
  box-shadow:0 1px 3px rgba(31,41,51,.08);transition:box-shadow .15s,transform .15s;margin:0}
.pl-storefront .pl-slot.pl-empty{display:none !important}
.pl-storefront .pl-slot:hover{box-shadow:0 6px 16px rgba(31,41,51,.14);transform:translateY(-1px)}
.pl-storefront .pl-slot>.widget-html{margin:0;flex:1 1 auto}
.pl-storefront .pl-slot>.widget-html>.widget-html-content{line-height:normal}
.pl-storefront .pl-slot .pl-card{border:0;border-radius:0;box-shadow:none;height:auto}
.pl-storefront .pl-slot .pl-buy{margin:2px 10px 10px;width:auto;max-width:calc(100% - 20px);height:32px;
  border-radius:8px;font-weight:600;flex:0 0 auto}
.pl-storefront .pl-slot .pl-buy:hover{filter:brightness(1.25)}
.pl-tile{position:relative;aspect-ratio:16/9;overflow:hidden;background:#E4E7EB}
.pl-tile svg{display:block;width:100%;height:100%}
.pl-tile .pl-photo{position:absolute;inset:0;background-position:center;background-size:cover;
  background-repeat:no-repeat}
.pl-card-foot{display:flex;align-items:baseline;justify-content:space-between;gap:6px;margin-top:4px}
.pl-card-foot .pl-price{margin-top:0}
.pl-done{border-left:4px solid #009E73;background:#E9F7F1;padding:8px 12px;border-radius:6px;color:#1F2933;
  font-size:13px;animation:pl-pop .6s ease-out}
@keyframes pl-pop{from{background:#BFE8D6}to{background:#E9F7F1}}
.pl-shelf-head{display:flex;align-items:baseline;gap:10px;margin-top:6px;font-weight:600;font-size:14px}
.pl-shelf-head .pl-sub{font-weight:400}
.pl-storefront .pl-persona input{font-size:13px}
</style>
"""

_URL = re.compile(r"https?://[^\s\"'<>\\]+", re.IGNORECASE)


def image_url(value: Any) -> str | None:
    """``value`` when it is one http(s) URL (a catalog's image column), else None; javascript: never passes."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if _URL.fullmatch(text) else None


def image_column(frame: pd.DataFrame | None, *, sample: int = 20) -> str | None:
    """The first column whose sampled non-empty values are all http(s) URLs (a column of image links).

    Columns named like images (IMAGE, IMG, PHOTO, PICTURE, THUMBNAIL) are preferred over other URL
    columns (a product page link is not a picture).
    """
    if frame is None:
        return None
    found = []
    for column in frame.columns:
        if not pd.api.types.is_string_dtype(frame[column]):
            continue
        values = frame[column].dropna().head(sample)
        if len(values) and all(image_url(v) for v in values):
            found.append(str(column))
    hints = ("IMAGE", "IMG", "PHOTO", "PICTURE", "THUMB")
    named = [c for c in found if any(h in c.upper() for h in hints)]
    choices = named or found
    return choices[0] if choices else None


def _colour(key: str) -> str:
    return TILE_COLOURS[zlib.crc32(key.encode()) % len(TILE_COLOURS)]


def _shade(colour: str, amount: float) -> str:
    """``colour`` mixed towards white (amount > 0) or black (amount < 0) by ``abs(amount)``."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    target = 255 if amount > 0 else 0
    mixed = [round(c + (target - c) * abs(amount)) for c in rgb]
    return "#" + "".join(f"{c:02X}" for c in mixed)


def _initials(title: str) -> str:
    words = [w for w in title.split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def _motif(kind: int, seed: int) -> str:
    """White shapes drawn over the tile's gradient; ``seed`` moves them so equal motifs still differ."""
    x, y = 20 + seed % 120, 10 + (seed >> 8) % 70
    paint = 'fill="white" opacity="0.14"'
    if kind == 0:
        return f'<circle cx="{x}" cy="{y}" r="{34 + seed % 18}" {paint}/>'
    if kind == 1:
        return "".join(
            f'<circle cx="{x}" cy="{y}" r="{r}" fill="none" stroke="white" stroke-width="5" opacity="0.13"/>'
            for r in (14, 30, 46, 62)
        )
    if kind == 2:
        step = 22 + seed % 10
        return "".join(
            f'<polygon points="{s},0 {s + 12},0 {s - 78},90 {s - 90},90" {paint}/>'
            for s in range(0, 260, step)
        )
    if kind == 3:
        return "".join(
            f'<circle cx="{cx}" cy="{cy}" r="3.2" {paint}/>'
            for cx in range(12 + seed % 8, 160, 18)
            for cy in range(10, 90, 18)
        )
    if kind == 4:
        peak = 30 + seed % 100
        return (
            f'<polygon points="0,90 {peak - 40},{38 + seed % 14} {peak + 10},90" {paint}/>'
            f'<polygon points="{peak - 20},90 {peak + 30},{26 + seed % 20} {peak + 90},90" {paint}/>'
        )
    lift = 40 + seed % 25
    return "".join(
        f'<path d="M0 {lift + k} Q40 {lift + k - 22} 80 {lift + k} T160 {lift + k} V90 H0Z" {paint}/>'
        for k in (0, 18)
    )


def placeholder_image(title: Any, category: Any, item: Any = None) -> str:
    """A generated SVG tile: never fetches an image.

    The category picks the hue (one colour per category, as before); a hash of the item id picks the
    shade, the gradient's direction and a motif, so a shelf of one category still reads as different
    products. The title's initials and the category name are drawn on it.
    """
    title_text = "" if title is None or pd.isna(title) else str(title)
    cat = "" if category is None or pd.isna(category) else str(category)
    key = title_text if item is None or pd.isna(item) else str(item)
    seed = zlib.crc32(key.encode())
    base = _shade(_colour(cat), ((seed >> 4) % 9 - 6) * 0.06)  # 9 shades, mostly darker: white text reads
    light = _shade(base, 0.2)
    gradient = f"pl-g{seed:08x}"
    x2, y2 = ("1", "1") if seed % 2 else ("1", "0")
    motif = (seed >> 12) % TILE_MOTIFS
    label = cat.upper() if len(cat) <= 26 else cat[:25].upper() + "…"  # stays inside the tile
    return (
        f'<svg viewBox="0 0 160 90" preserveAspectRatio="xMidYMid slice" xmlns="http://www.w3.org/2000/svg"'
        f' role="img" aria-label="{esc(cat)}"><defs><linearGradient id="{gradient}" x1="0" y1="0" '
        f'x2="{x2}" y2="{y2}"><stop offset="0" stop-color="{base}"/><stop offset="1" stop-color="{light}"/>'
        f'</linearGradient></defs><rect width="160" height="90" fill="url(#{gradient})"/>'
        f'<g class="pl-motif-{motif}">{_motif(motif, seed >> 16)}</g>'
        f'<text x="80" y="55" font-size="30" font-family="Helvetica,Arial,sans-serif" font-weight="700" '
        f'fill="white" text-anchor="middle" letter-spacing="1">{esc(_initials(title_text))}</text>'
        f'<text x="8" y="83" font-size="9" font-family="Helvetica,Arial,sans-serif" fill="white" '
        f'opacity="0.9" letter-spacing="0.6">{esc(label)}</text></svg>'
    )


def tile(row: pd.Series, name: Any, category: Any, image: str | None = None) -> str:
    """The card's picture: the generated tile, with the catalog's photo on top when ``image`` holds a URL.

    No script decides which shows: the photo is a CSS background layer over the tile, and a photo that
    fails to load paints nothing, so the tile shows through (an ``<img>`` would draw a broken-image icon
    there). :func:`image_url` admits no quote, bracket, backslash or space, so the URL cannot leave the
    CSS string it is placed in.
    """
    url = image_url(row.get(image)) if image else None
    photo = (
        f'<div class="pl-photo" role="img" aria-label="{esc(name)}" '
        f"style=\"background-image:url('{esc(url)}')\"></div>"
    )
    return (
        f'<div class="pl-tile">{placeholder_image(name, category, row.get("itemId"))}'
        f"{photo if url else ''}</div>"
    )


def card(
    row: pd.Series,
    *,
    title: str | None = None,
    category: str | None = None,
    price: str | None = None,
    image: str | None = None,
) -> str:
    """One product card: picture (tile or photo), title, category and rank, price, promoted badge, reasons.

    ``title``, ``category``, ``price`` and ``image`` name the row's columns for each (``widgets._roles``
    finds them in the catalog); a card without a title shows the item id, without the others leaves
    them out.
    """
    item = row.get("itemId")
    name = _value(row, title)
    name = item if name is None else name
    promo = row.get("promotionName")
    badge = f'<span class="pl-badge">{esc(promo)}</span>' if promo is not None and not pd.isna(promo) else ""
    kind = _value(row, category)
    amount = _value(row, price)
    price_html = ""
    if amount is not None and not pd.isna(amount):
        try:
            price_html = f'<div class="pl-price">${float(amount):,.2f}</div>'
        except ValueError:
            price_html = f'<div class="pl-price">{esc(amount)}</div>'
    reasons = row.get("reason")
    return (
        f'<div class="pl-root pl-card" data-item="{esc(item)}">{tile(row, name, kind, image)}'
        f'<div class="pl-card-body"><div class="pl-card-title" title="{esc(name)}">{esc(name)}</div>'
        f'<div class="pl-card-meta">{esc(kind) + " · " if kind is not None else ""}'
        f"#{esc(row.get('rank'))}{badge}</div>"
        f'<div class="pl-card-foot">{price_html}'
        f"<div>{chips(reasons if isinstance(reasons, (tuple, list)) else ())}</div></div></div></div>"
    )


def _value(row: pd.Series, column: str | None) -> Any:
    """``row[column]``, or None when there is no such column or the value is missing."""
    if column is None or column not in row.index:
        return None
    value = row[column]
    return None if pd.isna(value) else value


def confirmation(event_type: str, title: str, user: str) -> str:
    """The banner above the shelf after a click: what was recorded, for whom, and that the shelf moved."""
    return (
        f'<div class="pl-root pl-note pl-done" role="status">✓ Recorded {esc(event_type)} of '
        f"<b>{esc(title)}</b> for user {esc(user)}: sent as a real-time event; it now leads "
        "<i>Recently</i> and the shelf below has refreshed.</div>"
    )


def kpis(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f'<span class="pl-kpi">{esc(label)}<b>{esc(value)}</b></span>' for label, value in pairs)


def frame_table(frame: pd.DataFrame, *, digits: int = 3) -> str:
    """A plain escaped table of a small summary frame (numbers rounded)."""
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for v in row:
            if isinstance(v, float) and not pd.isna(v):
                cells.append(f"<td>{v:.{digits}g}</td>")
            else:
                cells.append(f"<td>{esc(v)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="pl-root"><table class="pl-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )
