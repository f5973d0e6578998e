"""Organisations in the administration UI: list, create, edit, deactivate and reactivate."""

import pytest
from django.urls import reverse

from punte.accounts.models import Organisation, OrganisationType
from punte.accounts.tests.factories import MembershipFactory, OrganisationFactory
from punte.core.models import AuditEvent
from punte.testing.web import verified_client


@pytest.fixture
def admin(db):
    return MembershipFactory(role_code="system_admin")


@pytest.fixture
def client(admin):
    return verified_client(admin.user)


def _form(**overrides):
    data = {
        "name": "DGASPC Cluj",
        "code": "dgaspc-cluj",
        "type": OrganisationType.CHILD_PROTECTION,
        "county": "RO-CJ",
        "parent": "",
        "email": "contact@dgaspc-cluj.example",
    }
    data.update(overrides)
    return data


def test_create_an_organisation(client, admin):
    response = client.post(reverse("accounts:admin_organisation_create"), _form())

    organisation = Organisation.objects.get(code="dgaspc-cluj")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "accounts:admin_organisation_detail", args=[organisation.pk]
    )
    assert organisation.county_id == "RO-CJ"
    assert organisation.type == OrganisationType.CHILD_PROTECTION
    assert organisation.created_by == admin.user
    event = AuditEvent.objects.get(action="organisation.created", subject_id=str(organisation.pk))
    assert event.actor_id == admin.user_id
    assert event.changes["code"] == {"old": None, "new": "dgaspc-cluj"}
    # The new organisation is on its page and in the list.
    assert "DGASPC Cluj" in client.get(response["Location"]).content.decode()
    assert "DGASPC Cluj" in client.get(reverse("accounts:admin_organisation_list")).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the name"),
        ({"code": "Not A Slug!"}, "code", "Enter the code with letters, digits, hyphens"),
        ({"type": "bakery"}, "type", "Select one of the options offered for type"),
        ({"county": "RO-XX"}, "county", "Select one of the options offered for county"),
        ({"email": "not-an-address"}, "email", "Enter the e-mail address in the form name@"),
        ({"code": "taken"}, "code", "Another organisation already uses this code."),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(client, overrides, field, message):
    OrganisationFactory(code="taken")
    before = (Organisation.objects.count(), AuditEvent.objects.count())

    response = client.post(reverse("accounts:admin_organisation_create"), _form(**overrides))

    assert response.status_code == 422
    page = response.content.decode()
    # The error summary links to the field; the field says what is wrong and is described by it.
    assert f'href="#id_{field}"' in page
    assert message in page
    assert f'id="id_{field}_error"' in page
    assert f'aria-describedby="id_{field}_' in page
    assert 'aria-invalid="true"' in page
    assert (Organisation.objects.count(), AuditEvent.objects.count()) == before


def test_edit_records_old_and_new_values(client, admin):
    parent = OrganisationFactory(name="ANITP", type=OrganisationType.NATIONAL_AGENCY, county=None)
    organisation = OrganisationFactory(name="Centrul Regional Cluj", code="cr-cluj")
    edit = reverse("accounts:admin_organisation_edit", args=[organisation.pk])
    form_page = client.get(edit)
    based_on = form_page.context["form"].initial["based_on"]

    response = client.post(
        edit,
        _form(
            name="Centrul Regional ANITP Cluj",
            code="cr-cluj",
            type=OrganisationType.REGIONAL_CENTRE,
            parent=str(parent.pk),
            email="",
            based_on=based_on,
        ),
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Centrul Regional ANITP Cluj"
    assert organisation.parent == parent
    assert organisation.modified_by == admin.user
    event = AuditEvent.objects.get(action="organisation.changed", subject_id=str(organisation.pk))
    assert event.changes["name"] == {
        "old": "Centrul Regional Cluj",
        "new": "Centrul Regional ANITP Cluj",
    }
    assert event.changes["parent_id"] == {"old": None, "new": str(parent.pk)}
    assert "code" not in event.changes  # unchanged fields are not recorded


def test_saving_without_changes_writes_no_audit_row(client):
    organisation = OrganisationFactory(
        name="Same", code="same", type=OrganisationType.NGO, county_id="RO-CJ"
    )
    edit = reverse("accounts:admin_organisation_edit", args=[organisation.pk])
    based_on = client.get(edit).context["form"].initial["based_on"]
    before = AuditEvent.objects.count()
    response = client.post(
        edit,
        _form(name="Same", code="same", type=OrganisationType.NGO, email="", based_on=based_on),
    )
    assert response.status_code == 302
    assert AuditEvent.objects.count() == before


def test_an_organisation_cannot_sit_under_its_own_unit(client):
    top = OrganisationFactory()
    unit = OrganisationFactory(parent=top)
    edit = reverse("accounts:admin_organisation_edit", args=[top.pk])
    response = client.post(edit, _form(name=top.name, code=top.code, parent=str(unit.pk)))
    assert response.status_code == 422
    assert "cannot sit under itself" in response.content.decode()
    top.refresh_from_db()
    assert top.parent is None


def test_deactivate_and_reactivate_with_a_reason(client, admin):
    organisation = OrganisationFactory()
    member = MembershipFactory(organisation=organisation, role_code="regional_officer")
    member_client = verified_client(member.user)
    assert member_client.get("/").context["membership"] == member

    url = reverse("accounts:admin_organisation_deactivate", args=[organisation.pk])
    assert client.post(url, {"reason": ""}).status_code == 422  # a reason is required
    response = client.post(url, {"reason": "Merged into another directorate"})

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert not organisation.is_active
    event = AuditEvent.objects.get(action="organisation.deactivated")
    assert event.changes == {
        "is_active": {"old": True, "new": False},
        "reason": "Merged into another directorate",
    }
    # Its member no longer acts for it, from the next request on.
    assert member_client.get("/").context["membership"] is None
    # The reason shows in the organisation's history.
    detail = client.get(reverse("accounts:admin_organisation_detail", args=[organisation.pk]))
    assert "Merged into another directorate" in detail.content.decode()

    url = reverse("accounts:admin_organisation_reactivate", args=[organisation.pk])
    client.post(url, {"reason": "Merger cancelled"})
    organisation.refresh_from_db()
    assert organisation.is_active
    assert member_client.get("/").context["membership"] == member


def test_the_administrator_cannot_deactivate_the_organisation_they_act_for(client, admin):
    url = reverse("accounts:admin_organisation_deactivate", args=[admin.organisation_id])
    response = client.post(url, {"reason": "oops"})
    assert response.status_code == 422
    assert "acting for" in response.content.decode()
    admin.organisation.refresh_from_db()
    assert admin.organisation.is_active


def test_list_filters_by_type_county_name_and_status(client):
    OrganisationFactory(name="Poliția Cluj", type=OrganisationType.POLICE, county_id="RO-CJ")
    OrganisationFactory(name="Poliția Iași", type=OrganisationType.POLICE, county_id="RO-IS")
    OrganisationFactory(name="Salvați Copiii Iași", type=OrganisationType.NGO, county_id="RO-IS")
    OrganisationFactory(
        name="Old NGO Iași", type=OrganisationType.NGO, county_id="RO-IS", is_active=False
    )
    url = reverse("accounts:admin_organisation_list")

    def names(**params):
        return {o.name for o in client.get(url, params).context["page_obj"]}

    assert names(type="police") == {"Poliția Cluj", "Poliția Iași"}
    assert names(county="RO-IS", type="police") == {"Poliția Iași"}
    assert names(q="copii") == {"Salvați Copiii Iași"}
    assert names(county="RO-IS", active="no") == {"Old NGO Iași"}
    assert names(county="RO-IS", active="yes") == {"Poliția Iași", "Salvați Copiii Iași"}


def test_htmx_filtering_returns_only_the_results(client):
    OrganisationFactory(name="Poliția Cluj", type=OrganisationType.POLICE)
    response = client.get(
        reverse("accounts:admin_organisation_list"), {"q": "Cluj"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="results">')
    assert "Poliția Cluj" in page
    assert "<html" not in page
    assert 'role="status"' in page  # the count is announced to screen readers


def test_the_list_is_an_accessible_table(client):
    OrganisationFactory()
    page = client.get(reverse("accounts:admin_organisation_list")).content.decode()
    assert '<caption id="organisation-results-table-1">' in page
    # The table scrolls inside its own labelled region on a narrow screen, never the page.
    assert (
        '<div class="table-scroll" role="region" '
        'aria-labelledby="organisation-results-table-1" tabindex="0">'
    ) in page
    assert '<th scope="col">' in page
    assert '<th scope="row">' in page
    assert 'style="' not in page and "onclick" not in page  # CSP: no inline style or script


def test_the_organisation_list_costs_the_same_number_of_queries_for_3_or_40(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("accounts:admin_organisation_list")).status_code == 200
        return len(captured)

    parent = OrganisationFactory()
    OrganisationFactory.create_batch(1, parent=parent)
    few = queries()
    OrganisationFactory.create_batch(37, parent=parent)
    assert queries() == few
