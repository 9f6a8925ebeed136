# ruff: noqa: N803 -- argument names are boto3's own (camelCase), so **params from the wire fit
"""Batch inference jobs: JSON Lines in from ``s3://``, ``<input name>.out`` out, as the service writes it.

A mixin of :class:`~personalize_lab.emulator.control.ControlPlane` (CreateBatchInferenceJob,
DescribeBatchInferenceJob, ListBatchInferenceJobs). A job runs in a background thread with the service's
statuses (CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE, or CREATE FAILED with a ``failureReason`` for a
missing bucket or object); the create call waits up to the lifecycle's ``job_wait_seconds``, as for
solution versions. Each input line is answered by the runtime path of the solution version's engine (a
private deployment with the job's ``batchInferenceJobConfig``), so filters, ``filterValues``, exploration
and scores follow the real-time rules. Output lines (personalize-semantics.md §9, §15):
``{"input": <the line>, "output": {"recommendedItems": [...], "scores": [...]}, "error": null}`` (no
``scores`` for recipes without them); a bad line gives ``"output": {"recommendedItems": []}`` and the
reason in ``"error"``. See docs/lifecycle.md, "Batch inference".
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from personalize_lab.emulator import arns
from personalize_lab.emulator.batch_io import input_files, write_output
from personalize_lab.emulator.exceptions import InvalidInputException, ServiceException
from personalize_lab.emulator.lifecycle import LifecycleOperations
from personalize_lab.emulator.recipes import get_recipe
from personalize_lab.emulator.resources import Record
from personalize_lab.emulator.s3source import ImportFailure
from personalize_lab.errors import DataError

__all__ = ["BatchInferenceOperations", "BatchState"]

DEFAULT_NUM_RESULTS = 25
#: recipes the service cannot run in batch (batch-inference-job-output-examples.md)
NO_BATCH = ("aws-trending-now", "aws-next-best-action")


@dataclass
class BatchState:
    """What batch jobs need from the engine: the serving engine of a solution version (set by LocalPersonalize)."""

    engine_for: Callable[[Record], Any] | None = None


class BatchInferenceOperations(LifecycleOperations):
    """Create/Describe/List of batch inference jobs (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch = BatchState()

    def create_batch_inference_job(
        self,
        jobName: str,
        solutionVersionArn: str,
        jobInput: dict[str, Any],
        jobOutput: dict[str, Any],
        roleArn: str,
        filterArn: str | None = None,
        numResults: int | None = None,
        batchInferenceJobConfig: dict[str, Any] | None = None,
        tags: list[dict[str, str]] | None = None,
        batchInferenceJobMode: str | None = None,
        themeGenerationConfig: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        arns.validate_name(jobName, "jobName")
        version = self.solution_version(solutionVersionArn)
        if version.get("status") != "ACTIVE":
            raise InvalidInputException(
                f"The solution version {solutionVersionArn} is {version.get('status')}, not ACTIVE: wait until "
                "DescribeSolutionVersion reports ACTIVE, then create the batch inference job."
            )
        recipe_name = arns.name_of(version["recipeArn"])
        if recipe_name in NO_BATCH:
            raise InvalidInputException(
                f"Batch inference jobs are not available for the {recipe_name} recipe: use a campaign "
                "(GetRecommendations) instead."
            )
        if filterArn:
            self.filter(filterArn)
        if numResults is not None and not 1 <= numResults <= 500:
            raise InvalidInputException(
                f"1 validation error detected: Value '{numResults}' at 'numResults' failed to satisfy "
                "constraint: Member must have value between 1 and 500"
            )
        source = _path(jobInput, "jobInput", "s3DataSource")
        destination = _path(jobOutput, "jobOutput", "s3DataDestination")
        arn = f"arn:aws:personalize:{self.region}:{self.account}:batch-inference-job/{jobName}"
        record: Record = {
            "jobName": jobName,
            "batchInferenceJobArn": arn,
            "solutionVersionArn": solutionVersionArn,
            "numResults": numResults or DEFAULT_NUM_RESULTS,
            "jobInput": {"s3DataSource": dict(jobInput["s3DataSource"])},
            "jobOutput": {"s3DataDestination": dict(jobOutput["s3DataDestination"])},
            "roleArn": roleArn,
            "batchInferenceJobMode": batchInferenceJobMode or "BATCH_INFERENCE",
            "status": "CREATE PENDING",
        }
        if filterArn:
            record["filterArn"] = filterArn
        if batchInferenceJobConfig:
            record["batchInferenceJobConfig"] = dict(batchInferenceJobConfig)
        self.put_record("batchInferenceJob", record)
        self._start(arn, lambda: self._infer(record, version, source, destination))
        return {"batchInferenceJobArn": arn}

    def describe_batch_inference_job(self, batchInferenceJobArn: str) -> dict[str, Any]:
        return {"batchInferenceJob": self.snapshot(self.find(batchInferenceJobArn))}

    def list_batch_inference_jobs(
        self,
        solutionVersionArn: str | None = None,
        nextToken: str | None = None,
        maxResults: int | None = None,
    ) -> dict[str, Any]:
        items = [
            j
            for j in self.records("batchInferenceJob")
            if solutionVersionArn in (None, j["solutionVersionArn"])
        ]
        page, token = self.page("ListBatchInferenceJobs", items, nextToken, maxResults)
        return {"batchInferenceJobs": page} | ({"nextToken": token} if token else {})

    # ---- the job ----------------------------------------------------------------------------------------
    def _start(self, arn: str, work: Callable[[], None]) -> None:
        """Run ``work`` in a thread with the service's statuses; wait up to job_wait_seconds for it."""

        def run() -> None:
            self.set_job_status(arn, "CREATE IN_PROGRESS")
            try:
                work()
            except (ImportFailure, DataError, ServiceException, ValueError, KeyError) as error:
                self.set_job_status(arn, "CREATE FAILED", str(error))
                return
            except Exception as error:  # a job never takes the server down
                self.set_job_status(arn, "CREATE FAILED", f"Internal error: {type(error).__name__}: {error}")
                return
            self.set_job_status(arn, "ACTIVE")

        thread = threading.Thread(target=run, name=f"job {arns.name_of(arn)}", daemon=True)
        thread.start()
        thread.join(self.lifecycle.job_wait_seconds)

    def _infer(self, job: Record, version: Record, source: str, destination: str) -> None:
        assert self.batch.engine_for is not None
        answer = _Answerer(self.batch.engine_for(version), job, version, self.filter)
        root, region = self.lifecycle.s3_root, self.region
        inputs = input_files(source, s3_root=root, region=region)
        outputs = [(name, answer.file(content)) for name, content in inputs]
        for name, content in outputs:  # write only once every file is answered: no half-written job
            write_output(destination, name, content, s3_root=root, region=region)


class _Answerer:
    """Answers input lines with the runtime of ``engine`` through a deployment made for the job."""

    def __init__(self, engine: Any, job: Record, version: Record, filter_record: Callable[[str], Record]):
        spec = get_recipe(version["recipeArn"]).spec
        self.engine = engine
        self.ranking = spec.recipe_type == "PERSONALIZED_RANKING"
        self.by_item = spec.recipe_type == "RELATED_ITEMS" or spec.needs_item_id
        self.num_results = int(job["numResults"])
        config = job.get("batchInferenceJobConfig") or {}
        campaign_config = {k: config[k] for k in ("itemExplorationConfig", "rankingInfluence") if k in config}
        self.campaign = engine.create_campaign(
            f"batch-{job['jobName']}", version["recipeArn"], campaign_config
        )
        self.filter_arn = job.get("filterArn")
        if self.filter_arn:
            _share_filter(engine, filter_record(self.filter_arn))

    def file(self, content: bytes) -> bytes:
        lines = [self.line(raw) for raw in content.decode("utf-8").splitlines() if raw.strip()]
        return "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines).encode("utf-8")

    def line(self, raw: str) -> dict[str, Any]:
        try:
            given = json.loads(raw)
        except ValueError as error:
            return {"input": {}, "output": {"recommendedItems": []}, "error": f"Invalid JSON line: {error}"}
        if not isinstance(given, dict):
            return {
                "input": {},
                "output": {"recommendedItems": []},
                "error": "An input line must be a JSON object.",
            }
        try:
            items = self.answer(given)
        except (ServiceException, ValueError, KeyError) as error:
            return {"input": given, "output": {"recommendedItems": []}, "error": str(error)}
        output: dict[str, Any] = {"recommendedItems": [i["itemId"] for i in items]}
        if items and all("score" in i for i in items):
            output["scores"] = [i["score"] for i in items]
        return {"input": given, "output": output, "error": None}

    def answer(self, given: dict[str, Any]) -> list[dict[str, Any]]:
        key = "itemId" if self.by_item else "userId"
        if given.get(key) is None:
            raise InvalidInputException(f"The input line has no {key}: each line of this job needs one.")
        params: dict[str, Any] = {"campaignArn": self.campaign, key: given[key]}
        if self.filter_arn:
            params["filterArn"] = self.filter_arn
            if given.get("filterValues"):
                params["filterValues"] = given["filterValues"]
        if self.ranking:
            if not isinstance(given.get("itemList"), list):
                raise InvalidInputException("The input line has no itemList: ranking lines need one.")
            params["inputList"] = given["itemList"]
            return list(self.engine.get_personalized_ranking(**params)["personalizedRanking"])
        params["numResults"] = self.num_results
        return list(self.engine.get_recommendations(**params)["itemList"])


def _share_filter(engine: Any, record: Record) -> None:
    """Make an account's filter known to the solution version's engine (same ARN), once."""
    known = {r["filterArn"] for r in engine.control.records("filter")}
    if record["filterArn"] in known:
        return
    arn = engine.control.add_filter(record["name"], engine.dataset_group_arn, record["filterExpression"])
    engine.filters.add(arn, record["name"], record["filterExpression"])


def _path(given: dict[str, Any], field: str, member: str) -> str:
    path = (given or {}).get(member, {}).get("path")
    if not isinstance(path, str) or not path.startswith("s3://"):
        raise InvalidInputException(
            f"{field}.{member}.path must be an s3:// path (got {path!r}): give s3://bucket/key or s3://bucket/folder/."
        )
    return path
