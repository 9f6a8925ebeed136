"""A standalone HTML report of a comparison, for people without Python: tables, figures, no kernel.

The report is a function of the comparison — :func:`render` gives the page as text, :func:`to_html`
writes it — as ranx keeps Report apart from the result it reads; ``analysis`` does not know it exists.

One file by default, with plotly.js embedded, so it opens from an e-mail attachment or a file share
without network. Everything that came from data or from the caller (title, variant names, item
metadata, user ids) is escaped with ``html.escape`` in the page, and figure JSON is escaped for the
``<script>`` it sits in; inside the figures, ``plots`` has already escaped data text for plotly.js (which
would draw ``<a href>`` as a link). Amazon resource names (also percent-encoded, as in console URLs) and
account ids (``123456789012``, ``1234-5678-9012``) are replaced unless ``redact=False``, because reports
travel further than notebooks.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import plotly
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from personalize_lab import plots
from personalize_lab.analysis.comparison import Comparison
from personalize_lab.analysis.labels import label as human_name
from personalize_lab.columns import VARIANT
from personalize_lab.errors import ValidationError

IncludePlotlyJS = Literal["inline", "cdn", "directory"]
PLOTLY_JS_FILE = "plotly.min.js"

#: An ARN's ``:`` as written, percent-encoded once (``%3A``, a URL) or twice (``%253A``, a URL in a URL).
_SEP = r"(?::|%(?:25)?3[aA])"
_ARN = re.compile(
    rf"arn{_SEP}aws[\w-]*{_SEP}([\w-]+){_SEP}[\w-]*{_SEP}\d{{12}}{_SEP}"
    r"(?:(?!%(?:25)?26)[^\s\"'<>&,;)\]])*(?!%(?:25)?26)[^\s\"'<>&,;)\].]"  # to a space, quote, & or %26
)
#: An account id: 12 digits, or 4-4-4 with dashes (as the console shows it), not part of a longer number.
#: Not after a digit and a point, nor before a point and a digit: a decimal is not an account.
_ACCOUNT = re.compile(r"(?<!\d)(?<!\d\.)(?:\d{12}(?!\.\d)|(?<!\d-)\d{4}-\d{4}-\d{4}(?!-\d))(?!\d)")
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def redact_text(text: str) -> str:
    """Replace ARNs by ``[redacted <service> ARN]`` and account ids by ``[redacted account]``.

    ARNs are found as written and percent-encoded once or twice (``arn%3Aaws%3Apersonalize%3A…``, as in
    a console URL). Account ids are 12 digits not touching another digit (``acct_123456789012``,
    ``id=123456789012``) or ``1234-5678-9012``; longer digit runs (a 13-digit epoch in milliseconds),
    shorter ones (a 10-digit timestamp) and decimals (``0.123456789012``, ``1234.56``) stay.
    """
    text = _ARN.sub(lambda m: f"[redacted {m.group(1)} ARN]", text)
    return _ACCOUNT.sub("[redacted account]", text)


def _redact_obj(obj: Any) -> Any:
    """Redact every string inside a JSON-like structure (numbers and base64 array payloads untouched)."""
    if isinstance(obj, str):
        return redact_text(obj)
    if isinstance(obj, list):
        return [_redact_obj(x) for x in obj]
    if isinstance(obj, dict):
        return {k: (v if k == "bdata" else _redact_obj(v)) for k, v in obj.items()}
    return obj


def _script_json(obj: Any) -> str:
    """JSON safe to place inside ``<script>``: no ``</script>``, no HTML entities, no line separators."""
    text = json.dumps(obj, separators=(",", ":"), allow_nan=False, default=str)
    for raw, escaped in _SCRIPT_ESCAPES.items():
        text = text.replace(raw, escaped)
    return text


def _format(value: Any) -> str:
    if value is None or value is pd.NA:
        return "–"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e6):
            return f"{value:.3g}"
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _cell(value: Any, redact: bool, tag: str = "td", cls: str = "") -> str:
    text = _format(value.item() if hasattr(value, "item") else value)
    text = redact_text(text) if redact else text
    attr = f' class="{cls}"' if cls else ""
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    attr += ' data-num="1"' if numeric and not cls else ""
    return f"<{tag}{attr}>{html.escape(text)}</{tag}>"


def table_html(
    frame: pd.DataFrame,
    *,
    redact: bool = True,
    index: bool = True,
    highlight: str | None = None,
    css_class: str = "",
    threshold: float = 0.05,
) -> str:
    """An escaped HTML table of ``frame`` (every header and cell through ``html.escape``); cells of the
    ``highlight`` column below ``threshold`` are bold."""
    head = ([frame.index.name or ""] if index else []) + [str(c) for c in frame.columns]
    rows = []
    for label, row in frame.iterrows():
        cells = [_cell(label, redact, "th")] if index else []
        strong = (
            highlight is not None
            and highlight in row
            and isinstance(row[highlight], float)
            and row[highlight] < threshold
        )
        cells += [_cell(v, redact, cls="sig" if strong and c == highlight else "") for c, v in row.items()]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    header = "".join(_cell(h, redact, "th") for h in head)
    cls = f' class="{html.escape(css_class)}"' if css_class else ""
    return f"<table{cls}><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _figure_html(fig: go.Figure, div_id: str, redact: bool) -> str:
    figure = json.loads(pio.to_json(fig, validate=False))
    figure = _redact_obj(figure) if redact else figure
    config = {"responsive": True, "displaylogo": False}
    return (
        f'<div class="figure"><div id="{div_id}" class="plot"></div><script>'
        f'Plotly.newPlot("{div_id}",{_script_json(figure.get("data", []))},'
        f"{_script_json(figure.get('layout', {}))},{_script_json(config)});</script></div>"
    )


def _plotly_script(include_plotlyjs: IncludePlotlyJS, path: Path | None) -> str:
    if include_plotlyjs == "inline":
        return f'<script type="text/javascript">{get_plotlyjs()}</script>'
    if include_plotlyjs == "cdn":
        version = plotly.offline.get_plotlyjs_version()
        return f'<script src="https://cdn.plot.ly/plotly-{version}.min.js" charset="utf-8"></script>'
    if include_plotlyjs == "directory":
        if path is None:
            raise ValidationError(
                field="include_plotlyjs",
                value=include_plotlyjs,
                rule="needs a folder to write plotly.min.js into",
                fix="use report.to_html(comparison, path, include_plotlyjs='directory')",
            )
        (path.parent / PLOTLY_JS_FILE).write_text(get_plotlyjs(), encoding="utf-8")
        return f'<script src="{PLOTLY_JS_FILE}" charset="utf-8"></script>'
    raise ValidationError(
        field="include_plotlyjs",
        value=include_plotlyjs,
        rule="must be 'inline' (one self-contained file), 'cdn' or 'directory' (plotly.min.js beside it)",
    )


#: The detailed tests table (the verdicts are listed above it); headers come from ``analysis.labels``.
_TEST_COLUMNS = (
    "metric", VARIANT, "n_users", "mean_reference", "mean_variant", "mean_diff", "ci_low", "ci_high",
    "effect_size_dz", "p_value", "p_adjusted", "finding",
)  # fmt: skip


def _notes(notes: list[str], clean: Any) -> str:
    return "".join(f'<p class="note">{html.escape(clean(n))}</p>' for n in notes)


def _verdicts(tests: pd.DataFrame, clean: Any) -> str:
    """One line per metric and variant, in the finding's colour (see ``analysis.verdict``)."""
    items = [
        f'<li class="{html.escape(str(f).replace(" ", "-"))}">{html.escape(clean(str(v)))}</li>'
        for f, v in zip(tests["finding"], tests["verdict"], strict=True)
    ]
    return f'<ul class="verdicts">{"".join(items)}</ul>'


def _rule(comparison: Comparison, tests: pd.DataFrame, clean: Any) -> str:
    """The methods and the verdict rule, in the tests' own terms."""
    first = tests.iloc[0]
    level = float(first["ci_level"])
    correction = str(first["correction"])
    adjusted = "" if correction == "none" else f"{correction}-adjusted "
    bold = f"{adjusted}p-values below {1 - level:.2g} are in bold."
    return (
        f"Paired over {comparison.unit} against <b>{html.escape(clean(comparison.reference))}</b>. "
        f"Test: {html.escape(str(first['test']))}; multiple-comparison correction: "
        f"{html.escape(correction)}. Interval: {html.escape(str(first['ci_method']))}. "
        f"A verdict states a difference when the {adjusted}p is below {1 - level:.2g} <i>and</i> the "
        "interval excludes 0; when only one of them does, it says <i>inconclusive</i> and why. "
        f"{bold[0].upper()}{bold[1:]}"
    )


_STYLE = """
:root{--ink:#1F2933;--muted:#616E7C;--line:#E4E7EB;--accent:#0072B2;--bg:#F5F7FA}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 Inter,"Segoe UI",Helvetica,Arial,sans-serif}
header{background:#fff;border-bottom:1px solid var(--line);padding:24px 40px}
header h1{margin:0 0 6px;font-size:24px;font-weight:650}
header p{margin:0;color:var(--muted)}
main{max-width:1180px;margin:0 auto;padding:24px 40px 48px}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:20px 24px;margin:0 0 20px}
h2{font-size:17px;margin:0 0 4px}
.note{color:var(--muted);margin:0 0 12px;font-size:13px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:13px;width:100%}
th,td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
thead th{background:var(--bg);font-weight:600;position:sticky;top:0}
td[data-num]{text-align:right}
table.summary{width:auto;min-width:50%}
table.summary td{min-width:120px}
table.summary tbody th{font-weight:500}
tbody tr:hover{background:#F0F4F8}
td.sig{font-weight:700;color:var(--accent);text-align:right}
ul.verdicts{margin:0 0 14px;padding-left:20px}
ul.verdicts li{margin:3px 0}
ul.verdicts li.difference{font-weight:600}
ul.verdicts li.inconclusive{color:#8D5B00}
ul.verdicts li.no-detectable-difference,ul.verdicts li.not-tested{color:var(--muted)}
.grid{display:grid;grid-template-columns:1fr;gap:20px}
.figure{border:1px solid var(--line);border-radius:8px;padding:6px;background:#fff}
footer{color:var(--muted);font-size:12px;text-align:center;padding:0 0 24px}
"""


def render(
    comparison: Comparison,
    *,
    title: str = "Recommendation comparison",
    include_plotlyjs: IncludePlotlyJS = "inline",
    redact: bool = True,
    figures: Mapping[str, go.Figure] | None = None,
) -> str:
    """``comparison`` as one HTML page (summary, paired tests, figures), as text.

    include_plotlyjs: ``"inline"`` embeds plotly.js (one self-contained page, ~4.5 MB, works offline);
        ``"cdn"`` links cdn.plot.ly (small page, needs network); ``"directory"`` needs a folder, so only
        :func:`to_html` takes it.
    redact: replace ARNs (as written or percent-encoded) and AWS account ids (12 digits, or 4-4-4 with
        dashes) everywhere in the page (title, tables, verdicts, figures); see :func:`redact_text`.
    figures: the figures to show (default: ``plots.figures(comparison)``).
    """
    _check(comparison)
    return _page(
        comparison, None, title=title, include_plotlyjs=include_plotlyjs, redact=redact, figures=figures
    )


def to_html(
    comparison: Comparison,
    path: str | Path,
    *,
    title: str = "Recommendation comparison",
    include_plotlyjs: IncludePlotlyJS = "inline",
    redact: bool = True,
    figures: Mapping[str, go.Figure] | None = None,
) -> Path:
    """Write ``comparison`` as one HTML page (see :func:`render`); return the path written.

    include_plotlyjs: as in :func:`render`, plus ``"directory"``: write plotly.min.js beside the report
        and link it (share the folder).
    """
    _check(comparison)
    out = Path(path)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ValidationError(
            field="path", value=str(path), rule="must end in .html", fix="e.g. 'report.html'"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    page = _page(
        comparison, out, title=title, include_plotlyjs=include_plotlyjs, redact=redact, figures=figures
    )
    out.write_text(page, encoding="utf-8")
    return out


#: The name ``personalize_lab.write_report`` has always had.
write_report = to_html


def _check(comparison: Any) -> None:
    if not isinstance(comparison, Comparison):
        raise ValidationError(
            field="comparison",
            value=type(comparison).__name__,
            rule="must be the result of analysis.compare",
            fix="pass lab.compare(...) or personalize_lab.compare(frame)",
        )


def _page(
    comparison: Comparison,
    out: Path | None,
    *,
    title: str,
    include_plotlyjs: IncludePlotlyJS,
    redact: bool,
    figures: Mapping[str, go.Figure] | None,
) -> str:
    figs = dict(plots.figures(comparison) if figures is None else figures)
    clean = redact_text if redact else (lambda s: s)
    esc_title = html.escape(clean(str(title)))
    readable = comparison.readable_summary()
    summary = readable.set_index(human_name(VARIANT)).T
    summary.index.name = human_name("metric")
    summary_notes = _notes(readable.attrs["notes"], clean)
    tests = comparison.tests()
    test_note, verdicts, tests_table = "", "", ""
    if len(tests):
        test_note = _rule(comparison, tests, clean)
        verdicts = _verdicts(tests, clean)
        detail = comparison.readable_tests(_TEST_COLUMNS).set_index(human_name("metric"))
        alpha = 1 - float(tests["ci_level"].iloc[0])
        tests_table = table_html(detail, redact=redact, highlight=human_name("p_adjusted"), threshold=alpha)
    variants = ", ".join(html.escape(clean(v)) for v in comparison.variants)
    summary_table = table_html(summary, redact=redact, css_class="summary")
    generated = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    figure_html = "".join(_figure_html(fig, f"figure-{i}", redact) for i, fig in enumerate(figs.values()))
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc_title}</title>
<style>{_STYLE}</style>
{_plotly_script(include_plotlyjs, out)}
</head><body>
<header><h1>{esc_title}</h1>
<p>Variants {variants} · reference {html.escape(clean(comparison.reference))} ·
{len(comparison.encoded.users):,} {comparison.unit} · top {comparison.k} ·
generated {generated}</p></header>
<main>
<section><h2>Summary</h2><p class="note">One column per variant; shares are item-weighted, scoreless items are
counted apart from scores.</p><div class="scroll">{summary_table}</div>{summary_notes}</section>
<section><h2>Paired tests</h2><p class="note">{test_note or "Only one variant: nothing to compare."}</p>
{verdicts}<div class="scroll">{tests_table}</div></section>
<section><h2>Figures</h2><div class="grid">{figure_html}</div></section>
</main>
<footer>personalize_lab · {len(figs)} figures · this page needs no Python and no network</footer>
</body></html>
"""
    return page


# --- pages of other results (the simulated online A/B): titled sections of tables, then figures -------


@dataclass(frozen=True)
class Section:
    """One section of :func:`render_page`: a heading, a note under it, and a table. ``verdicts=True``
    lists the table's ``finding``/``verdict`` sentences above it (a tests table) and shows the readable
    columns only."""

    heading: str
    note: str
    table: pd.DataFrame
    verdicts: bool = False
    columns: Sequence[str] | None = None  # which of the table's columns to show, in order


def _section_html(section: Section, redact: bool, clean: Any) -> str:
    table, listed = section.table, ""
    if section.verdicts and len(table):
        listed = _verdicts(table, clean)
        table = table[[c for c in section.columns or _TEST_COLUMNS if c in table.columns]].copy()
        table["metric"] = table["metric"].map(human_name)
        table = table.rename(columns=human_name).set_index(human_name("metric"))
    table = table.rename(columns=human_name) if not section.verdicts else table
    return (
        f"<section><h2>{html.escape(clean(section.heading))}</h2>"
        f'<p class="note">{html.escape(clean(section.note))}</p>{listed}'
        f'<div class="scroll">{table_html(table, redact=redact)}</div></section>'
    )


def render_page(
    title: str,
    subtitle: str,
    sections: Sequence[Section],
    figures: Mapping[str, go.Figure],
    *,
    include_plotlyjs: IncludePlotlyJS = "inline",
    redact: bool = True,
    out: Path | None = None,
) -> str:
    """A page like :func:`render`'s for any result made of tables and figures (escaped and redacted the
    same way); ``SimulationResult.render`` uses it."""
    clean = redact_text if redact else (lambda s: s)
    esc_title = html.escape(clean(str(title)))
    body = "".join(_section_html(s, redact, clean) for s in sections)
    figure_html = "".join(_figure_html(fig, f"figure-{i}", redact) for i, fig in enumerate(figures.values()))
    generated = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc_title}</title>
<style>{_STYLE}</style>
{_plotly_script(include_plotlyjs, out)}
</head><body>
<header><h1>{esc_title}</h1><p>{html.escape(clean(subtitle))} · generated {generated}</p></header>
<main>{body}<section><h2>Figures</h2><div class="grid">{figure_html}</div></section></main>
<footer>personalize_lab · {len(figures)} figures · this page needs no Python and no network</footer>
</body></html>
"""


def write_page(
    path: str | Path,
    title: str,
    subtitle: str,
    sections: Sequence[Section],
    figures: Mapping[str, go.Figure],
    *,
    include_plotlyjs: IncludePlotlyJS = "inline",
    redact: bool = True,
) -> Path:
    """Write :func:`render_page` to ``path`` (``.html``); returns the path."""
    out = Path(path)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ValidationError(
            field="path", value=str(path), rule="must end in .html", fix="e.g. 'report.html'"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    page = render_page(
        title, subtitle, sections, figures, include_plotlyjs=include_plotlyjs, redact=redact, out=out
    )
    out.write_text(page, encoding="utf-8")
    return out


__all__ = [
    "Section",
    "redact_text",
    "render",
    "render_page",
    "table_html",
    "to_html",
    "write_page",
    "write_report",
]
