from django.urls import path

from punte.identification.signals import views

URL_PREFIX = "signals/"
app_name = "signals"

urlpatterns = [
    path("", views.signal_list, name="list"),
    path("new/", views.signal_create, name="create"),
    path("<uuid:signal_id>/", views.signal_detail, name="detail"),
    path("<uuid:signal_id>/triage/", views.signal_triage, name="triage"),
    path("<uuid:signal_id>/people/", views.signal_add_person, name="add_person"),
]

# The public report form, at the site's root outside the namespace: its address is printed on
# posters.
ROOT_URLPATTERNS = [
    path("report/", views.public_report, name="public_report"),
    path("report/thanks/", views.public_report_thanks, name="public_report_thanks"),
]
