from django.urls import path

from punte.auditing import views as audit_views

# Under /audit/, with the URL names `audit:…` the pages and links have always used.
URL_PREFIX = "audit/"
app_name = "audit"

urlpatterns = [
    path("person-access/", audit_views.person_access, name="person_access"),
    path("search/", audit_views.search, name="search"),
]
