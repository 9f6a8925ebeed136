"""The recommendation frame contract: columns, dtypes, <NA> scores, tuples, attrs, escaped HTML."""

from __future__ import annotations

import pandas as pd
import pytest

from personalize_lab.frames import recommendation_frame, render_html, style

RESPONSE = {
    "itemList": [
        {"itemId": "i1", "score": 0.0, "metadata": {"TITLE": "<b>Bold</b> & co"}},
        {"itemId": "i2", "promotionName": "summer", "reason": ["Promoted item", "Exploration"]},
    ],
    "recommendationId": "RID-1",
}
REQUEST = {"campaignArn": "arn:c", "userId": "u", "metadataColumns": {"ITEMS": ["TITLE", "GENRE"]}}


def test_dtypes_and_values() -> None:
    df = recommendation_frame(RESPONSE, request=REQUEST, source="local")
    assert list(df.columns) == [
        "rank",
        "itemId",
        "score",
        "promotionName",
        "reason",
        "TITLE",
        "GENRE",
        "recommendationId",
    ]
    assert {c: str(t) for c, t in df.dtypes.items()} == {
        "rank": "Int64",
        "itemId": "string",
        "score": "Float64",
        "promotionName": "string",
        "reason": "object",
        "TITLE": "string",
        "GENRE": "string",  # requested but absent everywhere: a column of <NA>, not missing
        "recommendationId": "string",
    }
    assert df["score"].iloc[0] == 0.0
    assert df["score"].iloc[1] is pd.NA
    assert df["reason"].tolist() == [(), ("Promoted item", "Exploration")]
    assert df["GENRE"].isna().all()
    assert df.attrs == {"request": REQUEST, "source": "local", "operation": "GetRecommendations"}


def test_empty_and_ranking_responses() -> None:
    empty = recommendation_frame({"itemList": [], "recommendationId": "R"})
    assert len(empty) == 0
    assert str(empty.dtypes["score"]) == "Float64"
    ranked = recommendation_frame(
        {"personalizedRanking": [{"itemId": "b", "score": 0.6}], "recommendationId": "R"}
    )
    assert ranked.attrs["operation"] == "GetPersonalizedRanking"
    with pytest.raises(ValueError, match="source='s3' is not one of"):
        recommendation_frame(RESPONSE, source="s3")


def test_html_escapes_and_highlights_promotions() -> None:
    df = recommendation_frame(RESPONSE, request=REQUEST)
    text = render_html(df)
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in text
    assert "<b>Bold" not in text
    assert text.count('<tr style="background-color:#fff4d6">') == 1  # the one promoted row
    assert "<td>Promoted item, Exploration</td>" in text
    assert "1 promoted (highlighted)" in text
    assert style(df)._repr_html_() == text
