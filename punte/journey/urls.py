from django.urls import path

from punte.journey import views

app_name = "journey"

urlpatterns = [
    path("worklist/<str:key>/", views.worklist_section, name="worklist_section"),
    path("persons/<uuid:person_id>/journey/", views.person_journey, name="person_journey"),
]
