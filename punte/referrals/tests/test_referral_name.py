"""A referral has one name on every list: the inbox, the overdue list and the worklist."""

import pytest
from django.utils import translation

from punte.referrals.naming import referral_name
from punte.referrals.tests.factories import responder_of, send_service_referral
from punte.testing.web import verified_client

pytestmark = pytest.mark.django_db


def test_the_inbox_and_the_worklist_name_a_referral_the_same_way(rules):
    referral = send_service_referral()
    responder = responder_of(referral.receiver_organisation, "ngo_caseworker")
    client = verified_client(responder.user)
    inbox = client.get("/referrals/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with translation.override("en"):
        name = referral_name(referral)
    assert name.startswith("Shelter · Cluj · record ")
    assert f'<a href="/referrals/{referral.pk}/">{name}</a>' in inbox
    # The worklist isolates every label (it may hold an organisation's typed name).
    assert f'<a href="/referrals/{referral.pk}/"><bdi>{name}</bdi></a>' in home


def test_the_name_is_in_the_reader_s_language_and_names_no_person(rules):
    referral = send_service_referral()
    with translation.override("ro"):
        romanian = referral_name(referral)
    with translation.override("uk"):
        ukrainian = referral_name(referral)
    assert "Adăpost" in romanian and "fișa" in romanian
    assert "Притулок" in ukrainian and "запис" in ukrainian
    assert str(referral.person_id)[:8] in romanian
    assert "Ana" not in romanian and "Popescu" not in romanian
