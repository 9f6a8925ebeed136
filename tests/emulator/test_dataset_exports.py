"""Dataset export jobs through boto3: BULK / PUT / ALL rows written as CSV under s3:// (folder or moto)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import boto3
import pandas as pd
import pytest

from tests.support.lifecycle import RECIPE, Account, account

ROLE = "arn:aws:iam::123456789012:role/personalize"


@pytest.fixture
def shop(tmp_path: Path) -> Account:
    return account(tmp_path)


def export(shop: Account, name: str, mode: str, path: str = "s3://bucket/exports/") -> dict[str, object]:
    arn = shop.personalize.create_dataset_export_job(
        jobName=name,
        datasetArn=shop.dataset,
        roleArn=ROLE,
        ingestionMode=mode,
        jobOutput={"s3DataDestination": {"path": path}},
    )["datasetExportJobArn"]
    return dict(shop.personalize.describe_dataset_export_job(datasetExportJobArn=arn)["datasetExportJob"])


def written(root: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(root / "bucket" / "exports" / name / f"{name}_part_00000.csv")


def stream(shop: Account, items: list[str], event_type: str = "click") -> None:
    tracker = shop.personalize.create_event_tracker(name="t", datasetGroupArn=shop.dataset_group)
    shop.local.client("personalize-events").put_events(
        trackingId=tracker["trackingId"],
        userId="streamed-user",
        sessionId="s1",
        eventList=[{"eventType": event_type, "itemId": i, "sentAt": time.time()} for i in items],
    )


def test_bulk_export_writes_the_imported_rows(shop: Account, tmp_path: Path) -> None:
    job = export(shop, "bulk", "BULK")
    assert job["status"] == "ACTIVE", job.get("failureReason")
    assert job["ingestionMode"] == "BULK"
    assert job["jobOutput"] == {"s3DataDestination": {"path": "s3://bucket/exports/"}}
    imported = pd.read_csv(tmp_path / "bucket" / "interactions.csv")
    assert len(written(tmp_path, "bulk")) == len(imported)
    listed = shop.personalize.list_dataset_export_jobs(datasetArn=shop.dataset)["datasetExportJobs"]
    assert [j["jobName"] for j in listed] == ["bulk"]
    assert set(listed[0]) <= {"datasetExportJobArn", "jobName", "status", "creationDateTime",
                              "lastUpdatedDateTime", "failureReason"}  # fmt: skip


def test_put_export_lists_streamed_events_and_all_lists_both(shop: Account, tmp_path: Path) -> None:
    stream(shop, ["i-1", "i-2"])
    assert export(shop, "put", "PUT")["status"] == "ACTIVE"
    put = written(tmp_path, "put")
    assert list(put["ITEM_ID"]) == ["i-1", "i-2"]
    assert set(put["USER_ID"]) == {"streamed-user"}
    assert export(shop, "all", "ALL")["status"] == "ACTIVE"
    imported = pd.read_csv(tmp_path / "bucket" / "interactions.csv")
    assert len(written(tmp_path, "all")) == len(imported) + 2


def test_streamed_events_reach_a_version_trained_later(shop: Account) -> None:
    stream(shop, ["brand-new-item"], event_type="streamed-only")
    solution = shop.personalize.create_solution(  # trains on the streamed event type alone
        name="later", datasetGroupArn=shop.dataset_group, recipeArn=RECIPE.format("popularity-count"),
        eventType="streamed-only",
    )["solutionArn"]  # fmt: skip
    version = shop.personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    status = shop.personalize.describe_solution_version(solutionVersionArn=version)["solutionVersion"]
    assert status["status"] == "ACTIVE", status.get("failureReason")
    campaign = shop.personalize.create_campaign(name="later", solutionVersionArn=version)["campaignArn"]
    answer = shop.runtime.get_recommendations(campaignArn=campaign, userId=shop.user)
    assert [i["itemId"] for i in answer["itemList"]] == ["brand-new-item"]


def test_an_unwritable_destination_fails_the_job(shop: Account) -> None:
    job = export(shop, "nowhere", "BULK", path="s3://no-such-bucket/out/")
    assert job["status"] == "CREATE FAILED"
    assert "no-such-bucket" in str(job["failureReason"])
    assert shop.personalize.list_dataset_groups()["datasetGroups"]  # the server keeps serving


def test_put_export_without_streamed_rows_fails_with_a_reason(shop: Account) -> None:
    job = export(shop, "empty", "PUT")
    assert job["status"] == "CREATE FAILED"
    assert "PUT" in str(job["failureReason"])


def test_bad_ingestion_mode_is_refused(shop: Account) -> None:
    with pytest.raises(shop.personalize.exceptions.InvalidInputException):
        export(shop, "bad", "SOME")


def test_export_writes_through_boto3_under_moto(tmp_path: Path) -> None:
    moto = pytest.importorskip("moto")
    shop = account(tmp_path)
    shop.local.control.lifecycle.s3_root = None  # s3:// now goes through boto3's S3 (moto)
    with moto.mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="exports")
        job = export(shop, "to-moto", "BULK", path="s3://exports/out")
        assert job["status"] == "ACTIVE", job.get("failureReason")
        body = s3.get_object(Bucket="exports", Key="out/to-moto/to-moto_part_00000.csv")["Body"].read()
        assert len(pd.read_csv(io.BytesIO(body))) > 0
        failed = export(shop, "to-nowhere", "BULK", path="s3://missing/out")
        assert failed["status"] == "CREATE FAILED"
        assert "missing" in str(failed["failureReason"])
