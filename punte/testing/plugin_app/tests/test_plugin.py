"""Adding an app is its folder and one line in INSTALLED_APPS: installed here alone, the plug-in
app shows up in the API, the URLs, the navigation, the permission catalogue and the roles'
grants, the permission matrix, the worklist and retention, and no other file names it."""

import importlib

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import NoReverseMatch, clear_url_caches, reverse

import punte.api
import punte.urls
from punte.accounts.permissions import catalogue
from punte.accounts.tests.factories import MembershipFactory
from punte.core import retention
from punte.journey.worklist import worklist_for
from punte.testing.api import ApiClient
from punte.testing.permission_matrix import all_endpoints, expected_status
from punte.testing.web import verified_client

PLUGIN = "punte.testing.plugin_app"

pytestmark = pytest.mark.django_db


def _reload_urls() -> None:
    # The API and the URLconf are built from the installed apps when they are imported.
    importlib.reload(punte.api)
    importlib.reload(punte.urls)
    clear_url_caches()


@pytest.fixture
def plugin_installed():
    try:
        with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, PLUGIN]):
            _reload_urls()
            # What `migrate` does after an app is added: its default grants reach the roles.
            call_command("migrate", verbosity=0)
            yield
    finally:
        _reload_urls()


def test_the_plugin_is_nowhere_without_its_line_in_installed_apps():
    assert "plugin.view" not in catalogue()
    assert (
        "/api/v1/plugin/organisations/{organisation_id}"
        not in punte.api.api.get_openapi_schema()["paths"]
    )
    with pytest.raises(NoReverseMatch):
        reverse("plugin_app:index")


def test_its_permission_and_default_grant(plugin_installed):
    assert "plugin.view" in catalogue()
    assert MembershipFactory(role_code="auditor").has_perm("plugin.view")
    assert not MembershipFactory(role_code="evaluator").has_perm("plugin.view")


def test_its_api_and_openapi_path(plugin_installed):
    paths = punte.api.api.get_openapi_schema()["paths"]
    assert "get" in paths["/api/v1/plugin/organisations/{organisation_id}"]
    auditor = MembershipFactory(role_code="auditor")
    response = ApiClient(auditor).get(f"/plugin/organisations/{auditor.organisation_id}")
    assert response.status_code == 200
    assert response.json() == {"id": str(auditor.organisation_id)}


def test_its_page_and_its_navigation_entry(plugin_installed):
    assert reverse("plugin_app:index") == "/plugin/"
    auditor = MembershipFactory(role_code="auditor")
    client = verified_client(auditor.user)
    assert client.get("/plugin/").content == b"plug-in page"
    assert '<a href="/plugin/">Plug-in</a>' in client.get("/").content.decode()
    evaluator = MembershipFactory(role_code="evaluator")
    home = verified_client(evaluator.user).get("/").content.decode()
    assert 'href="/plugin/"' not in home


@pytest.mark.parametrize("role_code", ["auditor", "evaluator"])
def test_its_endpoint_in_the_permission_matrix(plugin_installed, role_code):
    endpoint = next(e for e in all_endpoints() if e.name == "plugin.organisation")
    caller = MembershipFactory(role_code=role_code)
    owner = MembershipFactory(role_code="regional_officer")
    response = ApiClient(caller).request(
        endpoint.method, endpoint.path(endpoint.make_record(owner))
    )
    expected = expected_status(
        endpoint=endpoint,
        permissions=caller.permission_codes,
        scope=caller.role.scope,
        same_organisation=False,
        own_record=False,
    )
    assert response.status_code == expected == (200 if role_code == "auditor" else 404)


def test_its_worklist_section(plugin_installed):
    auditor = MembershipFactory(role_code="auditor")
    (section,) = [page for page in worklist_for(actor=auditor) if page.section.key == "plugin"]
    assert [item.id for item in section.items] == [str(auditor.organisation_id)]
    evaluator = MembershipFactory(role_code="evaluator")
    assert all(page.section.key != "plugin" for page in worklist_for(actor=evaluator))


def test_its_retention_rule(plugin_installed):
    assert "plugin_app.idempotency_record.erase" in {rule.name for rule in retention.discover()}
