from django.urls import path

from punte.identification import views

app_name = "identification"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("new/", views.person_create, name="person_create"),
    path("<uuid:person_id>/", views.person_detail, name="person_detail"),
    path("<uuid:person_id>/edit/", views.person_edit, name="person_edit"),
]

# Screening, consent and decisions (ADR 0022).
from punte.identification.urls_mechanism import urlpatterns as mechanism_urlpatterns  # noqa: E402

urlpatterns += mechanism_urlpatterns
