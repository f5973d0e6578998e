import datetime
import io
import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from punte.accounts.models import Membership, Organisation, OrganisationType, User
from punte.accounts.permissions import ROLE_DEFINITIONS
from punte.core.models import AuditEvent
from punte.demo import loading as demo
from punte.identification.persons.models import Person

pytestmark = pytest.mark.django_db


def _load() -> str:
    out = io.StringIO()
    call_command("load_demo", "--no-qr", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "devices": TOTPDevice.objects.count(),
        "persons": Person.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture
def demo_on(settings):
    settings.PUNTE_DEMO = True


def test_refuses_unless_demo_settings(settings):
    settings.PUNTE_DEMO = False
    with pytest.raises(CommandError) as excinfo:
        call_command("load_demo", "--no-qr", stdout=io.StringIO())
    assert excinfo.value.returncode == 2
    assert "PUNTE_DEMO" in str(excinfo.value)
    assert not Organisation.objects.exists()
    assert not User.objects.exists()


def test_running_twice_adds_nothing(demo_on):
    first_output = _load()
    first = _counts()
    second_output = _load()
    assert _counts() == first
    assert "Demo data loaded" in first_output
    assert "nothing to add" in second_output
    assert first["persons"] >= 10
    assert first["organisations"] >= 40


def test_second_run_restores_a_changed_password_and_authenticator(demo_on):
    _load()
    user = User.objects.get(username="prosecutor")
    user.set_password("someone changed this one")
    user.save()
    TOTPDevice.objects.filter(user=user).update(confirmed=False)
    _load()
    user.refresh_from_db()
    assert user.check_password(demo.DEMO_PASSWORD)
    assert TOTPDevice.objects.get(user=user).confirmed


def test_every_role_has_a_working_login(demo_on):
    output = _load()
    for code in ROLE_DEFINITIONS:
        membership = Membership.objects.filter(role_id=code, is_active=True).first()
        assert membership is not None, f"no demo login holds role {code}"
        user = membership.user
        assert user.is_active
        assert user.check_password(demo.DEMO_PASSWORD)
        validate_password(demo.DEMO_PASSWORD, user)  # the same validators as a real login
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        # The code a newcomer computes from the printed secret is accepted.
        assert device.verify_token(totp(bytes.fromhex(demo.DEMO_TOTP_KEY)))
        assert re.search(rf"^{re.escape(user.username)}\s", output, re.MULTILINE)


def test_output_tells_a_newcomer_how_to_get_in(demo_on):
    output = _load()
    assert demo.DEMO_PASSWORD in output
    assert demo.demo_totp_secret() in output
    assert "otpauth://totp/" in output
    assert "http://localhost:8000" in output
    assert "demo_otp" in output


def test_the_printed_secret_is_the_authenticator_key(demo_on):
    import base64

    secret = demo.demo_totp_secret()
    padded = secret + "=" * (-len(secret) % 8)
    assert base64.b32decode(padded).hex() == demo.DEMO_TOTP_KEY


def test_the_national_agency_and_its_fifteen_regional_centres(demo_on):
    _load()
    agency = Organisation.objects.get(code="anitp", type=OrganisationType.NATIONAL_AGENCY)
    centres = Organisation.objects.filter(type=OrganisationType.REGIONAL_CENTRE, parent=agency)
    assert centres.count() == 15
    assert {c.county_id for c in centres} == {
        "RO-AB", "RO-BC", "RO-BV", "RO-B", "RO-DJ", "RO-CT", "RO-GL", "RO-IS",
        "RO-CJ", "RO-BH", "RO-AG", "RO-PH", "RO-SV", "RO-TM", "RO-MS",
    }  # fmt: skip
    assert centres.get(county_id="RO-MS").name.endswith("Târgu Mureș")


def test_every_kind_of_organisation_the_domain_names_is_there(demo_on):
    _load()
    present = set(Organisation.objects.values_list("type", flat=True))
    expected = {
        OrganisationType.POLICE, OrganisationType.BORDER_POLICE, OrganisationType.IMMIGRATION,
        OrganisationType.LABOUR_INSPECTORATE, OrganisationType.PROSECUTION,
        OrganisationType.CHILD_PROTECTION, OrganisationType.HOSPITAL, OrganisationType.NGO,
        OrganisationType.INTERNATIONAL, OrganisationType.FUND_COMMISSION,
        OrganisationType.EMERGENCY_INSPECTORATE, OrganisationType.EVALUATOR,
        OrganisationType.SERVICE_PROVIDER,
    }  # fmt: skip
    assert expected <= present
    assert Organisation.objects.filter(type=OrganisationType.CHILD_PROTECTION).count() >= 4
    assert Organisation.objects.filter(type=OrganisationType.PROSECUTION).count() >= 3


def test_persons_include_children_and_unknown_identities(demo_on):
    _load()
    persons = list(Person.objects.all())
    today = timezone.localdate()

    def is_child(p):
        if p.date_of_birth:
            return p.date_of_birth > today.replace(year=today.year - 18)
        return p.birth_year is not None and today.year - p.birth_year < 18

    assert sum(is_child(p) for p in persons) >= 3
    assert any(p.identity_unknown for p in persons)
    assert {p.citizenship_id for p in persons} >= {"RO", "MD", "UA"}
    named = next(p for p in persons if p.family_name == "Kovalenko")
    assert named.given_name == "Olena"
    assert named.date_of_birth == datetime.date(1995, 11, 8)
    # Recorded through the service: each person has an audit entry and an owner's grant.
    assert AuditEvent.objects.filter(action="person.created", person_id=named.pk).exists()
    assert named.access_grants.filter(organisation=named.owner_organisation).exists()


def test_a_role_added_later_still_gets_a_login(demo_on, monkeypatch):
    from punte.accounts import permissions

    monkeypatch.setitem(
        permissions.ROLE_DEFINITIONS, "hearing_coordinator", ("Hearing coordinator", "organisation")
    )
    _load()
    membership = Membership.objects.get(role_id="hearing_coordinator")
    assert membership.organisation.code == "anitp"
