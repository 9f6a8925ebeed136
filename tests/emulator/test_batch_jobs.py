"""Batch inference jobs through real boto3 clients: JSON Lines in, the service's ``.out`` lines out."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

import personalize_lab as pl
from personalize_lab.batch import read_batch_output, write_batch_input

ROLE = "arn:aws:iam::123456789012:role/personalize"


def wait(client: Any, arn: str) -> dict[str, Any]:
    for _ in range(600):
        job = client.describe_batch_inference_job(batchInferenceJobArn=arn)["batchInferenceJob"]
        if job["status"] in ("ACTIVE", "CREATE FAILED"):
            return dict(job)
        time.sleep(0.05)
    raise AssertionError(f"batch job never settled: {job['status']}")


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> pl.LocalPersonalize:
    root = tmp_path_factory.mktemp("s3")
    (root / "bucket").mkdir()
    engine = pl.LocalPersonalize.demo()
    engine.control.lifecycle.s3_root = root
    return engine


def version_of(local: pl.LocalPersonalize, solution: str) -> str:
    return str(local.control.solution(f"arn:aws:personalize:us-east-1:123456789012:solution/{solution}")["latestSolutionVersion"]["solutionVersionArn"])  # fmt: skip


def run(local: pl.LocalPersonalize, name: str, solution: str, **extra: Any) -> dict[str, Any]:
    client = local.client("personalize")
    arn = client.create_batch_inference_job(
        jobName=name,
        solutionVersionArn=version_of(local, solution),
        jobInput={"s3DataSource": {"path": f"s3://bucket/{name}/input.json"}},
        jobOutput={"s3DataDestination": {"path": f"s3://bucket/{name}-out/"}},
        roleArn=ROLE,
        **extra,
    )["batchInferenceJobArn"]
    return wait(client, arn)


def root_of(local: pl.LocalPersonalize) -> Path:
    assert local.control.lifecycle.s3_root is not None
    return local.control.lifecycle.s3_root


def test_user_personalization_lines_in_the_service_format(local: pl.LocalPersonalize) -> None:
    users = local.users[:5]
    folder = root_of(local) / "bucket" / "up"
    folder.mkdir()
    write_batch_input(folder / "input.json", users=users)
    with open(folder / "input.json", "a") as fh:
        fh.write("not json\n" + json.dumps({"itemId": "x"}) + "\n")
    job = run(local, "up", "user-personalization", numResults=10)
    assert job["status"] == "ACTIVE"
    assert job["numResults"] == 10
    out = root_of(local) / "bucket" / "up-out" / "input.json.out"
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 7
    assert list(lines[0]) == ["input", "output", "error"]
    assert lines[0]["error"] is None
    assert lines[0]["input"] == {"userId": users[0]}
    assert len(lines[0]["output"]["recommendedItems"]) == 10 == len(lines[0]["output"]["scores"])
    assert lines[5]["output"] == {"recommendedItems": []}
    assert lines[5]["error"]
    assert "userId" in lines[6]["error"]
    frame, errors = read_batch_output(out, errors="frame")
    assert frame["userId"].nunique() == 5
    assert len(frame) == 50
    assert list(errors["line"]) == [6, 7]
    listed = local.client("personalize").list_batch_inference_jobs()["batchInferenceJobs"]
    assert [j["jobName"] for j in listed] == ["up"]


def test_related_items_and_ranking_inputs(local: pl.LocalPersonalize) -> None:
    items = list(local.items["ITEM_ID"][:3])
    sims = root_of(local) / "bucket" / "sims"
    sims.mkdir()
    write_batch_input(sims / "input.json", items=items)
    assert run(local, "sims", "sims")["status"] == "ACTIVE"
    line = json.loads((root_of(local) / "bucket" / "sims-out" / "input.json.out").read_text().splitlines()[0])
    assert line["input"] == {"itemId": items[0]}
    assert "scores" not in line["output"]
    assert len(line["output"]["recommendedItems"]) == 25
    ranking = root_of(local) / "bucket" / "rank"
    ranking.mkdir()
    write_batch_input(ranking / "input.json", item_lists={local.users[0]: items})
    assert run(local, "rank", "personalized-ranking")["status"] == "ACTIVE"
    line = json.loads((root_of(local) / "bucket" / "rank-out" / "input.json.out").read_text())
    assert sorted(line["output"]["recommendedItems"]) == sorted(items)
    assert len(line["output"]["scores"]) == 3
    assert line["input"]["itemList"] == items


def test_filter_values_per_line_and_exploration_config(local: pl.LocalPersonalize) -> None:
    category = str(local.items["CATEGORY_L1"].iloc[0])
    folder = root_of(local) / "bucket" / "filtered"
    folder.mkdir()
    write_batch_input(folder / "input.json", users=local.users[:3], filter_values={"CATEGORY": [category]})
    job = run(
        local,
        "filtered",
        "user-personalization",
        filterArn=local.filter_arns["category"],
        batchInferenceJobConfig={"itemExplorationConfig": {"explorationWeight": "0.0"}},
    )
    assert job["status"] == "ACTIVE"
    assert job["filterArn"] == local.filter_arns["category"]
    frame = read_batch_output(root_of(local) / "bucket" / "filtered-out" / "input.json.out")
    in_category = set(local.items.loc[local.items["CATEGORY_L1"] == category, "ITEM_ID"])
    assert len(frame)
    assert set(frame["itemId"]) <= in_category


def test_missing_input_fails_the_job_not_the_server(local: pl.LocalPersonalize) -> None:
    job = run(local, "missing", "user-personalization")
    assert job["status"] == "CREATE FAILED"
    assert "No input file" in job["failureReason"]
    client = local.client("personalize")
    arn = client.create_batch_inference_job(
        jobName="nobucket",
        solutionVersionArn=version_of(local, "user-personalization"),
        jobInput={"s3DataSource": {"path": "s3://absent/in.json"}},
        jobOutput={"s3DataDestination": {"path": "s3://absent/out/"}},
        roleArn=ROLE,
    )["batchInferenceJobArn"]
    assert "bucket 'absent' does not exist" in wait(client, arn)["failureReason"]
    runtime = local.client("personalize-runtime")
    assert runtime.get_recommendations(campaignArn=local.default_campaign_arn, userId=local.users[0])[
        "itemList"
    ]


def test_trending_now_is_refused(local: pl.LocalPersonalize) -> None:
    with pytest.raises(local.client("personalize").exceptions.InvalidInputException):
        run(local, "trend", "trending-now")


def test_statuses_pending_then_active(tmp_path: Path) -> None:
    (tmp_path / "bucket" / "in").mkdir(parents=True)
    engine = pl.LocalPersonalize.demo(size="small")
    engine.control.lifecycle.s3_root = tmp_path
    engine.control.lifecycle.job_wait_seconds = 0
    write_batch_input(tmp_path / "bucket" / "in" / "users.json", users=engine.users[:2])
    client = engine.client("personalize")
    arn = client.create_batch_inference_job(
        jobName="slow",
        solutionVersionArn=version_of(engine, "user-personalization"),
        jobInput={"s3DataSource": {"path": "s3://bucket/in/"}},
        jobOutput={"s3DataDestination": {"path": "s3://bucket/out"}},
        roleArn=ROLE,
    )["batchInferenceJobArn"]
    first = client.describe_batch_inference_job(batchInferenceJobArn=arn)["batchInferenceJob"]["status"]
    assert first in ("CREATE PENDING", "CREATE IN_PROGRESS")
    assert wait(client, arn)["status"] == "ACTIVE"
    assert (tmp_path / "bucket" / "out" / "users.json.out").is_file()


def test_batch_job_reads_and_writes_s3_under_moto() -> None:
    boto3 = pytest.importorskip("boto3")
    from moto import mock_aws

    with mock_aws(config={"core": {"passthrough": {"services": ["personalize"]}}}):
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="data")
        engine = pl.LocalPersonalize.demo()
        write_batch_input("s3://data/in/users.json", users=engine.users[:4], s3_client=s3)
        client = engine.client("personalize")
        arn = client.create_batch_inference_job(
            jobName="moto",
            solutionVersionArn=version_of(engine, "user-personalization"),
            jobInput={"s3DataSource": {"path": "s3://data/in/users.json"}},
            jobOutput={"s3DataDestination": {"path": "s3://data/out/"}},
            roleArn=ROLE,
        )["batchInferenceJobArn"]
        assert wait(client, arn)["status"] == "ACTIVE"
        frame = read_batch_output("s3://data/out/", s3_client=s3)
        assert frame["userId"].nunique() == 4


def test_a_version_trained_through_the_lifecycle_runs_batch_jobs(tmp_path: Path) -> None:
    from personalize_lab.datasets import demo_store
    from tests.emulator.test_lifecycle import INTERACTIONS_SCHEMA
    from tests.emulator.test_lifecycle import wait as settle

    (tmp_path / "bucket").mkdir()
    frame = demo_store(size="small", seed=0).interactions[["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"]]
    frame.to_csv(tmp_path / "bucket" / "interactions.csv", index=False)
    engine = pl.LocalPersonalize(s3_root=tmp_path)
    client = engine.client("personalize")
    dsg = client.create_dataset_group(name="shop")["datasetGroupArn"]
    schema = client.create_schema(name="s", schema=INTERACTIONS_SCHEMA)["schemaArn"]
    dataset = client.create_dataset(
        name="i", schemaArn=schema, datasetGroupArn=dsg, datasetType="Interactions"
    )["datasetArn"]
    job = client.create_dataset_import_job(
        jobName="imp",
        datasetArn=dataset,
        dataSource={"dataLocation": "s3://bucket/interactions.csv"},
        roleArn=ROLE,
    )["datasetImportJobArn"]
    settle(client.describe_dataset_import_job, "datasetImportJob", datasetImportJobArn=job)
    solution = client.create_solution(
        name="up", datasetGroupArn=dsg, recipeArn="arn:aws:personalize:::recipe/aws-user-personalization"
    )["solutionArn"]
    version = client.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    settle(client.describe_solution_version, "solutionVersion", solutionVersionArn=version)
    users = sorted(frame["USER_ID"].astype(str).unique())[:3]
    write_batch_input(tmp_path / "bucket" / "users.json", users=users)
    arn = client.create_batch_inference_job(
        jobName="trained",
        solutionVersionArn=version,
        jobInput={"s3DataSource": {"path": "s3://bucket/users.json"}},
        jobOutput={"s3DataDestination": {"path": "s3://bucket/out/"}},
        roleArn=ROLE,
    )["batchInferenceJobArn"]
    assert wait(client, arn)["status"] == "ACTIVE"
    out = read_batch_output(tmp_path / "bucket" / "out" / "users.json.out")
    assert sorted(out["userId"].unique()) == users
