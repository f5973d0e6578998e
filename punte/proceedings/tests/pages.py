"""Criminal proceedings' pages in the accessibility suite (punte.testing.accessibility)."""

from django.urls import reverse

from punte.cases.tests.pages import child_case
from punte.testing.pages import Page


def _proceeding(scene):
    """A proceeding of the scene's child case, under investigation with a suspect."""
    if getattr(scene, "_proceeding", None) is None:
        from punte.proceedings import services
        from punte.proceedings.tests.factories import prosecution_office, prosecutor_of, recorded

        case, manager = child_case(scene)
        office = prosecution_office()
        proceeding = recorded(case=case, manager=manager, office=office)
        prosecutor = prosecutor_of(office)
        services.proceeding_advance(
            actor=prosecutor, proceeding_id=proceeding.pk, stage="investigation"
        )
        services.offender_record(
            actor=prosecutor,
            proceeding_id=proceeding.pk,
            sex="male",
            age_group="35-44",
            citizenship="RO",
            name="Suspect \u202efictiv",
        )
        scene._proceeding = (proceeding, prosecutor)
    return scene._proceeding


PAGES = [
    Page(
        "case's criminal proceedings",
        lambda s: reverse("proceedings:case_proceedings", args=[_proceeding(s)[0].case_id]),
        login=lambda s: child_case(s)[1],
    ),
    Page(
        "criminal proceeding",
        lambda s: reverse("proceedings:detail", args=[_proceeding(s)[0].pk]),
        login=lambda s: _proceeding(s)[1],
    ),
]
