import pytest

from punte.referrals.tests.factories import ensure_rules


@pytest.fixture
def rules(db):
    return ensure_rules()
