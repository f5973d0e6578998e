"""The demo's registry: the 47 rooms the seed names, in every county, loaded once."""

import pytest

from punte.core.models import County
from punte.hearings import demo
from punte.hearings.models import HearingRoom

pytestmark = pytest.mark.django_db


def test_the_demo_loads_47_rooms_covering_every_county_and_is_idempotent():
    from punte.accounts.tests.factories import OrganisationFactory

    OrganisationFactory(code="anitp")
    assert demo.rooms() == 47
    assert demo.rooms() == 0
    assert HearingRoom.objects.count() == 47
    assert set(HearingRoom.objects.values_list("county", flat=True)) == set(
        County.objects.values_list("code", flat=True)
    )
    assert all(room.opening_hours.exists() for room in HearingRoom.objects.all())
