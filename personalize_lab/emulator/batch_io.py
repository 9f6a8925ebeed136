"""Where a batch inference job reads its JSON Lines input and writes its ``<input name>.out`` output.

The same two ways as import jobs (:mod:`~personalize_lab.emulator.s3source`): a local folder standing for
S3 (``s3_root/bucket/key``) or a boto3 S3 client built the standard way (endpoint variables, moto and real
S3 all answer). The input path is one object or a folder (every object under it, the service's "1000 input
files"); each input file ``name`` becomes ``<output path>/name.out``. A missing bucket or object is an
:class:`~personalize_lab.emulator.s3source.ImportFailure`: its message is the job's ``failureReason``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from personalize_lab.emulator.s3source import ImportFailure, split_s3

__all__ = ["input_files", "write_output"]


def input_files(uri: str, *, s3_root: Path | None, region: str) -> Iterator[tuple[str, bytes]]:
    """``(file name, content)`` of each input file at ``uri`` (an object, or every object of a folder)."""
    bucket, key = split_s3(uri)
    if s3_root is not None:
        yield from _folder_inputs(s3_root, bucket, key, uri)
        return
    client, errors = _client(region)
    try:
        listed = client.list_objects_v2(Bucket=bucket, Prefix=key)
        keys = [o["Key"] for o in listed.get("Contents", []) if not o["Key"].endswith("/")]
        keys = [k for k in keys if k == key] or [k for k in keys if k.startswith(key.rstrip("/") + "/")]
        if not keys:
            raise ImportFailure(f"No input file found at {uri}: check the bucket, key or folder of jobInput.")
        for object_key in sorted(keys):
            body = client.get_object(Bucket=bucket, Key=object_key)["Body"].read()
            yield PurePosixPath(object_key).name, body
    except errors as error:
        raise ImportFailure(_s3_reason(error, bucket, uri)) from error


def write_output(uri: str, name: str, content: bytes, *, s3_root: Path | None, region: str) -> str:
    """Write ``<uri>/<name>.out``; the ``s3://`` URI written."""
    bucket, key = split_s3(uri)
    out_key = (key.rstrip("/") + "/" if key.strip("/") else "") + f"{name}.out"
    if s3_root is not None:
        base = s3_root / bucket
        if not base.is_dir():
            raise ImportFailure(
                f"The output S3 bucket {bucket!r} does not exist (no folder {base} under the S3 root)."
            )
        target = base / out_key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    else:
        client, errors = _client(region)
        try:
            client.put_object(Bucket=bucket, Key=out_key, Body=content)
        except errors as error:
            raise ImportFailure(_s3_reason(error, bucket, uri)) from error
    return f"s3://{bucket}/{out_key}"


def _folder_inputs(root: Path, bucket: str, key: str, uri: str) -> Iterator[tuple[str, bytes]]:
    base = root / bucket
    if not base.is_dir():
        raise ImportFailure(f"The S3 bucket {bucket!r} does not exist (no folder {base} under the S3 root).")
    target = base / key
    if key and target.is_file():
        yield target.name, target.read_bytes()
        return
    found = sorted(p for p in target.rglob("*") if p.is_file()) if key and target.is_dir() else []
    if not found:
        raise ImportFailure(f"No input file found at {uri}: check the bucket, key or folder of jobInput.")
    for path in found:
        yield path.name, path.read_bytes()


def _client(region: str) -> tuple[Any, tuple[type[Exception], ...]]:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    return boto3.client("s3", region_name=region), (BotoCoreError, ClientError)


def _s3_reason(error: Exception, bucket: str, uri: str) -> str:
    code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
    if code == "NoSuchBucket":
        return f"The S3 bucket {bucket!r} does not exist."
    return f"Could not access {uri}: {error}"
