"""Pages of persons' records, in the app's `identification` namespace (identification/urls.py)."""

from django.urls import path

from punte.identification.persons import views

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("new/", views.person_create, name="person_create"),
    path("<uuid:person_id>/", views.person_detail, name="person_detail"),
    path("<uuid:person_id>/edit/", views.person_edit, name="person_edit"),
]
