import pytest

from punte.journey import registry


@pytest.fixture
def contributions(monkeypatch):
    """Replace what the apps contribute by what a test declares (sections, sources)."""
    declared = registry._Contributions()
    monkeypatch.setattr(registry, "_contributions", lambda: declared)
    return declared
