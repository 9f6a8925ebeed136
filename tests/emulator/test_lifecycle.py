"""The Personalize lifecycle through real boto3 clients: an empty account built up AWS-style, then served."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

import personalize_lab as pl
from personalize_lab.datasets import demo_store
from tests.support.lifecycle import INTERACTIONS_SCHEMA


def wait(describe: Any, key: str, **arn: str) -> dict[str, Any]:
    """The polling loop an AWS notebook writes (with a short sleep instead of 60 s)."""
    for _ in range(600):
        record = describe(**arn)[key]
        if record["status"] in ("ACTIVE", "CREATE FAILED"):
            return dict(record)
        time.sleep(0.05)
    raise AssertionError(f"{key} never settled: {record['status']}")


@pytest.fixture(scope="module")
def s3_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("s3")
    (root / "bucket" / "data").mkdir(parents=True)
    frame = demo_store(size="small", seed=0).interactions[["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"]]
    frame.to_csv(root / "bucket" / "data" / "interactions.csv", index=False)
    (root / "bucket" / "bad.csv").write_text("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu1,i1,notatime,click\n")
    return root


def test_an_empty_account_has_nothing() -> None:
    local = pl.LocalPersonalize()
    client = local.client("personalize")
    assert client.list_dataset_groups()["datasetGroups"] == []
    assert client.list_campaigns()["campaigns"] == []


def test_demo_resources_stay_ordinary() -> None:
    local = pl.LocalPersonalize.demo()
    client = local.client("personalize")
    assert len(client.list_dataset_groups()["datasetGroups"]) == 1
    assert client.list_campaigns()["campaigns"]


def test_aws_style_flow_end_to_end(s3_root: Path) -> None:
    local = pl.LocalPersonalize(s3_root=s3_root)
    personalize = local.client("personalize")
    runtime = local.client("personalize-runtime")
    dsg = personalize.create_dataset_group(name="shop")["datasetGroupArn"]
    assert wait(personalize.describe_dataset_group, "datasetGroup", datasetGroupArn=dsg)["status"] == "ACTIVE"
    schema = personalize.create_schema(name="shop-interactions", schema=INTERACTIONS_SCHEMA)["schemaArn"]
    dataset = personalize.create_dataset(
        name="shop-interactions", schemaArn=schema, datasetGroupArn=dsg, datasetType="Interactions"
    )["datasetArn"]
    job = personalize.create_dataset_import_job(
        jobName="import-1",
        datasetArn=dataset,
        dataSource={"dataLocation": "s3://bucket/data/"},
        roleArn="arn:aws:iam::123456789012:role/personalize",
    )["datasetImportJobArn"]
    imported = wait(personalize.describe_dataset_import_job, "datasetImportJob", datasetImportJobArn=job)
    assert imported["status"] == "ACTIVE", imported.get("failureReason")
    solution = personalize.create_solution(
        name="shop-up", datasetGroupArn=dsg, recipeArn="arn:aws:personalize:::recipe/aws-user-personalization"
    )["solutionArn"]
    started = time.monotonic()
    version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    trained = wait(personalize.describe_solution_version, "solutionVersion", solutionVersionArn=version)
    print(f"train+poll wall time {time.monotonic() - started:.2f}s")
    assert trained["status"] == "ACTIVE", trained.get("failureReason")
    metrics = personalize.get_solution_metrics(solutionVersionArn=version)["metrics"]
    assert set(metrics) == {
        "coverage",
        "mean_reciprocal_rank_at_25",
        "normalized_discounted_cumulative_gain_at_5",
        "normalized_discounted_cumulative_gain_at_10",
        "normalized_discounted_cumulative_gain_at_25",
        "precision_at_5",
        "precision_at_10",
        "precision_at_25",
    }
    assert 0 < metrics["coverage"] <= 1
    campaign = personalize.create_campaign(name="shop-campaign", solutionVersionArn=version)["campaignArn"]
    assert wait(personalize.describe_campaign, "campaign", campaignArn=campaign)["status"] == "ACTIVE"
    answer = runtime.get_recommendations(campaignArn=campaign, userId="u1", numResults=5)
    assert len(answer["itemList"]) == 5
    with pytest.raises(personalize.exceptions.ResourceInUseException):
        personalize.delete_solution(solutionArn=solution)
    with pytest.raises(personalize.exceptions.ResourceInUseException):
        personalize.delete_dataset_group(datasetGroupArn=dsg)


def test_a_malformed_csv_fails_the_job_not_the_server(s3_root: Path) -> None:
    local = pl.LocalPersonalize(s3_root=s3_root)
    personalize = local.client("personalize")
    dsg = personalize.create_dataset_group(name="shop")["datasetGroupArn"]
    schema = personalize.create_schema(name="s", schema=INTERACTIONS_SCHEMA)["schemaArn"]
    dataset = personalize.create_dataset(
        name="d", schemaArn=schema, datasetGroupArn=dsg, datasetType="Interactions"
    )["datasetArn"]
    for name, location, words in (
        ("bad", "s3://bucket/bad.csv", ("bad.csv", "row 1", "TIMESTAMP")),
        ("nobucket", "s3://nobucket/x.csv", ("nobucket",)),
    ):
        job = personalize.create_dataset_import_job(
            jobName=name, datasetArn=dataset, dataSource={"dataLocation": location}, roleArn="r"
        )["datasetImportJobArn"]
        record = wait(personalize.describe_dataset_import_job, "datasetImportJob", datasetImportJobArn=job)
        assert record["status"] == "CREATE FAILED"
        assert all(w in record["failureReason"] for w in words), record["failureReason"]
    solution = personalize.create_solution(
        name="s", datasetGroupArn=dsg, recipeArn="arn:aws:personalize:::recipe/aws-popularity-count"
    )["solutionArn"]
    version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    record = wait(personalize.describe_solution_version, "solutionVersion", solutionVersionArn=version)
    assert record["status"] == "CREATE FAILED"
    assert "no interactions" in record["failureReason"]


def test_schema_and_automl_are_refused_as_the_service_does() -> None:
    personalize = pl.LocalPersonalize().client("personalize")
    with pytest.raises(personalize.exceptions.InvalidInputException):
        personalize.create_schema(name="s", schema='{"type": "record"}')
    dsg = personalize.create_dataset_group(name="g")["datasetGroupArn"]
    with pytest.raises(personalize.exceptions.InvalidInputException):
        personalize.create_solution(name="s", datasetGroupArn=dsg, performAutoML=True)


def test_solution_version_shows_the_service_statuses() -> None:
    local = pl.LocalPersonalize(job_wait_seconds=0)
    personalize = local.client("personalize")
    dsg = personalize.create_dataset_group(name="g")["datasetGroupArn"]
    solution = personalize.create_solution(
        name="s", datasetGroupArn=dsg, recipeArn="arn:aws:personalize:::recipe/aws-popularity-count"
    )["solutionArn"]
    version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    first = personalize.describe_solution_version(solutionVersionArn=version)["solutionVersion"]["status"]
    assert first in ("CREATE PENDING", "CREATE IN_PROGRESS", "CREATE FAILED")


def test_the_flow_over_http(s3_root: Path) -> None:
    import boto3

    from personalize_lab import cli
    from personalize_lab.emulator import server

    local = cli.default_backend_factory(None, False)  # `personalize-lab serve` with neither --data nor --demo
    local.control.lifecycle.s3_root = s3_root  # what `serve --s3-root` sets
    with server.running(local) as live:

        def client(service: str) -> Any:
            return boto3.client(
                service,
                endpoint_url=live.url,
                region_name="us-east-1",
                aws_access_key_id="any",
                aws_secret_access_key="any",
            )

        personalize, runtime = client("personalize"), client("personalize-runtime")
        assert personalize.list_dataset_groups()["datasetGroups"] == []
        dsg = personalize.create_dataset_group(name="web")["datasetGroupArn"]
        schema = personalize.create_schema(name="web", schema=INTERACTIONS_SCHEMA)["schemaArn"]
        dataset = personalize.create_dataset(
            name="web", schemaArn=schema, datasetGroupArn=dsg, datasetType="INTERACTIONS"
        )["datasetArn"]
        job = personalize.create_dataset_import_job(
            jobName="web",
            datasetArn=dataset,
            dataSource={"dataLocation": "s3://bucket/data/interactions.csv"},
        )["datasetImportJobArn"]
        assert (
            wait(personalize.describe_dataset_import_job, "datasetImportJob", datasetImportJobArn=job)[
                "status"
            ]
            == "ACTIVE"
        )
        solution = personalize.create_solution(
            name="web", datasetGroupArn=dsg, recipeArn="arn:aws:personalize:::recipe/aws-sims"
        )["solutionArn"]
        version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
        assert (
            wait(personalize.describe_solution_version, "solutionVersion", solutionVersionArn=version)[
                "status"
            ]
            == "ACTIVE"
        )
        listed = personalize.list_solution_versions(solutionArn=solution)["solutionVersions"]
        assert [v["status"] for v in listed] == ["ACTIVE"]
        campaign = personalize.create_campaign(name="web", solutionVersionArn=version)["campaignArn"]
        item = local.control.lifecycle.frames[dataset]["INTERACTIONS"]["ITEM_ID"].iloc[0]
        answer = runtime.get_recommendations(campaignArn=campaign, itemId=str(item), numResults=3)
        assert len(answer["itemList"]) == 3


def test_import_reads_s3_through_boto3_under_moto(s3_root: Path) -> None:
    """``with mock_aws()``: S3 answered by moto, Personalize by the local Personalize; FULL then INCREMENTAL."""
    import boto3
    from moto import mock_aws

    local = pl.LocalPersonalize()
    personalize = local.client("personalize")
    with mock_aws():  # plain: moto answers S3, the local Personalize answers Personalize
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="shop-data")
        body = (s3_root / "bucket" / "data" / "interactions.csv").read_bytes()
        s3.put_object(Bucket="shop-data", Key="in/part-1.csv", Body=body)
        s3.put_object(
            Bucket="shop-data", Key="more.csv", Body=b"USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nnew,i1,1,x\n"
        )
        dsg = personalize.create_dataset_group(name="g")["datasetGroupArn"]
        schema = personalize.create_schema(name="s", schema=INTERACTIONS_SCHEMA)["schemaArn"]
        dataset = personalize.create_dataset(
            name="d", schemaArn=schema, datasetGroupArn=dsg, datasetType="Interactions"
        )["datasetArn"]
        for name, location, mode in (
            ("full", "s3://shop-data/in/", "FULL"),
            ("more", "s3://shop-data/more.csv", "INCREMENTAL"),
            ("missing", "s3://no-such-bucket/x.csv", "FULL"),
        ):
            job = personalize.create_dataset_import_job(
                jobName=name, datasetArn=dataset, dataSource={"dataLocation": location}, importMode=mode
            )["datasetImportJobArn"]
            record = wait(
                personalize.describe_dataset_import_job, "datasetImportJob", datasetImportJobArn=job
            )
            if name == "missing":
                assert record["status"] == "CREATE FAILED"
                assert "no-such-bucket" in record["failureReason"]
            else:
                assert record["status"] == "ACTIVE", record.get("failureReason")
        frame = local.control.lifecycle.frames[dataset]["INTERACTIONS"]
        assert len(frame) == body.count(b"\n") - 1 + 1
        assert frame["USER_ID"].iloc[-1] == "new"
        jobs = personalize.list_dataset_import_jobs(datasetArn=dataset)["datasetImportJobs"]
        assert [j["status"] for j in jobs] == ["ACTIVE", "ACTIVE", "CREATE FAILED"]
        with local:  # a client made inside both blocks reaches the local Personalize too
            made_inside = boto3.client("personalize", region_name="us-east-1")
            assert [g["name"] for g in made_inside.list_dataset_groups()["datasetGroups"]] == ["g"]
