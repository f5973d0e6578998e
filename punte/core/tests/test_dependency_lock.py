"""requirements.lock (production installs, with hashes) agrees with pyproject.toml's ranges."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[3]
PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def locked_versions(text: str) -> dict[str, str]:
    return {
        canonicalize_name(match[1]): match[2]
        for line in text.splitlines()
        if (match := PINNED.match(line))
    }


def runtime_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(spec) for spec in project["dependencies"]]


def test_every_runtime_dependency_is_locked_within_its_range():
    locked = locked_versions((ROOT / "requirements.lock").read_text())
    problems = []
    for requirement in runtime_requirements():
        version = locked.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement.name} is not in requirements.lock")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name}=={version} is outside {requirement.specifier}")
    assert not problems, "; ".join(problems) + " (run `make lock`)"


def test_every_locked_package_carries_a_hash():
    text = (ROOT / "requirements.lock").read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    unhashed = [
        e.split(" ", 1)[0] for e in entries if PINNED.match(e) and "--hash=sha256:" not in e
    ]
    assert not unhashed


def test_the_benchmark_only_toolkit_is_not_a_runtime_dependency():
    names = {canonicalize_name(r.name) for r in runtime_requirements()}
    assert "recordlinkage" not in names
    assert "recordlinkage" not in locked_versions((ROOT / "requirements.lock").read_text())


def test_the_reader_finds_a_pin_and_rejects_a_version_outside_the_range():
    locked = locked_versions("Django==5.1.4 \\\n    --hash=sha256:ab\n")
    assert locked == {"django": "5.1.4"}
    assert not Requirement("Django>=5.2.19,<5.3").specifier.contains(locked["django"])
