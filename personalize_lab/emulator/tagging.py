# ruff: noqa: N803 -- argument names are boto3's own (camelCase), so **params from the wire fit
"""Tags on every resource: TagResource, UntagResource, ListTagsForResource, and ``tags=`` of the Create calls.

A mixin of :class:`~personalize_lab.emulator.control.ControlPlane`. Tags live beside the records (the
describe structures carry none, as the service's do not). The service's rules: at most 50 tags on a
resource (TooManyTagsException), keys 1-128 and values 0-256 characters, keys starting ``aws:`` are the
service's own (InvalidInputException); tagging a key again replaces its value.
"""

from __future__ import annotations

from typing import Any

from personalize_lab.emulator.exceptions import InvalidInputException, TooManyTagsException
from personalize_lab.emulator.resources import ResourceStore

__all__ = ["MAX_TAGS", "TaggingOperations", "check_tags"]

MAX_TAGS = 50


def check_tags(tags: list[dict[str, str]] | None) -> dict[str, str]:
    """The tags as a key -> value dict, after the service's checks on each."""
    if len(tags or []) > MAX_TAGS:
        raise TooManyTagsException(f"{len(tags or [])} tags: a resource takes at most {MAX_TAGS}.")
    out: dict[str, str] = {}
    for tag in tags or []:
        key, value = str(tag.get("tagKey", "")), str(tag.get("tagValue", ""))
        if not 1 <= len(key) <= 128 or len(value) > 256:
            raise InvalidInputException(
                f"Tag {key!r}: keys are 1 to 128 characters and values at most 256 (value has {len(value)})."
            )
        if key.lower().startswith("aws:"):
            raise InvalidInputException(f"Tag key {key!r}: keys starting with 'aws:' are reserved for AWS.")
        out[key] = value
    return out


class TaggingOperations(ResourceStore):
    """The tag operations (see the module docstring); ``tag_new`` is what the Create calls use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tags: dict[str, dict[str, str]] = {}

    def put_tags(self, arn: str, tags: list[dict[str, str]] | None) -> None:
        """Add or replace tags on an existing resource (TooManyTagsException beyond 50)."""
        new = check_tags(tags)
        with self._lock:
            merged = self._tags.get(arn, {}) | new
            if len(merged) > MAX_TAGS:
                raise TooManyTagsException(
                    f"Resource {arn} would have {len(merged)} tags; a resource takes at most {MAX_TAGS}. "
                    "Remove some with UntagResource first."
                )
            if merged:
                self._tags[arn] = merged

    def tag_new(self, arn: str, tags: list[dict[str, str]] | None) -> None:
        """Tags of a Create call; refused tags leave no resource behind."""
        try:
            self.put_tags(arn, tags)
        except Exception:
            self.remove(arn)
            raise

    def tag_resource(self, resourceArn: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        self.find(resourceArn)
        self.put_tags(resourceArn, tags)
        return {}

    def untag_resource(self, resourceArn: str, tagKeys: list[str]) -> dict[str, Any]:
        self.find(resourceArn)
        with self._lock:
            kept = self._tags.get(resourceArn, {})
            for key in tagKeys:
                kept.pop(key, None)
        return {}

    def list_tags_for_resource(self, resourceArn: str) -> dict[str, Any]:
        self.find(resourceArn)
        with self._lock:
            tags = dict(self._tags.get(resourceArn, {}))
        return {"tags": [{"tagKey": k, "tagValue": v} for k, v in tags.items()]}

    def remove(self, arn: str) -> None:
        """A deleted resource takes its tags along."""
        super().remove(arn)
        with self._lock:
            self._tags.pop(arn, None)
