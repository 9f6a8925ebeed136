"""The README and docs/*.md: every relative link and repository path resolves, and docs/config.md's example
of ``personalize-lab.json`` is one the loader and the local Personalize accept, naming every accepted key."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from personalize_lab.datasets import demo_store, parse_config
from personalize_lab.datasets.config import ACCEPTED_KEYS
from personalize_lab.emulator import LocalPersonalize

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
REPO_PATH = re.compile(r"`((?:docs|personalize_lab|tests|scripts|benchmarks|notebooks)/[^`\s]*)`")
CONFIG_DOC = ROOT / "docs" / "config.md"


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+\s+(.*)$", page.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_and_repository_paths_resolve(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    dead = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):  # https:, mailto: … leave the machine; not checked here
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            dead.append(
                f"link {target}: no {resolved.relative_to(ROOT) if resolved.is_relative_to(ROOT) else resolved}"
            )
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            dead.append(f"link {target}: {resolved.name} has no heading #{anchor}")
    for path in REPO_PATH.findall(text):
        if not any(ROOT.glob(path.rstrip("/"))):
            dead.append(f"path `{path}` does not exist in the repository")
    assert not dead, f"{page.relative_to(ROOT)}:\n" + "\n".join(dead)


def _config_example() -> Any:
    blocks = re.findall(r"```json\n(.*?)```", CONFIG_DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(blocks) == 1, "docs/config.md must hold exactly one ```json example"
    return json.loads(blocks[0])


def _key_paths(doc: Any, where: str = "") -> set[str]:
    """Every key path in a document, list elements written ``[]`` (``campaigns[].campaignConfig``)."""
    if isinstance(doc, list):
        return set().union(*(_key_paths(v, f"{where}[]") for v in doc)) if doc else set()
    if not isinstance(doc, dict):
        return set()
    paths = set()
    for key, value in doc.items():
        path = f"{where}.{key}" if where else key
        paths.add(path)
        paths |= _key_paths(value, path)
    return paths


ACCEPTED = {f"{where}.{key}" if where else key for where, keys in ACCEPTED_KEYS.items() for key in keys}


def test_config_example_names_every_key_the_loader_accepts() -> None:
    used = _key_paths(_config_example())
    assert used >= ACCEPTED, f"docs/config.md's example lacks {sorted(ACCEPTED - used)}"


def test_config_table_explains_every_accepted_key() -> None:
    documented = set(
        re.findall(r"^\| `([^`]+)` \|", CONFIG_DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)
    )
    assert documented >= ACCEPTED, f"docs/config.md's table lacks {sorted(ACCEPTED - documented)}"
    assert documented <= ACCEPTED, (
        f"docs/config.md documents keys the loader refuses: {sorted(documented - ACCEPTED)}"
    )


def test_config_example_loads_and_serves() -> None:
    config = parse_config(_config_example(), source="docs/config.md")
    data = demo_store(n_users=40, n_items=60, n_interactions=600, seed=5)
    local = LocalPersonalize(data, config=config)
    control = local.client("personalize")
    assert {c["name"] for c in control.list_campaigns()["campaigns"]} == {"homepage", "similar", "rerank"}
    assert [f["name"] for f in control.list_filters()["Filters"]] == ["category", "exclude-purchased"]
    homepage = control.describe_campaign(campaignArn=local.campaign_arns["homepage"])["campaign"]
    assert homepage["campaignArn"] == "arn:aws:personalize:eu-west-1:111122223333:campaign/homepage"
    assert homepage["campaignConfig"]["itemExplorationConfig"]["explorationItemAgeCutOff"] == "14"
    runtime = local.client("personalize-runtime")
    answer = runtime.get_recommendations(
        campaignArn=homepage["campaignArn"],
        userId=local.users[0],
        numResults=5,
        filterArn=local.filter_arns["category"],
        filterValues={"CATEGORY": '"Books","Toys"'},
    )
    assert 0 < len(answer["itemList"]) <= 5
