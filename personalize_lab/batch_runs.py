"""Cohorts at scale: one batch inference job per variant, read back into ``recommend_many``'s long frame.

Request by request a cohort stops at the service's 500 TPS per campaign; millions of users belong in
batch inference, Personalize's own distributed engine. :func:`batch_recommend` (``lab.batch_recommend``)
writes each variant's input (users and the variant's ``filter_values``) under ``s3_prefix``, starts one
``CreateBatchInferenceJob`` per variant on the Lab's solution version, polls them with progress, and reads
the ``.out`` files with :func:`~personalize_lab.batch.read_batch_output`. Job names are derived from the
request (users, variant, numResults, solution version), so a re-run finds its jobs and their outputs and
starts nothing new. The local Personalize runs the same code: with an ``s3_root`` it reads and writes that
folder, otherwise S3 through boto3 (moto, LocalStack or real S3).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from personalize_lab.batch import read_batch_output, write_batch_input
from personalize_lab.errors import DataError, ValidationError

if TYPE_CHECKING:
    from personalize_lab.client import Lab

__all__ = ["BatchJob", "FolderS3", "batch_recommend"]

VARIANT_KEYS = frozenset({"filter", "filter_values"})
DONE = ("ACTIVE", "CREATE FAILED")


@dataclass
class BatchJob:
    """One variant's job: its name, ARN, S3 input and output, status (what progress callbacks get)."""

    variant: str
    name: str
    input_path: str
    output_path: str
    arn: str | None = None
    status: str = "NEW"
    failure: str | None = None


def batch_recommend(
    lab: Lab,
    users: Iterable[Any],
    *,
    s3_prefix: str,
    role_arn: str,
    variants: Mapping[str, Mapping[str, Any]] | None = None,
    num_results: int = 25,
    job_prefix: str = "pl",
    poll_seconds: float = 10.0,
    timeout: float | None = None,
    progress: bool | Callable[[list[BatchJob]], None] = True,
    s3_client: Any = None,
) -> pd.DataFrame:
    """Recommendations for ``users`` under each variant, through batch inference jobs (see the module)."""
    if not s3_prefix.startswith("s3://"):
        raise ValidationError(
            f"s3_prefix={s3_prefix!r} must be an s3:// folder. Fix: pass e.g. s3_prefix='s3://my-bucket/batch/'",
            field="s3_prefix",
            value=s3_prefix,
        )
    version = lab.describe().get("solutionVersionArn")
    if not version:
        raise ValidationError(
            f"{lab.target_arn} has no solution version: batch inference runs on a campaign's solution version "
            "(recommenders cannot run batch inference jobs). Fix: use a Lab on a campaign",
            field="campaign_arn",
            value=lab.target_arn,
        )
    ids = [str(u) for u in users]
    chosen = dict(variants or {"default": {}})
    s3 = s3_client if s3_client is not None else _s3_for(lab)
    control = lab.control_client
    existing = _existing_jobs(control, version)
    jobs = []
    for variant, settings in chosen.items():
        _check_variant(variant, settings)
        job = _plan(variant, settings, ids, version, num_results, job_prefix, s3_prefix.rstrip("/"))
        found = existing.get(job.name)
        if found is None or found["status"] == "CREATE FAILED":
            if found is not None:
                job.name = job.name[:56] + f"-r{int(time.time()) % 100_000}"  # a failed run starts again
            _start(lab, control, s3, job, settings, ids, version, num_results, role_arn)
        else:
            job.arn, job.status = found["batchInferenceJobArn"], found["status"]
        jobs.append(job)
    _wait(control, jobs, poll_seconds, timeout, _reporter(progress))
    failed = [j for j in jobs if j.status != "ACTIVE"]
    if failed:
        raise DataError(
            f"batch inference job {failed[0].name} (variant {failed[0].variant!r}) is {failed[0].status}: "
            f"{failed[0].failure}",
            column="variant",
            value=failed[0].variant,
            fix="correct the cause and call batch_recommend again (finished variants are reused)",
        )
    return _read(jobs, s3)


def _check_variant(variant: str, settings: Mapping[str, Any]) -> None:
    unknown = set(settings) - VARIANT_KEYS
    if unknown:
        raise ValidationError(
            f"variant {variant!r} has {sorted(unknown)}; a batch inference job takes only a filter and its "
            "filter_values. Fix: keep filter=... and filter_values=... (other settings need recommend_many)",
            field=f"variants[{variant!r}]",
            value=sorted(unknown),
        )


def _plan(
    variant: str,
    settings: Mapping[str, Any],
    ids: list[str],
    version: str,
    num_results: int,
    prefix: str,
    s3_prefix: str,
) -> BatchJob:
    """The job's name and paths: a digest of everything that decides its output, so a re-run finds it."""
    key = json.dumps([ids, variant, dict(settings), version, num_results], sort_keys=True, default=str)
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    safe = re.sub(r"[^a-zA-Z0-9\-_]", "-", variant)[:30]
    name = f"{prefix}-{safe}-{digest}"
    return BatchJob(variant, name, f"{s3_prefix}/{name}/input/users.json", f"{s3_prefix}/{name}/output/")


def _existing_jobs(control: Any, version: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    kwargs: dict[str, Any] = {"solutionVersionArn": version}
    while True:
        page = control.list_batch_inference_jobs(**kwargs)
        for job in page.get("batchInferenceJobs", []):
            found.setdefault(job["jobName"], job)
        if not page.get("nextToken"):
            return found
        kwargs["nextToken"] = page["nextToken"]


def _start(
    lab: Lab,
    control: Any,
    s3: Any,
    job: BatchJob,
    settings: Mapping[str, Any],
    ids: list[str],
    version: str,
    num_results: int,
    role_arn: str,
) -> None:
    filter_arn = _filter_arn(lab, settings.get("filter"))
    write_batch_input(job.input_path, users=ids, filter_values=settings.get("filter_values"), s3_client=s3)
    params: dict[str, Any] = {
        "jobName": job.name,
        "solutionVersionArn": version,
        "numResults": num_results,
        "jobInput": {"s3DataSource": {"path": job.input_path}},
        "jobOutput": {"s3DataDestination": {"path": job.output_path}},
        "roleArn": role_arn,
    }
    if filter_arn:
        params["filterArn"] = filter_arn
    job.arn = control.create_batch_inference_job(**params)["batchInferenceJobArn"]
    job.status = "CREATE PENDING"


def _filter_arn(lab: Lab, given: str | None) -> str | None:
    if not given or given.startswith("arn:"):
        return given
    table = lab.filters()
    match = table.loc[table["name"] == given, "arn"]
    if match.empty:
        raise ValidationError(
            f"filter={given!r} is not a filter in this dataset group (known: {sorted(table['name'])}). "
            "Fix: pass one of those names or a filter ARN",
            field="filter",
            value=given,
        )
    return str(match.iloc[0])


def _wait(
    control: Any,
    jobs: list[BatchJob],
    poll_seconds: float,
    timeout: float | None,
    report: Callable[[list[BatchJob]], None],
) -> None:
    started = time.monotonic()
    while True:
        for job in jobs:
            if job.status not in DONE:
                described = control.describe_batch_inference_job(batchInferenceJobArn=job.arn)
                job.status = described["batchInferenceJob"]["status"]
                job.failure = described["batchInferenceJob"].get("failureReason")
        report(jobs)
        if all(j.status in DONE for j in jobs):
            return
        if timeout is not None and time.monotonic() - started > timeout:
            raise TimeoutError(
                f"batch inference jobs still running after {timeout:.0f} s: "
                + ", ".join(f"{j.name} {j.status}" for j in jobs if j.status not in DONE)
                + ". Call batch_recommend again later: it finds these jobs and waits for them"
            )
        time.sleep(poll_seconds)


def _reporter(progress: bool | Callable[[list[BatchJob]], None]) -> Callable[[list[BatchJob]], None]:
    if callable(progress):
        return progress
    if not progress:
        return lambda jobs: None
    last: list[str] = []

    def show(jobs: list[BatchJob]) -> None:
        line = " | ".join(f"{j.variant}: {j.status}" for j in jobs)
        if line != (last[0] if last else None):
            print(f"batch inference: {line}", flush=True)
            last[:] = [line]

    return show


def _read(jobs: list[BatchJob], s3: Any) -> pd.DataFrame:
    parts = []
    errors = []
    for job in jobs:
        frame, error_frame = read_batch_output(job.output_path, errors="frame", s3_client=s3)
        frame = frame.drop(columns=["seedItemId"], errors="ignore")
        frame.insert(0, "variant", pd.Series([job.variant] * len(frame), dtype="string"))
        parts.append(frame)
        error_frame.insert(0, "variant", pd.Series([job.variant] * len(error_frame), dtype="string"))
        errors.append(error_frame)
    out = pd.concat(parts, ignore_index=True)
    out.attrs.update(
        {
            "source": "batch",
            "jobs": {j.variant: j.arn for j in jobs},
            "errors": pd.concat(errors, ignore_index=True),
        }
    )
    return out


def _s3_for(lab: Lab) -> Any:
    """The local Personalize's S3 folder when it has one (``s3_root``), else boto3's S3 client."""
    local = lab.local_personalize
    root = getattr(getattr(getattr(local, "control", None), "lifecycle", None), "s3_root", None)
    if root is not None:
        return FolderS3(Path(root))
    import boto3

    return boto3.client("s3")


class FolderS3:
    """The three S3 calls batch files need (put_object, get_object, list_objects_v2 pages) on a folder
    standing for S3 (``root/bucket/key``), as the local Personalize's ``s3_root`` maps it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put_object(self, Bucket: str, Key: str, Body: bytes) -> dict[str, Any]:  # noqa: N803 -- boto3's names
        if not (self.root / Bucket).is_dir():
            raise FileNotFoundError(
                f"The S3 bucket {Bucket!r} does not exist (no folder {self.root / Bucket} under the S3 root). "
                "Fix: create the folder, or pass an s3_prefix in an existing bucket"
            )
        path = self.root / Bucket / Key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(Body)
        return {}

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803
        return {"Body": _Body((self.root / Bucket / Key).read_bytes())}

    def get_paginator(self, operation: str) -> Any:
        return self

    def paginate(self, Bucket: str, Prefix: str = "") -> list[dict[str, Any]]:  # noqa: N803
        base = self.root / Bucket
        keys = sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())
        return [{"Contents": [{"Key": k} for k in keys if k.startswith(Prefix)]}]


class _Body:
    def __init__(self, data: bytes) -> None:
        self._stream = io.BytesIO(data)

    def iter_chunks(self, chunk_size: int) -> Any:
        while block := self._stream.read(chunk_size):
            yield block
