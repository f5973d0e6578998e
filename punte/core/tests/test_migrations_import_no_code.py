"""Migrations are history: what they do must not change when the code does."""

import ast
from pathlib import Path

import pytest
from django.core.management import call_command

from punte.core import reference_data
from punte.core.models import Country, County, Language

PUNTE = Path(__file__).resolve().parents[2]
# Django writes the model fields' classes into the migrations that create them.
FIELD_CLASSES = {"punte.core.fields"}


def _punte_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("punte"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("punte")}
    return found


def test_no_migration_imports_application_code():
    offenders = {
        str(path.relative_to(PUNTE)): sorted(imports)
        for path in PUNTE.glob("**/migrations/0*.py")
        if (imports := _punte_imports(path) - FIELD_CLASSES)
    }
    assert offenders == {}


@pytest.mark.django_db
def test_reference_data_follows_the_release_after_every_migrate():
    Country.objects.filter(alpha2="MD").update(name="renamed by hand")
    Language.objects.filter(code="ukr").delete()
    call_command("migrate", verbosity=0)
    [moldova] = [row for row in reference_data.countries() if row["alpha2"] == "MD"]
    assert Country.objects.get(alpha2="MD").name == moldova["name"] != "renamed by hand"
    assert Language.objects.filter(code="ukr").exists()
    assert County.objects.count() == 42
    assert reference_data.load() == 0  # nothing left to write
