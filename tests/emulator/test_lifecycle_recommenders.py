"""CreateRecommender on a domain dataset group made through the lifecycle (real boto3 clients)."""

from __future__ import annotations

from pathlib import Path

import pytest

import personalize_lab as pl
from personalize_lab.datasets import demo_store
from tests.support.lifecycle import INTERACTIONS_SCHEMA

USE_CASE = "arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you"


def domain_group(root: Path) -> tuple[pl.LocalPersonalize, str]:
    frame = demo_store(size="small", seed=0).interactions[["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"]]
    (root / "bucket").mkdir(parents=True)
    frame.to_csv(root / "bucket" / "interactions.csv", index=False)
    local = pl.LocalPersonalize(s3_root=root)
    personalize = local.client("personalize")
    dsg = personalize.create_dataset_group(name="shop", domain="ECOMMERCE")["datasetGroupArn"]
    schema = personalize.create_schema(name="shop-i", schema=INTERACTIONS_SCHEMA, domain="ECOMMERCE")[
        "schemaArn"
    ]
    dataset = personalize.create_dataset(
        name="shop-i", schemaArn=schema, datasetGroupArn=dsg, datasetType="Interactions"
    )["datasetArn"]
    personalize.create_dataset_import_job(
        jobName="shop-import", datasetArn=dataset, dataSource={"dataLocation": "s3://bucket/interactions.csv"}
    )
    return local, dsg


def test_a_recommender_of_a_created_domain_group_serves_its_data(tmp_path: Path) -> None:
    local, dsg = domain_group(tmp_path)
    personalize, runtime = local.client("personalize"), local.client("personalize-runtime")
    arn = personalize.create_recommender(name="for-you", datasetGroupArn=dsg, recipeArn=USE_CASE)[
        "recommenderArn"
    ]
    record = personalize.describe_recommender(recommenderArn=arn)["recommender"]
    assert record["status"] == "ACTIVE"
    assert record["datasetGroupArn"] == dsg
    catalog = set(demo_store(size="small", seed=0).interactions["ITEM_ID"])
    answer = runtime.get_recommendations(recommenderArn=arn, userId="U0001", numResults=10)["itemList"]
    assert len(answer) == 10
    assert {i["itemId"] for i in answer} <= catalog
    personalize.stop_recommender(recommenderArn=arn)
    with pytest.raises(runtime.exceptions.InvalidInputException):
        runtime.get_recommendations(recommenderArn=arn, userId="U0001")
    personalize.start_recommender(recommenderArn=arn)
    assert runtime.get_recommendations(recommenderArn=arn, userId="U0001", numResults=3)["itemList"]
    personalize.delete_recommender(recommenderArn=arn)
    with pytest.raises(runtime.exceptions.ResourceNotFoundException):
        runtime.get_recommendations(recommenderArn=arn, userId="U0001")


def test_a_use_case_of_another_domain_or_a_custom_group_is_refused(tmp_path: Path) -> None:
    local, dsg = domain_group(tmp_path)
    personalize = local.client("personalize")
    custom = personalize.create_dataset_group(name="custom")["datasetGroupArn"]
    with pytest.raises(personalize.exceptions.InvalidInputException, match="domain"):
        personalize.create_recommender(name="x", datasetGroupArn=custom, recipeArn=USE_CASE)
    with pytest.raises(personalize.exceptions.InvalidInputException, match="domain"):
        personalize.create_recommender(
            name="y", datasetGroupArn=dsg, recipeArn="arn:aws:personalize:::recipe/aws-vod-top-picks"
        )
    assert personalize.list_recommenders()["recommenders"] == []


def test_a_group_without_interactions_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    local = pl.LocalPersonalize(s3_root=tmp_path)
    personalize = local.client("personalize")
    dsg = personalize.create_dataset_group(name="empty", domain="ECOMMERCE")["datasetGroupArn"]
    with pytest.raises(personalize.exceptions.InvalidInputException, match="no interactions"):
        personalize.create_recommender(name="z", datasetGroupArn=dsg, recipeArn=USE_CASE)
    assert personalize.list_recommenders()["recommenders"] == []
