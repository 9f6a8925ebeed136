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


def error_box(error: BaseException) -> str:
    """A readable message for the panel: the error's class and its message, never a traceback."""
    kind = type(error).__name__
    text = str(error) or kind
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


def history_strip(history: pd.DataFrame, *, title_column: str = "TITLE", limit: int = 8) -> str:
    """The user's latest interactions as small chips (event type and title)."""
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


def code_block(text: str) -> str:
    return f'<div class="pl-root"><pre class="pl-code">{esc(text)}</pre></div>'


# muted, distinct tile colours; a category keeps its colour across runs (crc32, not hash())
TILE_COLOURS = ("#2F6690", "#D1495B", "#EDAE49", "#00798C", "#6A4C93", "#3A7D44", "#C8553D", "#4F6D7A",
                "#8E5572", "#588B8B")  # fmt: skip


def _colour(key: str) -> str:
    return TILE_COLOURS[zlib.crc32(key.encode()) % len(TILE_COLOURS)]


def _initials(title: str) -> str:
    words = [w for w in title.split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def placeholder_image(title: Any, category: Any) -> str:
    """An inline SVG in the category's colour with the title's initials: never fetches an image."""
    title_text = "" if title is None or pd.isna(title) else str(title)
    cat = "" if category is None or pd.isna(category) else str(category)
    colour = _colour(cat)
    return (
        f'<svg viewBox="0 0 160 100" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{esc(cat)}">'
        f'<rect width="160" height="100" fill="{colour}" opacity="0.9"/>'
        f'<circle cx="135" cy="18" r="40" fill="white" opacity="0.12"/>'
        f'<text x="80" y="60" font-size="34" font-family="Helvetica,Arial" font-weight="700" '
        f'fill="white" text-anchor="middle">{esc(_initials(title_text))}</text>'
        f'<text x="8" y="92" font-size="10" font-family="Helvetica,Arial" fill="white">{esc(cat)}</text></svg>'
    )


def card(row: pd.Series, *, title: str = "TITLE", category: str = "CATEGORY_L1", price: str = "PRICE") -> str:
    """One product card: placeholder image, title, category, price, promoted badge, reason chips."""
    item = row.get("itemId")
    name = row.get(title) if title in row.index and not pd.isna(row.get(title)) else item
    promo = row.get("promotionName")
    badge = f'<span class="pl-badge">{esc(promo)}</span>' if promo is not None and not pd.isna(promo) else ""
    amount = row.get(price)
    price_html = ""
    if amount is not None and not pd.isna(amount):
        try:
            price_html = f'<div class="pl-price">${float(amount):,.2f}</div>'
        except ValueError:
            price_html = f'<div class="pl-price">{esc(amount)}</div>'
    reasons = row.get("reason")
    return (
        f'<div class="pl-root pl-card" data-item="{esc(item)}">{placeholder_image(name, row.get(category))}'
        f'<div class="pl-card-body"><div class="pl-card-title">{esc(name)}</div>'
        f'<div class="pl-card-meta">{esc(row.get(category))} · #{esc(row.get("rank"))}{badge}</div>'
        f"{price_html}<div>{chips(reasons if isinstance(reasons, (tuple, list)) else ())}</div></div></div>"
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
