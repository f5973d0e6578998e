from django.urls import path

from punte.referrals import views

URL_PREFIX = "referrals/"
app_name = "referrals"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("overdue/", views.overdue, name="overdue"),
    path("services/", views.service_registry, name="services"),
    path("services/<uuid:offering_id>/archive", views.service_archive, name="service_archive"),
    path("route/<uuid:person_id>/", views.route, name="route"),
    path("<uuid:referral_id>/", views.detail, name="detail"),
    path("<uuid:referral_id>/<slug:to_status>", views.transition, name="transition"),
    path("<uuid:referral_id>/<slug:to_status>/confirm", views.confirm, name="confirm"),
]
