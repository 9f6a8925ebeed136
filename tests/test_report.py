"""The standalone HTML report: escaping of everything from data or callers, redaction, plotly.js modes."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from personalize_lab import plots
from personalize_lab.analysis import compare
from personalize_lab.errors import ValidationError
from personalize_lab.report import redact_text, render, to_html
from tests.support.analysis_frames import demo_frame, small_frame

XSS = "<img src=x onerror=alert(1)>"
ARN = "arn:aws:personalize:us-east-1:123456789012:campaign/holiday-promo"


class _Collector(HTMLParser):
    """Collects tag names, the <title> text and script bodies as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.title = ""
        self.scripts: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in = tag

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "script":
            self.scripts.append(data)


def parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


@pytest.fixture(scope="module")
def hostile_comparison():  # type: ignore[no-untyped-def]
    frame = small_frame()
    frame["variant"] = frame["variant"].map({"A": ARN, "B": "B </script><script>alert(2)</script>"})
    frame["genre"] = frame["genre"].astype(str).replace({"x": XSS})
    frame["itemId"] = frame["itemId"].astype("string").replace({"a": "</script><img src=x onerror=alert(3)>"})
    return compare(frame, category_column="genre", n_resamples=50)


def test_title_and_data_render_as_text(tmp_path: Path, hostile_comparison) -> None:  # type: ignore[no-untyped-def]
    path = to_html(hostile_comparison, tmp_path / "r.html", title=XSS, include_plotlyjs="cdn")
    doc = parse(path)
    assert doc.title == XSS  # the parser sees text, not a tag
    assert "img" not in doc.tags
    assert doc.tags.count("script") == 1 + len(
        plots.figures(hostile_comparison)
    )  # cdn script + one per figure
    text = path.read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "<script>alert(2)" not in text
    assert "alert(3)>" not in text


def test_figure_json_keeps_values_but_escapes_markup(tmp_path: Path, hostile_comparison) -> None:  # type: ignore[no-untyped-def]
    path = to_html(hostile_comparison, tmp_path / "r.html", include_plotlyjs="cdn")
    scripts = [s for s in parse(path).scripts if "Plotly.newPlot" in s]
    data = json.loads(re.search(r'newPlot\("figure-\d+",(\[.*?\]),\{', scripts[-1]).group(1))  # category mix
    # the value survives, escaped for plotly.js, which decodes &lt; &gt; &amp; and shows the text as written
    assert "&lt;img src=x onerror=alert(1)&gt;" in {trace["name"] for trace in data}


def test_arns_and_account_ids_are_redacted(tmp_path: Path, hostile_comparison) -> None:  # type: ignore[no-untyped-def]
    path = to_html(
        hostile_comparison, tmp_path / "r.html", title="Account 123456789012", include_plotlyjs="cdn"
    )
    text = path.read_text(encoding="utf-8")
    assert "123456789012" not in text
    assert "[redacted personalize ARN]" in text
    assert "Account [redacted account]" in parse(path).title
    kept = to_html(hostile_comparison, tmp_path / "k.html", include_plotlyjs="cdn", redact=False)
    assert ARN in kept.read_text(encoding="utf-8")


def test_redact_text() -> None:
    assert redact_text(f"campaign {ARN}.") == "campaign [redacted personalize ARN]."
    assert (
        redact_text("account 210987654321 user 1234567890123")
        == "account [redacted account] user 1234567890123"
    )
    assert redact_text("score 0.123456789012") == "score 0.123456789012"


ENCODED = "arn%3Aaws%3Apersonalize%3Aus-east-1%3A123456789012%3Acampaign%2Fholiday-promo"


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("acct_123456789012", "acct_[redacted account]"),
        ("owner=123456789012&x=1", "owner=[redacted account]&x=1"),
        ("account 1234-5678-9012.", "account [redacted account]."),
        ("(1234-5678-9012)", "([redacted account])"),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com", "[redacted account].dkr.ecr.us-east-1.amazonaws.com"),
        (f"https://console.aws.amazon.com/personalize/home#{ENCODED}&tab=1",
         "https://console.aws.amazon.com/personalize/home#[redacted personalize ARN]&tab=1"),
        (ENCODED.replace("%3A", "%3a").replace("%2F", "%2f"), "[redacted personalize ARN]"),
        (ENCODED.replace("%", "%25"), "[redacted personalize ARN]"),  # encoded twice
        ("next=" + ENCODED.replace("%", "%25") + "%2526x=1", "next=[redacted personalize ARN]%2526x=1"),
        (f"{ENCODED}%26x=1", "[redacted personalize ARN]%26x=1"),  # the next parameter stays
        ("arn:aws:iam::123456789012:role/Personalize", "[redacted iam ARN]"),
    ],
)  # fmt: skip
def test_redact_text_catches_every_account_shape(text: str, redacted: str) -> None:
    assert redact_text(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "price 1234.56",
        "sentAt 1700000000",  # epoch seconds: 10 digits
        "sentAt 1700000000123",  # epoch milliseconds: 13 digits
        "sentAt 1700000000123456",  # epoch microseconds
        "score 0.123456789012",  # a decimal's fraction
        "mean 123456789012.5",  # a decimal
        "card 1234-5678-9012-3456",  # 4-4-4-4 is not an account id
        "isbn 978-0-306-40615-7, phone +1-206-555-0100, date 2024-01-15",
        "1,234,567,890,123 events",
        "arn:aws:s3:::bucket/key",  # no account in it: nothing to hide
    ],
)
def test_redact_text_keeps_numbers_that_are_not_account_ids(text: str) -> None:
    assert redact_text(text) == text


def test_report_redacts_accounts_and_encoded_arns_everywhere(tmp_path: Path) -> None:
    frame = small_frame()
    frame["variant"] = frame["variant"].map(
        {"A": "acct_123456789012", "B": f"1234-5678-9012 via {ENCODED.replace('holiday', 'secret')}"}
    )
    twice = ENCODED.replace("%", "%25").replace("campaign%252Fholiday-promo", "filter%252Fsecret-filter")
    frame["genre"] = frame["genre"].astype(str).replace({"x": twice})
    frame["itemId"] = frame["itemId"].astype("string").replace({"a": "item-210987654321"})
    result = compare(frame, category_column="genre", n_resamples=50)
    numbers = "1234.56 · 1700000000 · 1700000000123"
    path = to_html(result, tmp_path / "r.html", title=numbers, include_plotlyjs="cdn")
    text = path.read_text(encoding="utf-8")
    for secret in ("123456789012", "1234-5678-9012", "210987654321", "secret", "%3A", "%253A"):
        assert secret not in text, secret
    assert "acct_[redacted account]" in text
    assert "[redacted account] via [redacted personalize ARN]" in text
    assert parse(path).title == numbers  # ordinary numbers stay


def test_plotlyjs_modes(tmp_path: Path) -> None:
    result = compare(small_frame(), n_resamples=50)
    inline = to_html(result, tmp_path / "inline.html")
    assert inline.stat().st_size > 3_000_000  # plotly.js embedded: opens offline
    assert '<script src="https://cdn.plot.ly' not in inline.read_text(encoding="utf-8")
    directory = to_html(result, tmp_path / "dir" / "report.html", include_plotlyjs="directory")
    assert (directory.parent / "plotly.min.js").exists()
    assert '<script src="plotly.min.js"' in directory.read_text(encoding="utf-8")
    with pytest.raises(ValidationError, match="include_plotlyjs='embed': must be 'inline'"):
        to_html(result, tmp_path / "x.html", include_plotlyjs="embed")
    with pytest.raises(ValidationError, match=r"x\.pdf': must end in \.html"):
        to_html(result, tmp_path / "x.pdf")


def test_render_is_the_page_to_html_writes(tmp_path: Path) -> None:
    result = compare(small_frame(), n_resamples=50)
    written = to_html(result, tmp_path / "r.html", include_plotlyjs="cdn").read_text(encoding="utf-8")
    page = render(result, include_plotlyjs="cdn")
    generated = re.compile(r"generated \d{4}-\d\d-\d\d \d\d:\d\d UTC")
    assert generated.sub("", page) == generated.sub("", written)
    with pytest.raises(ValidationError, match="include_plotlyjs='directory': needs a folder"):
        render(result, include_plotlyjs="directory")
    with pytest.raises(
        ValidationError, match=r"comparison='DataFrame': must be the result of analysis\.compare"
    ):
        render(small_frame())  # type: ignore[arg-type]
    import personalize_lab

    assert personalize_lab.write_report is to_html  # the exported name writes the same report


def test_tables_hold_summary_and_tests(tmp_path: Path) -> None:
    result = compare(small_frame(), n_resamples=50)
    text = to_html(result, tmp_path / "r.html", include_plotlyjs="cdn").read_text(encoding="utf-8")
    assert "<h2>Summary</h2>" in text
    assert "<h2>Paired tests</h2>" in text
    assert "Test: Wilcoxon signed-rank (scipy, zero_method=&#x27;wilcox&#x27;)" in text
    assert '<td data-num="1">0.3333</td>' in text  # B's promoted share


def test_report_reads_for_people_without_python(tmp_path: Path) -> None:
    frame = demo_frame(n_users=120)
    popularity = frame.loc[frame["variant"] == "A", "itemId"].value_counts()
    result = compare(frame, item_popularity=popularity, n_resamples=200)
    text = to_html(result, tmp_path / "r.html", include_plotlyjs="cdn").read_text(encoding="utf-8")
    # one plain-language verdict per metric, in the finding's style
    for verdict in result.tests()["verdict"]:
        assert html.escape(verdict) in text
    assert '<li class="difference">B lists ' in text
    # the rule that ties interval, p-value and verdict together is stated next to them
    assert "Interval: 95% percentile bootstrap CI of the mean paired difference" in text
    assert "A verdict states a difference when the p is below 0.05 <i>and</i> the interval excludes 0" in text
    # human names, not snake_case, in both tables
    for human in ("Popularity (mean interaction count)", "Promoted share", "p (adjusted)", "Finding"):
        assert f">{html.escape(human)}<" in text
    for code_name in ("mean_popularity", "catalog_coverage", "p_adjusted", "mean_list_length"):
        assert f">{code_name}<" not in text
    # a column nobody has a value for is not an empty row: it is named, with the reason
    assert ">Catalog coverage<" not in text
    assert "Catalog coverage is not shown: the catalog size is unknown" in text
    with_catalog = compare(frame, catalog_size=400, n_resamples=50)
    filled = to_html(with_catalog, tmp_path / "c.html", include_plotlyjs="cdn").read_text(encoding="utf-8")
    assert ">Catalog coverage<" in filled
    assert "Catalog coverage is not shown" not in filled
