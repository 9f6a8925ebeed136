"""pyproject.toml and environment.yml must list the same packages with the same lower bounds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _normalise(spec: str) -> tuple[str, str]:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", spec)
    assert match, f"unparseable requirement {spec!r}"
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def test_environment_yml_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_normalise(s) for s in project["dependencies"])
    wanted.update(_normalise(s) for s in project["optional-dependencies"]["dev"])

    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    listed = dict(_normalise(s) for s in pip_section if not s.startswith("-e"))

    assert listed == wanted, (
        "environment.yml and pyproject.toml disagree: "
        f"only in pyproject {sorted(set(wanted.items()) - set(listed.items()))}, "
        f"only in environment.yml {sorted(set(listed.items()) - set(wanted.items()))}"
    )


def test_every_dependency_has_a_lower_bound() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for spec in [*project["dependencies"], *project["optional-dependencies"]["dev"]]:
        assert ">=" in spec, f"{spec!r} needs a tested lower bound (>=)"


def test_constraints_pin_every_dependency_within_its_lower_bound() -> None:
    """constraints.txt (what `make` installs) pins each declared package at or above its tested bound."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[_normalise(name)[0]] = version.strip()
    for spec in [*project["dependencies"], *project["optional-dependencies"]["dev"]]:
        name, bound = _normalise(spec)
        assert name in pins, f"{name} is not pinned in constraints.txt (run `make lock`)"
        floor = tuple(int(p) for p in re.findall(r"\d+", bound.removeprefix(">=")))
        pinned = tuple(int(p) for p in re.findall(r"\d+", pins[name]))
        assert pinned[: len(floor)] >= floor, f"{name}=={pins[name]} is below pyproject's {bound}"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme
    assert re.search(r"^make test$", ci, re.M), ".ci/run must call the README's test command"


def test_notebooks_are_committed_without_outputs() -> None:
    import json

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs"), f"{path.name} has outputs: clear them before committing"
                assert cell.get("execution_count") is None, f"{path.name} has execution counts"
