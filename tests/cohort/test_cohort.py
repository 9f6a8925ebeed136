"""lab.recommend_many and lab.compare end to end on the tiny store, through real boto3 clients.

Failures are injected the way the service sends them: a ``before-send`` handler placed ahead of the
local Personalize's answers chosen requests with ThrottlingException / InternalFailure /
InvalidInputException, and botocore's own retries are off (``total_max_attempts=1``) so every retry
counted here is ours.
"""

from __future__ import annotations

import threading
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

import personalize_lab.errors as err
from personalize_lab.client import Lab
from personalize_lab.cohort import DEFAULT_AWS_RATE, Progress, default_rate_limit, default_workers
from personalize_lab.cohort.pacing import TokenBucket, backoff_delay
from personalize_lab.emulator import EmulatorOptions, LocalPersonalize
from personalize_lab.requests import Promotion, Request
from tests.support.tiny_store import tiny_config, tiny_frames
from tests.support.wire import Wire, wired_lab

USERS = ["u00", "u01", "u02", "u03", "u04", "u05"]
CONTRACT = ["rank", "itemId", "score", "promotionName", "reason", "recommendationId"]
DTYPES = {"rank": "Int64", "itemId": "string", "score": "Float64", "promotionName": "string"}


def _store(**options: Any) -> LocalPersonalize:
    interactions, items, users = tiny_frames()
    return LocalPersonalize.from_frames(
        interactions, items, users, config=tiny_config(), options=EmulatorOptions(seed=7, **options)
    )


@pytest.fixture(scope="module")
def local() -> LocalPersonalize:
    return _store()


def _quiet(**kw: Any) -> dict[str, Any]:
    return {"progress": False, "num_results": 5, **kw}


# --- the long frame ------------------------------------------------------------------------------------


def test_long_frame_matches_single_requests_with_contract_dtypes(local: LocalPersonalize) -> None:
    lab = Lab.local(local, campaign_arn=local.campaign_arns["up"])
    variants: dict[str, dict[str, Any]] = {
        "A": {},
        "B": {"filter": "category", "filter_values": {"CATEGORY": "books"}, "metadata": ["CATEGORY"]},
        "P": {"promotion": Promotion("cheap", 40, filter="cheap", filter_values={"MAX_PRICE": 12})},
    }
    frame, errors = lab.recommend_many(USERS, variants=variants, **_quiet())
    assert list(frame.columns) == ["variant", "userId", *CONTRACT, "CATEGORY"]
    assert {c: str(frame.dtypes[c]) for c in DTYPES} == DTYPES
    assert str(frame.dtypes["variant"]) == str(frame.dtypes["userId"]) == "string"
    assert len(errors) == 0
    assert list(errors.columns) == ["variant", "userId", "code", "message", "attempts"]
    assert frame["variant"].unique().tolist() == ["A", "B", "P"]
    for (name, user), rows in frame.groupby(["variant", "userId"], sort=False):
        spec = variants[str(name)]
        single = lab.recommend(str(user), num_results=5, **spec)
        got = rows.drop(columns=["variant", "userId"]).reset_index(drop=True)[single.columns]
        pd.testing.assert_frame_equal(
            got.drop(columns="recommendationId"), single.drop(columns="recommendationId")
        )
        assert got["recommendationId"].nunique() == 1
    assert set(frame.loc[frame["variant"] == "B", "CATEGORY"]) == {"books"}
    assert frame.loc[frame["variant"] != "B", "CATEGORY"].isna().all()
    assert (frame.loc[frame["variant"] == "P", "promotionName"] == "cheap").sum() == 2 * len(USERS)
    assert frame.attrs["requested_promotion"] == {"P": 40.0}
    assert frame.attrs["requests"]["B"]["filterValues"] == {"CATEGORY": '"books"'}


def test_related_items_and_sibling_campaigns(local: LocalPersonalize) -> None:
    lab = Lab.local(local, campaign_arn=local.campaign_arns["up"])
    sims, popular = local.campaign_arns["sims"], local.campaign_arns["popular"]
    frame, _ = lab.recommend_many(items=["i00", "i01"], variants={"sims": {"campaign_arn": sims}}, **_quiet())
    assert frame.columns[:2].tolist() == ["variant", "seedItemId"]
    assert frame.groupby("seedItemId").size().to_dict() == {"i00": 5, "i01": 5}
    assert frame["score"].isna().all()  # SIMS sends no scores: <NA>, never 0
    both, _ = lab.recommend_many(USERS[:2], variants={"up": {}, "pop": {"campaign_arn": popular}}, **_quiet())
    assert both.attrs["requests"]["pop"]["campaignArn"] == popular
    top = Lab.local(local, campaign_arn=popular).recommend("u00", num_results=5)["itemId"].tolist()
    assert both.loc[(both["variant"] == "pop") & (both["userId"] == "u00"), "itemId"].tolist() == top


# --- validation before anything is sent -----------------------------------------------------------------


def test_a_broken_variant_fails_before_anything_is_sent(local: LocalPersonalize) -> None:
    wire = Wire()
    lab = wired_lab(local, wire)
    with pytest.raises(err.ValidationError) as info:
        lab.recommend_many(USERS, variants={"A": {}, "B": {"filter": "nope"}}, **_quiet())
    assert str(info.value).startswith("variant 'B': filter='nope' is not a filter in this dataset group")
    with pytest.raises(err.ValidationError, match=r"^variant 'B': .*CATEGORY"):  # required value missing
        lab.recommend_many(USERS, variants={"A": {}, "B": {"filter": "category"}}, **_quiet())
    with pytest.raises(err.ValidationError) as info:
        lab.recommend_many(USERS, variants={"A": {"filtre": "books"}}, **_quiet())
    assert str(info.value) == (
        "variant 'A' has unknown argument(s) ['filtre']; a variant takes ['filter', 'filter_values', "
        "'promotion', 'context', 'metadata', 'num_results', 'campaign_arn', 'recommender_arn', 'items']. "
        "Fix: rename or drop them"
    )
    with pytest.raises(err.ValidationError, match=r"^pass exactly one of users= .* or items="):
        lab.recommend_many(USERS, items=["i00"], **_quiet())
    with pytest.raises(err.ValidationError, match=r"^users='u00' must be a list of ids, not one string"):
        lab.recommend_many("u00", **_quiet())
    with pytest.raises(err.ValidationError, match=r"^users\[1\]='' must be an id string of 1-256"):
        lab.recommend_many(["u00", ""], **_quiet())
    with pytest.raises(err.ValidationError, match=r"^workers=0 must be an integer >= 1"):
        lab.recommend_many(USERS, workers=0, **_quiet())
    with pytest.raises(err.ValidationError, match=r"^rate_limit=-1 must be a positive number"):
        lab.recommend_many(USERS, rate_limit=-1, **_quiet())
    assert wire.sent == []


# --- errors: retries, the errors frame, the run goes on ----------------------------------------------


def test_throttling_is_retried_5xx_recorded_and_the_run_continues(local: LocalPersonalize) -> None:
    throttled: dict[str, int] = {}

    def fail(body: dict[str, Any], _: int) -> tuple[int, str] | None:
        user = body["userId"]
        if user == "u01" and throttled.get(user, 0) < 2:  # throttled twice, then answered
            throttled[user] = throttled.get(user, 0) + 1
            return 400, "ThrottlingException"
        if user == "u03":  # down for good
            return 500, "InternalFailure"
        return None

    wire = Wire(fail)
    lab = wired_lab(local, wire)
    with pytest.warns(err.PersonalizeLabWarning, match=r"1 request\(s\) failed \(InternalFailure ×1\)"):
        result = lab.recommend_many(USERS, workers=3, retries=2, backoff=0.001, **_quiet())
    frame, errors = result
    assert sorted(frame["userId"].unique()) == ["u00", "u01", "u02", "u04", "u05"]
    assert errors.to_dict("records") == [
        {
            "variant": "default",
            "userId": "u03",
            "code": "InternalFailure",
            "message": "injected InternalFailure",
            "attempts": 3,
        }
    ]
    assert wire.users().count("u01") == 3
    assert wire.users().count("u03") == 3
    assert result.stats["retries"] == 4
    assert result.stats["calls"] == len(wire.sent) == 10
    assert result.stats["failed"] == 1
    assert not result.interrupted


def test_a_variant_that_fails_for_everyone_is_sent_twice_then_ended(local: LocalPersonalize) -> None:
    def fail(body: dict[str, Any], _: int) -> tuple[int, str] | None:
        return (400, "InvalidInputException") if "filterArn" in body else None

    wire = Wire(fail)
    lab = wired_lab(local, wire)
    with pytest.warns(err.PersonalizeLabWarning, match="InvalidInputException ×1"):
        frame, errors = lab.recommend_many(USERS, variants={"A": {}, "B": {"filter": "books"}}, **_quiet())
    assert frame["variant"].unique().tolist() == ["A"]
    assert len(errors) == 1
    row = errors.iloc[0]
    assert (row["variant"], row["code"], row["attempts"]) == ("B", "InvalidInputException", 1)
    assert row["userId"] is pd.NA
    assert row["message"] == (
        "injected InvalidInputException (the variant fails the same way for every id: the same answer "
        "for 'u00' and 'u01', 4 other request(s) skipped)"
    )
    assert sum("filterArn" in b for b in wire.sent) == 2


# --- cache ----------------------------------------------------------------------------------------------


def test_cache_pins_exploration_and_can_be_bypassed() -> None:
    store = _store(random_mode="sequence")  # like the service: the same request twice may differ
    wire = Wire()
    lab = wired_lab(store, wire, campaign="up-explore")
    first, _ = lab.recommend_many(USERS, **_quiet(num_results=10))
    assert len(wire.sent) == len(USERS)
    again = lab.recommend_many(USERS, **_quiet(num_results=10))
    assert len(wire.sent) == len(USERS)
    assert again.stats["from_cache"] == len(USERS)
    pd.testing.assert_frame_equal(again.frame, first)  # same lists, same recommendationIds
    fresh = lab.recommend_many(USERS, cache=False, **_quiet(num_results=10))
    assert len(wire.sent) == 2 * len(USERS)
    assert not fresh.frame["itemId"].equals(first["itemId"])  # exploration drew again
    lab.clear_cache()
    lab.recommend_many(USERS, **_quiet(num_results=10))
    assert len(wire.sent) == 3 * len(USERS)


# --- checkpoint, interrupt, resume ------------------------------------------------------------------------


def test_interrupted_run_resumes_from_its_checkpoint(local: LocalPersonalize, tmp_path: Path) -> None:
    variants = {"A": {}, "B": {"filter": "books"}}
    users = [f"u{k:02d}" for k in range(20)]
    path = tmp_path / "run.parquet"

    def stop_after_7(p: Progress) -> None:
        if p.done == 7:
            raise KeyboardInterrupt

    wire = Wire()
    lab = wired_lab(local, wire)
    with pytest.warns(err.PersonalizeLabWarning, match=r"interrupted: (\d+) of 40 requests finished"):
        partial = lab.recommend_many(
            users, variants=variants, workers=3, checkpoint=path, progress=stop_after_7, num_results=5
        )
    assert partial.interrupted
    finished = {
        (r.variant, r.userId) for r in partial.frame[["variant", "userId"]].drop_duplicates().itertuples()
    }
    # what was in flight is kept too: the pool keeps at most 2 × workers requests submitted at once
    assert 7 <= len(finished) <= 7 + 2 * 3
    saved = pq.read_table(path).to_pandas()
    assert set(zip(saved["variant"], saved["key"], strict=True)) == finished
    assert len(wire.sent) == len(finished)

    # a restarted kernel: new Lab (empty cache), same call, same checkpoint
    wire2 = Wire()
    resumed = wired_lab(local, wire2).recommend_many(
        users, variants=variants, workers=3, checkpoint=path, progress=False, num_results=5
    )
    sent_again = {("B" if "filterArn" in b else "A", b["userId"]) for b in wire2.sent}
    assert len(wire2.sent) == 40 - len(finished)
    assert not sent_again & finished
    assert resumed.stats["from_checkpoint"] == len(finished)
    assert not resumed.interrupted
    assert len(pq.read_table(path)) == 40

    whole, _ = Lab.local(local, campaign_arn=local.campaign_arns["up"]).recommend_many(
        users, variants=variants, cache=False, progress=False, num_results=5
    )
    pd.testing.assert_frame_equal(
        resumed.frame.drop(columns="recommendationId"), whole.drop(columns="recommendationId")
    )
    # the resumed part keeps the recommendationIds that were first sent
    kept = partial.frame.set_index(["variant", "userId", "rank"])["recommendationId"]
    again = resumed.frame.set_index(["variant", "userId", "rank"])["recommendationId"]
    assert again.loc[kept.index].equals(kept)


def test_a_crash_flushes_the_checkpoint(local: LocalPersonalize, tmp_path: Path) -> None:
    path = tmp_path / "crash.parquet"

    def crash(p: Progress) -> None:
        if p.done == 3:
            raise RuntimeError("kernel died")

    lab = Lab.local(local, campaign_arn=local.campaign_arns["up"])
    with pytest.raises(RuntimeError, match="kernel died"):
        lab.recommend_many(USERS, checkpoint=path, progress=crash, cache=False, num_results=5)
    assert pq.read_table(path).column("key").to_pylist() == USERS[:3]
    wire = Wire()
    wired_lab(local, wire).recommend_many(USERS, checkpoint=path, **_quiet())
    assert wire.users() == USERS[3:]


def test_checkpoint_refuses_a_file_that_is_not_one(local: LocalPersonalize, tmp_path: Path) -> None:
    path = tmp_path / "notes.parquet"
    path.write_text("not parquet")
    lab = Lab.local(local, campaign_arn=local.campaign_arns["up"])
    with pytest.raises(err.ValidationError, match=r"exists but is not a readable parquet file"):
        lab.recommend_many(USERS, checkpoint=path, **_quiet())
    assert path.read_text() == "not parquet"


# --- pacing and progress ----------------------------------------------------------------------------------


def test_token_bucket_spaces_requests_at_the_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(10.0, burst=2.0, clock=lambda: now[0])
    assert [bucket.reserve() for _ in range(4)] == pytest.approx([0.0, 0.0, 0.1, 0.2])
    now[0] = 1.0  # a second later the debt (2 tokens) is repaid and the bucket refilled to its burst
    assert [bucket.reserve() for _ in range(3)] == pytest.approx([0.0, 0.0, 0.1])
    assert all(0 <= backoff_delay(n) <= min(20.0, 0.1 * 2**n) for n in range(10) for _ in range(20))


def test_defaults_follow_the_backend(local: LocalPersonalize) -> None:
    lab = Lab.local(local)
    assert default_rate_limit(lab) is None
    assert default_workers(lab) == 1
    slow = _store(latency_ms=1)
    assert default_workers(Lab.local(slow)) == 8
    aws = Lab(local.default_campaign_arn, client=lab.client, control_client=lab.control_client)
    assert default_rate_limit(aws) == DEFAULT_AWS_RATE == 50.0
    assert default_workers(aws) == 8


def test_rate_limit_holds_across_workers(local: LocalPersonalize) -> None:
    lab = Lab.local(local, campaign_arn=local.campaign_arns["up"])
    users = [f"u{k:02d}" for k in range(21)]
    result = lab.recommend_many(users, rate_limit=200, workers=4, cache=False, **_quiet())
    assert result.stats["seconds"] >= 20 / 200 * 0.95  # 21 requests, one free token, then 200 per second


def test_progress_bar_shows_done_total_and_errors(
    local: LocalPersonalize, capsys: pytest.CaptureFixture[str]
) -> None:
    lab = Lab.local(local, campaign_arn=local.campaign_arns["up"])
    lab.recommend_many(USERS, num_results=5, cache=False, progress=True)
    shown = capsys.readouterr().err
    assert "recommend_many: 100%" in shown
    assert "6/6" in shown
    assert "errors=0" in shown


# --- compare ----------------------------------------------------------------------------------------------


def test_compare_takes_catalog_and_popularity_from_the_local_personalize(local: LocalPersonalize) -> None:
    lab = Lab.local(local, campaign_arn=local.campaign_arns["up"])
    interactions, _, _ = tiny_frames()
    truth = interactions.groupby("USER_ID").tail(3)[["USER_ID", "ITEM_ID"]]
    variants = {"A": {}, "B": {"promotion": Promotion("books", 20, filter="books")}}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        comparison = lab.compare(USERS, variants, truth=truth, progress=False, num_results=5)
    assert comparison.settings["catalog_size"] == 45
    summary = comparison.summary().set_index("variant")
    assert lab.last_run is not None
    frame = lab.last_run.frame
    for name in ("A", "B"):
        distinct = frame.loc[frame["variant"] == name, "itemId"].nunique()
        assert summary.loc[name, "catalog_coverage"] == pytest.approx(distinct / 45)
    assert summary.loc["B", "requested_promoted_share"] == pytest.approx(0.2)
    assert summary.loc["B", "promoted_share"] == pytest.approx(0.2)  # 1 of 5 per list
    assert {"precision@5", "ndcg@5"} <= set(comparison.to_frame().columns)
    assert set(comparison.tests()["variant"]) == {"B"}


def test_interrupt_without_checkpoint_keeps_what_finished(local: LocalPersonalize) -> None:
    def stop_after_2(p: Progress) -> None:
        if p.done == 2:
            raise KeyboardInterrupt

    lab = Lab.local(local, campaign_arn=local.campaign_arns["up"])
    with pytest.warns(err.PersonalizeLabWarning, match=r"2 of 6 requests finished .*pass checkpoint="):
        partial = lab.recommend_many(USERS, progress=stop_after_2, cache=False, num_results=5)
    assert partial.interrupted
    assert partial.frame["userId"].unique().tolist() == USERS[:2]
    assert partial.stats["sent"] == 2


def test_request_digests_are_those_existing_checkpoints_hold() -> None:
    # checkpoints written by earlier versions key their rows on these digests: they may never change
    recommend = Request(
        "GetRecommendations",
        {
            "campaignArn": "arn:aws:personalize:us-east-1:1:campaign/c",
            "userId": "u00",
            "numResults": 25,
            "filterValues": {"CATEGORY": '"café"'},
            "context": {"DEVICE": "mobile"},
        },
    )
    ranking = Request(
        "GetPersonalizedRanking",
        {
            "campaignArn": "arn:aws:personalize:us-east-1:1:campaign/r",
            "inputList": ["i1", "i2"],
            "userId": "😀",
        },
    )
    assert recommend.digest() == "e339b70e0b0f53b2d510da20d2db8613"
    assert ranking.digest() == "eed2d276688754d8c656fde3f458034e"
    reordered = Request("GetRecommendations", dict(reversed(list(recommend.kwargs.items()))))
    assert reordered.digest() == recommend.digest()


# --- ranking variants (GetPersonalizedRanking) -------------------------------------------------------------

TO_RANK = ["i03", "i01", "i07", "i02", "i11"]


def test_ranking_variants_match_single_rank_calls_beside_recommendations(local: LocalPersonalize) -> None:
    ranking = local.campaign_arns["ranking"]
    wire = Wire()
    lab = wired_lab(local, wire)
    variants: dict[str, dict[str, Any]] = {
        "up": {},
        "R": {"campaign_arn": ranking, "items": TO_RANK, "metadata": ["CATEGORY"]},
    }
    frame, errors = lab.recommend_many(USERS, variants=variants, **_quiet())
    assert len(errors) == 0
    assert list(frame.columns) == ["variant", "userId", *CONTRACT, "CATEGORY"]
    assert {c: str(frame.dtypes[c]) for c in DTYPES} == DTYPES
    assert frame.attrs["operation"] == "mixed"
    assert frame.attrs["operations"] == {"up": "GetRecommendations", "R": "GetPersonalizedRanking"}
    assert frame.attrs["requests"]["R"]["inputList"] == TO_RANK
    ranked = [b for b in wire.sent if "inputList" in b]
    assert [b["userId"] for b in ranked] == USERS  # one GetPersonalizedRanking per user
    assert all("numResults" not in b for b in ranked)
    single_lab = Lab.local(local, campaign_arn=ranking)
    for user, rows in frame[frame["variant"] == "R"].groupby("userId", sort=False):
        single = single_lab.rank(str(user), items=TO_RANK, metadata=["CATEGORY"])
        got = rows.drop(columns=["variant", "userId"]).reset_index(drop=True)[single.columns]
        pd.testing.assert_frame_equal(
            got.drop(columns="recommendationId"), single.drop(columns="recommendationId")
        )
        assert sorted(got["itemId"]) == sorted(TO_RANK)
        assert got["rank"].tolist() == [1, 2, 3, 4, 5]
    # the cache knows ranking requests by their own operation: asking again sends nothing
    sent = len(wire.sent)
    again = lab.recommend_many(USERS, variants=variants, **_quiet())
    assert len(wire.sent) == sent
    assert again.stats["from_cache"] == 2 * len(USERS)
    pd.testing.assert_frame_equal(again.frame, frame)


def test_ranking_requests_are_retried_recorded_and_checkpointed(
    local: LocalPersonalize, tmp_path: Path
) -> None:
    throttled: list[str] = []

    def fail(body: dict[str, Any], _: int) -> tuple[int, str] | None:
        if body["userId"] == "u01" and not throttled:
            throttled.append("u01")
            return 400, "ThrottlingException"
        return (500, "InternalFailure") if body["userId"] == "u04" else None

    wire = Wire(fail)
    lab = wired_lab(local, wire, "ranking")
    path = tmp_path / "rank.parquet"
    with pytest.warns(err.PersonalizeLabWarning, match=r"1 request\(s\) failed \(InternalFailure ×1\)"):
        result = lab.recommend_many(
            USERS, variants={"R": {"items": TO_RANK}}, retries=1, backoff=0.001, checkpoint=path, **_quiet()
        )
    assert result.errors[["userId", "code", "attempts"]].to_dict("records") == [
        {"userId": "u04", "code": "InternalFailure", "attempts": 2}
    ]
    assert sorted(result.frame["userId"].unique()) == ["u00", "u01", "u02", "u03", "u05"]
    assert result.stats["retries"] == 2  # u01 once, u04 once
    # a new kernel resumes from the checkpoint: only the failed user is asked again
    wire2 = Wire()
    fresh = wired_lab(local, wire2, "ranking")
    resumed = fresh.recommend_many(USERS, variants={"R": {"items": TO_RANK}}, checkpoint=path, **_quiet())
    assert wire2.users() == ["u04"]
    assert resumed.stats["from_checkpoint"] == 5
    assert len(resumed.frame) == len(USERS) * len(TO_RANK)


def test_a_broken_ranking_variant_fails_before_anything_is_sent(local: LocalPersonalize) -> None:
    ranking = local.campaign_arns["ranking"]
    wire = Wire()
    lab = wired_lab(local, wire)
    with pytest.raises(err.ValidationError) as info:
        lab.recommend_many(
            USERS, variants={"R": {"campaign_arn": ranking, "items": TO_RANK, "num_results": 3}}
        )
    assert str(info.value).startswith(
        "variant 'R' ranks items (GetPersonalizedRanking), which takes no ['num_results']"
    )
    assert str(info.value).endswith("Fix: drop ['num_results'] from the variant")
    with pytest.raises(err.ValidationError, match=r"^variant 'R': .*not a PERSONALIZED_RANKING recipe"):
        lab.recommend_many(USERS, variants={"R": {"items": TO_RANK}}, **_quiet())  # the up campaign
    with pytest.raises(err.ValidationError, match=r"^variant 'R': .*inputList.*not one string"):
        lab.recommend_many(USERS, variants={"R": {"campaign_arn": ranking, "items": "i03"}}, **_quiet())
    with pytest.raises(err.ValidationError, match=r"^variant 'R' ranks items .* needs a user per request"):
        lab.recommend_many(items=["i00"], variants={"R": {"campaign_arn": ranking, "items": TO_RANK}})
    assert wire.sent == []


# --- cancel from another thread --------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 3])
def test_a_cancel_event_stops_between_requests_and_keeps_what_finished(
    local: LocalPersonalize, workers: int
) -> None:
    cancel = threading.Event()
    seen: list[int] = []

    def press_cancel_at_4(p: Progress) -> None:
        seen.append(p.done)
        if p.done == 4:
            threading.Thread(target=cancel.set).start()  # a Cancel button, pressed in another thread
            assert cancel.wait(5)

    wire = Wire()
    lab = wired_lab(local, wire)
    users = [f"u{k:02d}" for k in range(20)]
    with pytest.warns(err.PersonalizeLabWarning, match=r"was cancelled: (\d+) of 20 requests finished"):
        result = lab.recommend_many(
            users, workers=workers, cancel=cancel, progress=press_cancel_at_4, cache=False, num_results=5
        )
    assert result.interrupted
    finished = result.frame["userId"].nunique()
    # sequential: exactly the four; a pool keeps what its workers were already sending (2 × workers)
    assert finished == 4 if workers == 1 else 4 <= finished <= 4 + 2 * workers
    assert len(wire.sent) == finished
    assert seen[-1] == finished


def test_warn_false_leaves_failures_to_the_errors_frame(local: LocalPersonalize) -> None:
    wire = Wire(lambda body, _: (500, "InternalFailure") if body["userId"] == "u02" else None)
    lab = wired_lab(local, wire)
    cancel = threading.Event()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = lab.recommend_many(USERS, retries=0, warn=False, **_quiet())
        cancel.set()
        stopped = lab.recommend_many(USERS, cancel=cancel, warn=False, cache=False, **_quiet())
    assert result.errors["userId"].tolist() == ["u02"]
    assert stopped.interrupted
    assert len(stopped.frame) == 0
    assert stopped.stats["sent"] == 0
