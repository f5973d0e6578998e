"""The linkage engine runs where Django and the rest of Punte do not (punte/linkage/engine)."""

import json
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "engine"
ROOT = Path(__file__).resolve().parents[3]

# Run in a fresh interpreter: the test process has Django and every app imported already.
# Importing Django, or any part of Punte outside the engine, fails there as it would at an
# agency that has only the engine.
IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil, sys

class Outside:
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        inside = name in ("punte", "punte.linkage") or name.startswith("punte.linkage.engine")
        if top == "django" or (top == "punte" and not inside):
            raise ModuleNotFoundError(f"the engine imported {name}", name=name)
        return None

sys.meta_path.insert(0, Outside())
import punte.linkage.engine as engine

names = [m.name for m in pkgutil.walk_packages(engine.__path__, "punte.linkage.engine.")]
for name in names:
    importlib.import_module(name)
print(json.dumps(names))
"""


def test_every_engine_module_imports_without_django_or_the_rest_of_punte():
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_MODULE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    imported = set(json.loads(done.stdout.splitlines()[-1]))
    modules = {f"punte.linkage.engine.{path.stem}" for path in ENGINE.glob("*.py")}
    assert imported == modules - {"punte.linkage.engine.__init__"}
