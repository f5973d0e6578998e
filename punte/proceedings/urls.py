from django.urls import path

from punte.proceedings import views

URL_PREFIX = "proceedings/"
app_name = "proceedings"

urlpatterns = [
    path("case/<uuid:case_id>/", views.case_proceedings, name="case_proceedings"),
    path("<uuid:proceeding_id>/", views.detail, name="detail"),
    path(
        "<uuid:proceeding_id>/<str:what>/",
        views.follow,
        name="follow",
    ),
]
