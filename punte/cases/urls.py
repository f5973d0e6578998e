from django.urls import path

from punte.cases import views

URL_PREFIX = "cases/"
app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("open/", views.case_open, name="open"),
    path("services/", views.provider_services, name="provider_services"),
    path("services/<uuid:service_id>/", views.service_detail, name="service"),
    path(
        "services/<uuid:service_id>/<slug:to_status>",
        views.service_transition,
        name="service_transition",
    ),
    path("<uuid:case_id>/", views.detail, name="detail"),
    path("<uuid:case_id>/closure", views.closure_request, name="closure_request"),
    path("<uuid:case_id>/closure/<slug:decision>", views.closure_decide, name="closure_decide"),
    path("<uuid:case_id>/reopen", views.reopen, name="reopen"),
    path("<uuid:case_id>/transfer", views.transfer_request, name="transfer_request"),
    path(
        "<uuid:case_id>/transfer/<uuid:transfer_id>/<slug:to_status>",
        views.transfer_decide,
        name="transfer_decide",
    ),
    path("<uuid:case_id>/team", views.team_add, name="team_add"),
    path("<uuid:case_id>/team/<uuid:member_id>/end", views.team_end, name="team_end"),
    path("<uuid:case_id>/services", views.service_request, name="service_request"),
    path("<uuid:case_id>/follow-ups", views.follow_up_schedule, name="follow_up_schedule"),
    path(
        "<uuid:case_id>/follow-ups/<uuid:follow_up_id>/done",
        views.follow_up_done,
        name="follow_up_done",
    ),
    path("<uuid:case_id>/assessment", views.assess, name="assess"),
    path("<uuid:case_id>/plan", views.plan, name="plan"),
    path("<uuid:case_id>/plan/compare", views.plan_compare, name="plan_compare"),
    path("<uuid:case_id>/sections/<slug:section>", views.section, name="section"),
]
