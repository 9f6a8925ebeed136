"""lab.batch_recommend against the local Personalize: the same code path as on AWS, end to end."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import personalize_lab as pl
from personalize_lab.batch_runs import BatchJob

ROLE = "arn:aws:iam::123456789012:role/personalize"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> pl.Lab:
    root = tmp_path_factory.mktemp("s3")
    (root / "bucket").mkdir()
    local = pl.LocalPersonalize.demo()
    local.control.lifecycle.s3_root = root
    return pl.Lab.local(local)


def variants(lab: pl.Lab) -> dict[str, dict[str, object]]:
    category = str(lab.local_personalize.items["CATEGORY_L1"].iloc[0])
    return {"all": {}, "category": {"filter": "category", "filter_values": {"CATEGORY": [category]}}}


def test_one_job_per_variant_into_the_recommend_many_frame(lab: pl.Lab) -> None:
    users = lab.local_personalize.users[:20]
    seen: list[list[str]] = []

    def progress(jobs: list[BatchJob]) -> None:
        seen.append([j.status for j in jobs])

    frame = lab.batch_recommend(
        users, variants=variants(lab), s3_prefix="s3://bucket/runs/", role_arn=ROLE, num_results=10,
        poll_seconds=0.05, progress=progress,
    )  # fmt: skip
    assert list(frame.columns[:5]) == ["variant", "userId", "rank", "itemId", "score"]
    assert frame.groupby("variant")["userId"].nunique().to_dict() == {"all": 20, "category": 20}
    assert frame.groupby(["variant", "userId"]).size().max() == 10
    assert seen[-1] == ["ACTIVE", "ACTIVE"]
    online, _ = lab.recommend_many(users, variants=variants(lab), num_results=10, progress=False)
    assert set(online.columns[:5]) == set(frame.columns[:5])
    comparison = pl.compare(frame, reference="all")
    assert comparison is not None
    jobs = lab.control_client.list_batch_inference_jobs()["batchInferenceJobs"]
    assert len(jobs) == 2


def test_a_rerun_finds_the_jobs_and_their_outputs(lab: pl.Lab) -> None:
    users = lab.local_personalize.users[:20]
    before = len(lab.control_client.list_batch_inference_jobs()["batchInferenceJobs"])
    frame = lab.batch_recommend(
        users, variants=variants(lab), s3_prefix="s3://bucket/runs", role_arn=ROLE, num_results=10,
        progress=False,
    )  # fmt: skip
    assert len(lab.control_client.list_batch_inference_jobs()["batchInferenceJobs"]) == before
    assert frame.groupby("variant")["userId"].nunique().to_dict() == {"all": 20, "category": 20}


def test_other_variant_settings_are_refused(lab: pl.Lab) -> None:
    with pytest.raises(pl.ValidationError, match="promotion"):
        lab.batch_recommend(
            ["u"], variants={"x": {"promotion": {}}}, s3_prefix="s3://bucket/x", role_arn=ROLE, progress=False
        )


def test_batch_recommend_through_moto_s3() -> None:
    boto3 = pytest.importorskip("boto3")
    from moto import mock_aws

    with mock_aws(config={"core": {"passthrough": {"services": ["personalize"]}}}):
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="runs")
        lab = pl.Lab.demo()
        users = lab.local_personalize.users[:5]
        frame = lab.batch_recommend(
            users, s3_prefix="s3://runs/ab", role_arn=ROLE, poll_seconds=0.05, progress=False
        )
        assert isinstance(frame, pd.DataFrame)
        assert set(frame["userId"]) == set(users)
        assert (frame["variant"] == "default").all()


def test_a_missing_bucket_is_refused_before_any_job_starts(tmp_path: Path) -> None:
    local = pl.LocalPersonalize.demo()
    local.control.lifecycle.s3_root = tmp_path
    lab = pl.Lab.local(local)
    with pytest.raises(FileNotFoundError, match="absent"):
        lab.batch_recommend(["u1"], s3_prefix="s3://absent/x", role_arn=ROLE, progress=False)
    assert lab.control_client.list_batch_inference_jobs()["batchInferenceJobs"] == []
