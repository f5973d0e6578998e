from django.urls import include, path

from punte.identification import public_report, signal_urls, views

URL_PREFIX = "persons/"
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

# The app's other pages, mounted at the site's root by punte.urls: the signals under their own
# namespace, and the public report form whose address is printed on posters.
ROOT_URLPATTERNS = [
    path(signal_urls.URL_PREFIX, include(signal_urls)),
    path("report/", public_report.public_report, name="public_report"),
    path("report/thanks/", public_report.public_report_thanks, name="public_report_thanks"),
]
