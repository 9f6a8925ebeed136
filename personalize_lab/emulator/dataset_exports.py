# ruff: noqa: N803 -- argument names are boto3's own (camelCase), so **params from the wire fit
"""Dataset export jobs: a dataset's rows written as CSV under an ``s3://`` path.

``ingestionMode`` picks the rows as the service does: ``BULK`` the imported ones (dataset import jobs),
``PUT`` the ones that arrived through PutEvents/PutItems/PutUsers, ``ALL`` both. The job runs like an
import job (CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE, waiting up to ``job_wait_seconds``) and writes
one file, ``<path>/<jobName>/<jobName>_part_00000.csv``, through
:func:`~personalize_lab.emulator.s3source.write_object` (an ``s3_root`` folder or a boto3 S3 client); an
unwritable destination (a missing bucket) ends it in CREATE FAILED with that ``failureReason``.
"""

from __future__ import annotations

from typing import Any

from personalize_lab.emulator import arns
from personalize_lab.emulator.exceptions import InvalidInputException
from personalize_lab.emulator.lifecycle import LifecycleOperations
from personalize_lab.emulator.resources import Record
from personalize_lab.emulator.s3source import ImportFailure, write_object

__all__ = ["INGESTION_MODES", "DatasetExportOperations"]

INGESTION_MODES = ("BULK", "PUT", "ALL")


class DatasetExportOperations(LifecycleOperations):
    """CreateDatasetExportJob, DescribeDatasetExportJob, ListDatasetExportJobs."""

    def create_dataset_export_job(
        self,
        jobName: str,
        datasetArn: str,
        roleArn: str,
        jobOutput: dict[str, Any],
        ingestionMode: str = "PUT",
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        arns.validate_name(jobName, "jobName")
        dataset = self.dataset(datasetArn)
        if ingestionMode not in INGESTION_MODES:
            raise InvalidInputException(
                f"1 validation error detected: Value '{ingestionMode}' at 'ingestionMode' failed to satisfy "
                f"constraint: Member must satisfy enum value set: [{', '.join(INGESTION_MODES)}]"
            )
        path = str(jobOutput.get("s3DataDestination", {}).get("path", ""))
        arn = arns.dataset_export_job_arn(jobName, self.region, self.account)
        record: Record = {
            "jobName": jobName,
            "datasetExportJobArn": arn,
            "datasetArn": datasetArn,
            "ingestionMode": ingestionMode,
            "roleArn": roleArn,
            "status": "CREATE PENDING",
            "jobOutput": {"s3DataDestination": dict(jobOutput.get("s3DataDestination", {}))},
        }
        self.put_record("datasetExportJob", record)
        self.tag_new(arn, tags)
        self.run_job(arn, lambda: self._export(dataset, jobName, ingestionMode, path))
        return {"datasetExportJobArn": arn}

    def describe_dataset_export_job(self, datasetExportJobArn: str) -> dict[str, Any]:
        return {"datasetExportJob": self.snapshot(self.find(datasetExportJobArn))}

    def list_dataset_export_jobs(
        self, datasetArn: str | None = None, nextToken: str | None = None, maxResults: int | None = None
    ) -> dict[str, Any]:
        items = [j for j in self.records("datasetExportJob") if datasetArn in (None, j["datasetArn"])]
        page, token = self.page("ListDatasetExportJobs", items, nextToken, maxResults)
        return {"datasetExportJobs": page} | ({"nextToken": token} if token else {})

    def _export(self, dataset: Record, job_name: str, mode: str, path: str) -> None:
        frame = self.dataset_frame(dataset, mode)
        if frame is None:
            source = {"BULK": "imported", "PUT": "sent through PutEvents/PutItems/PutUsers", "ALL": "in it"}
            raise ImportFailure(
                f"The dataset {dataset['datasetArn']} has no data {source[mode]} to export with "
                f"ingestionMode {mode}: import data (or stream it) first, or choose another ingestionMode."
            )
        key = f"{path.rstrip('/')}/{job_name}/{job_name}_part_00000.csv"
        content = frame.to_csv(index=False).encode()
        write_object(key, content, s3_root=self.lifecycle.s3_root, region=self.region)
