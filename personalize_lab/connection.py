"""Connection: what every Lab on one backend shares — the boto3 clients, which backend they reach, the
recorder attached to them, the cohort response cache — and the one place boto3 is called and its errors
are mapped to :mod:`personalize_lab.errors`.

Kept apart from :mod:`personalize_lab.client`, whose concern is one target and its requests: a Lab made
with :meth:`~personalize_lab.client.Lab.with_target` shares its Connection, so switching target costs no
new clients, keeps recording to the same file and reuses cached cohort answers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import botocore.exceptions
from botocore.config import Config

from personalize_lab.errors import ValidationError, from_client_error
from personalize_lab.requests import Request, arn_region

if TYPE_CHECKING:
    from personalize_lab.replay import Recorder

__all__ = ["NO_RETRIES", "Connection", "clients", "cohort_factory"]

#: botocore config of the clients cohort runs send through: one attempt per call, so the run's own retries
#: (paced, counted, interruptible) are the only layer.
NO_RETRIES = Config(retries={"total_max_attempts": 1})


@dataclass(eq=False)
class Connection:
    """What every Lab on one backend shares: clients, backend, recorder, response cache, error mapping.

    ``source`` says what the clients reach (``aws``, ``local`` or ``replay``); ``local_personalize`` is the
    embedded local Personalize when they reach one. ``responses`` holds cohort answers by request digest
    (the digest names the target too, so Labs on different targets can share it).
    """

    client: Any
    control_client: Any
    source: str = "aws"
    local_personalize: Any = None
    recorder: Recorder | None = None
    responses: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Builds a runtime client like ``client`` but with botocore's retries off, for cohort runs (whose own
    #: retries are then the only layer); None when ``client`` was given, and is used as it is.
    cohort_factory: Callable[[], Any] | None = field(default=None, repr=False)
    _cohort_client: Any = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def open(
        cls,
        client: Any,
        control_client: Any,
        *,
        source: str = "aws",
        local_personalize: Any = None,
        record: str | Path | None = None,
        cohort_factory: Callable[[], Any] | None = None,
    ) -> Connection:
        """A connection on these clients; ``record`` appends every call they make to that file."""
        recorder = None
        if record is not None:
            from personalize_lab.replay import Recorder

            recorder = Recorder(record)
            recorder.attach(client)
            recorder.attach(control_client)
        return cls(client, control_client, source, local_personalize, recorder, cohort_factory=cohort_factory)

    @property
    def cohort_client(self) -> Any:
        """The runtime client cohort runs send through: one made by ``cohort_factory`` (botocore's retries
        off, the recorder attached) on first use, else ``client`` itself."""
        with self._lock:
            if self._cohort_client is None:
                if self.cohort_factory is None:
                    self._cohort_client = self.client
                else:
                    made = self.cohort_factory()
                    if self.recorder is not None:
                        self.recorder.attach(made)
                    self._cohort_client = made
            return self._cohort_client

    def call(self, client: Any, method: str, kwargs: Mapping[str, Any]) -> Any:
        """``client.<method>(**kwargs)``; botocore's errors become :mod:`personalize_lab.errors`."""
        fn: Callable[..., Any] = getattr(client, method)
        try:
            return fn(**kwargs)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            raise from_client_error(e, request=dict(kwargs)) from e

    def send(self, request: Request, *, client: Any = None) -> dict[str, Any]:
        """A runtime request, sent as is through ``client`` (default: the runtime client); boto3's answer."""
        response: dict[str, Any] = self.call(client or self.client, request.method, request.kwargs)
        return response

    def control(self, method: str, kwargs: Mapping[str, Any]) -> Any:
        """A control-plane call (``describe_campaign``, ``list_filters``, ...)."""
        return self.call(self.control_client, method, kwargs)

    def list_all(self, method: str, key: str, kwargs: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Every page of a control-plane List call (nextToken paging)."""
        found: list[dict[str, Any]] = []
        page_kwargs = dict(kwargs)
        while True:
            page = self.control(method, page_kwargs)
            found.extend(page.get(key, []))
            if not page.get("nextToken"):
                return found
            page_kwargs["nextToken"] = page["nextToken"]


def clients(
    arn: str, session: boto3.session.Session | None, region: str | None, client: Any, control_client: Any
) -> tuple[Any, Any]:
    """The clients given, or new ones from ``session`` in ``region`` (default: the ARN's region)."""
    if client is not None and control_client is not None:
        return client, control_client
    # the ARN names its region: calling another region would only answer ResourceNotFound
    region = region or arn_region(arn)
    try:
        session = session or boto3.session.Session(region_name=region)
        if client is None:
            client = session.client("personalize-runtime", region_name=region)
        if control_client is None:
            control_client = session.client("personalize", region_name=client.meta.region_name)
    except botocore.exceptions.NoRegionError as e:
        raise ValidationError(
            "region=None: no AWS region is configured for the session. Fix: pass region='us-east-1' "
            "(your campaign's region), or set AWS_DEFAULT_REGION",
            field="region",
            rule="a region is required",
            fix="pass region=",
        ) from e
    return client, control_client


def cohort_factory(arn: str, session: boto3.session.Session | None, region: str | None) -> Callable[[], Any]:
    """Makes the runtime client of cohort runs: like the Lab's own (same session and region), but with
    botocore's retries off. Built on first use only: most Labs never run a cohort."""

    def make() -> Any:
        where = region or arn_region(arn)
        own = session or boto3.session.Session(region_name=where)
        return own.client("personalize-runtime", region_name=where, config=NO_RETRIES)

    return make
