"""Assistance cases' pages in the accessibility suite (punte.testing.accessibility)."""

from django.urls import reverse

from punte.testing.pages import Page


def child_case(scene):
    """A child's case with a prosecutor on its team, built once per scene."""
    if getattr(scene, "_child_case", None) is None:
        from punte.cases.tests.factories import open_case, team_member

        case = open_case(is_child=True)
        manager = case.created_by.memberships.get(organisation=case.owner_organisation)
        team_member(case, manager=manager)
        scene._child_case = (case, manager)
    return scene._child_case


def _manager(scene):
    return child_case(scene)[1]


def _case_page(name: str):
    return lambda s: reverse(f"cases:{name}", args=[child_case(s)[0].pk])


PAGES = [
    Page("assistance cases", lambda s: (child_case(s), reverse("cases:list"))[1], login=_manager),
    Page("assistance case", _case_page("detail"), login=_manager),
    Page("case assessment", _case_page("assess"), login=_manager),
    Page("case plan", _case_page("plan"), login=_manager),
    Page(
        "provider's services",
        lambda s: reverse("cases:provider_services"),
        login=lambda s: s.member("service_provider"),
    ),
]
