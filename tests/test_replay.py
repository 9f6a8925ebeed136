"""Record a session through the botocore seam, then replay it offline: same frames, same errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import personalize_lab.errors as err
from personalize_lab.client import Lab
from tests.support.fake_service import CAMPAIGN, FakeService


def test_record_then_replay_identically(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    service = FakeService(
        runtime_answer={
            "itemList": [{"itemId": "i1", "score": 0.5}, {"itemId": "i2"}],
            "recommendationId": "R",
        }
    )
    runtime, control = service.clients()
    live = Lab(CAMPAIGN, client=runtime, control_client=control, record=path)
    recorded = live.recommend("u1", num_results=2)
    service.error = (400, "InvalidInputException", "bad user")
    with pytest.raises(err.InvalidInputError):
        live.recommend("u2", num_results=2)

    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(e["service"], e["operation"]) for e in lines] == [
        ("personalize", "DescribeCampaign"),
        ("personalize", "DescribeSolutionVersion"),
        ("personalize", "DescribeRecipe"),
        ("personalize-runtime", "GetRecommendations"),
        ("personalize-runtime", "GetRecommendations"),
    ]
    assert lines[3]["request"] == {"campaignArn": CAMPAIGN, "userId": "u1", "numResults": 2}
    assert lines[4]["status"] == 400

    offline = Lab.replay(path)
    assert offline.campaign_arn == CAMPAIGN
    again = offline.recommend("u1", num_results=2)
    assert again.attrs["source"] == "replay"
    pd.testing.assert_frame_equal(again, recorded, check_flags=False)
    assert offline.describe()["recipeArn"] == live.describe()["recipeArn"]
    with pytest.raises(err.InvalidInputError) as info:
        offline.recommend("u2", num_results=2)
    assert str(info.value) == "GetRecommendations: InvalidInputException: bad user"


def test_replay_miss_names_the_nearest_requests(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    runtime, control = FakeService().clients()
    live = Lab(CAMPAIGN, client=runtime, control_client=control, record=path)
    live.recommend("u1", num_results=2)
    live.recommend("u1", num_results=3)
    offline = Lab.replay(path)
    with pytest.raises(err.ReplayMissError) as info:
        offline.recommend("u1", num_results=4)
    text = str(info.value)
    first_line = text.splitlines()[0]
    assert first_line == (
        'request ["GetRecommendations",{"campaignArn":"'
        + CAMPAIGN
        + '","numResults":4,"userId":"u1"}] is not in the recording '
        + f"{path} (exact match on the canonical request). Nearest recorded requests:"
    )
    nearest = text.splitlines()[1:4]
    assert all('["GetRecommendations",' in line for line in nearest[:2])
    assert text.endswith("Fix: send exactly a recorded request, or record again with pl.Lab(..., record=...)")
