"""Run bandit over Punte's code and fail on any finding not triaged in .ci/bandit-triage.toml.

A triage entry names the test, the file and the flagged line's text (stripped), with the reason it
is safe. Keyed by text rather than line number, so unrelated edits do not churn the file, while an
edit to a flagged line brings it back for review. An entry that no longer matches anything fails
too: the triage file describes the code as it is.

    .venv/bin/python .ci/bandit_triaged.py        (make lint and make test run it)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIAGE = ROOT / ".ci" / "bandit-triage.toml"
# Tests and test helpers build fixtures with literal passwords and random data on purpose.
EXCLUDED = "*/tests/*,punte/testing"


def findings() -> list[dict]:
    bandit = Path(sys.executable).with_name("bandit")
    run = subprocess.run(  # noqa: S603 - a fixed command line, no input in it
        [str(bandit), "-q", "-r", "punte", "-x", EXCLUDED, "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode not in (0, 1) or not run.stdout.strip():
        sys.exit(f"bandit did not run: {run.stderr.strip() or run.returncode}")
    report = json.loads(run.stdout)
    if report.get("errors"):
        sys.exit(f"bandit could not read: {report['errors']}")
    return report["results"]


def flagged_line(finding: dict) -> str:
    lines = (ROOT / finding["filename"]).read_text(encoding="utf-8").splitlines()
    return lines[finding["line_number"] - 1].strip()


def main() -> int:
    entries = tomllib.loads(TRIAGE.read_text(encoding="utf-8"))["finding"]
    for entry in entries:
        if not entry.get("reason", "").strip():
            print(f"{TRIAGE.name}: {entry['test']} in {entry['file']} has no reason")
            return 1
    matched: set[int] = set()
    untriaged = []
    for finding in findings():
        key = (finding["test_id"], finding["filename"], flagged_line(finding))
        hits = [
            i for i, e in enumerate(entries) if (e["test"], e["file"], e["line"].strip()) == key
        ]
        if hits:
            matched.update(hits)
        else:
            untriaged.append(finding)
    stale = [entry for i, entry in enumerate(entries) if i not in matched]
    for finding in untriaged:
        print(
            f"{finding['filename']}:{finding['line_number']}: {finding['test_id']} "
            f"{finding['issue_text']}\n    {flagged_line(finding)}"
        )
    for entry in stale:
        print(f"{TRIAGE.name}: no longer found: {entry['test']} {entry['file']}: {entry['line']}")
    if untriaged or stale:
        print(
            f"bandit: {len(untriaged)} untriaged finding(s), {len(stale)} stale entr(ies). Fix the "
            f"code, or add an entry with its reason to .ci/{TRIAGE.name}."
        )
        return 1
    print(f"bandit: {len(entries)} finding(s), each triaged with its reason")
    return 0


if __name__ == "__main__":
    sys.exit(main())
