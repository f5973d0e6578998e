from django.urls import path

from punte.journey import views

URL_PREFIX = ""
app_name = "journey"

# The home page keeps its name `home`, outside the app's namespace: every page links to it.
ROOT_URLPATTERNS = [path("", views.home, name="home")]

urlpatterns = [
    path("worklist/<str:key>/", views.worklist_section, name="worklist_section"),
    path("persons/<uuid:person_id>/journey/", views.person_journey, name="person_journey"),
]
