"""Pages of screening, consent and decisions about a person, in the app's `identification`
namespace under the person's address (identification/urls.py)."""

from django.urls import path

from punte.identification.screening import views

urlpatterns = [
    path("<uuid:person_id>/screenings/", views.person_screenings, name="person_screenings"),
    path("<uuid:person_id>/consent/", views.person_consent, name="person_consent"),
    path("<uuid:person_id>/decisions/", views.person_decisions, name="person_decisions"),
    path("screenings/<uuid:screening_id>/", views.screening_page, name="screening"),
    path(
        "screenings/<uuid:screening_id>/autosave",
        views.screening_autosave,
        name="screening_autosave",
    ),
    path("screenings/<uuid:screening_id>/result/", views.screening_result, name="screening_result"),
]
