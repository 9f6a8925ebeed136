"""Where a dataset import job reads its CSV (and an export job writes its CSV): ``s3://bucket/key`` or ``s3://bucket/prefix/``.

Two ways, as the user chooses: a local folder standing for S3 (``s3_root/bucket/key``; ``serve --s3-root``,
``LocalPersonalize(s3_root=...)``), or a boto3 S3 client built the standard way (``boto3.client("s3")``), so
endpoint variables, moto's ``mock_aws`` and real S3 all answer. A missing bucket or object is an
:class:`ImportFailure` whose message becomes the job's ``failureReason``: the job fails, never the server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["ImportFailure", "fetch_csv", "split_s3", "write_object"]


class ImportFailure(Exception):
    """The job cannot read its input; the message is the job's failureReason."""


def split_s3(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> ``("bucket", "key")`` (ImportFailure for anything else)."""
    if not uri.startswith("s3://") or len(uri) <= 5:
        raise ImportFailure(
            f"dataLocation {uri!r} is not an S3 path; give s3://bucket/key or s3://bucket/prefix/"
        )
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def fetch_csv(uri: str, workdir: Path, *, s3_root: Path | None, region: str) -> list[Path]:
    """Local paths of the CSV object(s) at ``uri`` (one object, or every ``.csv`` under a prefix)."""
    bucket, key = split_s3(uri)
    found = (
        _from_folder(s3_root, bucket, key) if s3_root is not None else _from_s3(bucket, key, workdir, region)
    )
    if not found:
        raise ImportFailure(f"No CSV file found at {uri}: check the bucket, key or prefix of dataLocation.")
    return found


def write_object(uri: str, content: bytes, *, s3_root: Path | None, region: str) -> None:
    """Write ``content`` at ``uri`` (an export job's output); an unwritable place is an ImportFailure."""
    bucket, key = split_s3(uri)
    if s3_root is not None:
        base = s3_root / bucket
        if not base.is_dir():
            raise ImportFailure(
                f"The S3 bucket {bucket!r} does not exist (no folder {base} under the S3 root): "
                "create it or give another s3DataDestination path."
            )
        target = base / key
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        except OSError as error:
            raise ImportFailure(f"Could not write {uri}: {error}") from error
        return
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    client: Any = boto3.client("s3", region_name=region)
    try:
        client.put_object(Bucket=bucket, Key=key, Body=content)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code", "") == "NoSuchBucket":
            raise ImportFailure(
                f"The S3 bucket {bucket!r} does not exist: create it or give another s3DataDestination path."
            ) from error
        raise ImportFailure(f"Could not write {uri}: {error}") from error
    except BotoCoreError as error:
        raise ImportFailure(f"Could not write {uri}: {error}") from error


def _from_folder(root: Path, bucket: str, key: str) -> list[Path]:
    base = root / bucket
    if not base.is_dir():
        raise ImportFailure(f"The S3 bucket {bucket!r} does not exist (no folder {base} under the S3 root).")
    target = base / key
    if key and target.is_file():
        return [target]
    return sorted(
        p for p in base.rglob("*.csv") if p.is_file() and p.relative_to(base).as_posix().startswith(key)
    )


def _from_s3(bucket: str, key: str, workdir: Path, region: str) -> list[Path]:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    client: Any = boto3.client("s3", region_name=region)
    try:
        listed = client.list_objects_v2(Bucket=bucket, Prefix=key)
        keys = [o["Key"] for o in listed.get("Contents", [])]
        keys = [k for k in keys if k == key] or [k for k in keys if k.endswith(".csv")]
        paths = []
        for n, object_key in enumerate(keys):
            path = workdir / f"{n}-{Path(object_key).name}"
            client.download_file(bucket, object_key, str(path))
            paths.append(path)
        return paths
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code == "NoSuchBucket":
            raise ImportFailure(f"The S3 bucket {bucket!r} does not exist.") from error
        raise ImportFailure(f"Could not read s3://{bucket}/{key}: {error}") from error
    except BotoCoreError as error:
        raise ImportFailure(f"Could not read s3://{bucket}/{key}: {error}") from error
