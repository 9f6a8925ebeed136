"""`personalize-lab --help` and each subcommand's help: whole sentences, and a description for every option."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _help(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "personalize_lab.cli", *args, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "COLUMNS": "100", "PATH": ""},
        check=True,
    )
    return result.stdout


def _cut(text: str) -> bool:
    """A sentence that stops mid-way: on a comma, semicolon, colon or open bracket, or on a joining word."""
    last = text.rstrip().split()[-1].lower()
    return text.rstrip()[-1] in ",;:(-" or last in {"and", "or", "the", "a", "an", "to", "of", "with", "for"}


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def _options(text: str) -> dict[str, str]:
    """Each option or subcommand line in the help (``  --port PORT  port to …``) with its description."""
    found: dict[str, str] = {}
    name = None
    for line in text.splitlines():
        m = re.match(r"^ {2,4}(\S.*?)(?:\s{2,}(\S.*))?$", line)
        if m and (m[1].startswith("-") or m[1] in {"serve", "demo"}):
            name = m[1]
            found[name] = m[2] or ""
        elif name and line.startswith(" " * 6) and line.strip():
            found[name] = f"{found[name]} {line.strip()}".strip()
        else:
            name = None
    return found


@pytest.mark.parametrize("command", [(), ("serve",), ("demo",)], ids=["top", "serve", "demo"])
def test_help_has_whole_sentences_and_describes_every_option(command: tuple[str, ...]) -> None:
    text = _help(*command)
    description = _paragraphs(text)[1]  # after the usage lines
    assert description.endswith("."), f"description cut short: {description!r}"
    assert not _cut(description), f"description cut short: {description!r}"
    options = _options(text)
    assert "-h, --help" in options
    for name, what in options.items():
        assert what, f"{name} has no description"
        assert not _cut(what), f"{name}: description cut short: {what!r}"
    if command == ():
        assert set(options) >= {"serve", "demo"}
    if command == ("demo",):
        assert set(options) >= {"--data DIR", "--campaign NAME", "--recommender NAME", "--port PORT"}
