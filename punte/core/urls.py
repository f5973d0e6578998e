from django.urls import path

from punte.core import audit_views

app_name = "audit"

urlpatterns = [
    path("person-access/", audit_views.person_access, name="person_access"),
    path("search/", audit_views.search, name="search"),
]
