from django.urls import path

from punte.journey import screen, views

URL_PREFIX = ""
app_name = "journey"

# The home page keeps its name `home`, outside the app's namespace: every page links to it.
ROOT_URLPATTERNS = [path("", views.home, name="home")]

urlpatterns = [
    path("worklist/<str:key>/", views.worklist_section, name="worklist_section"),
    path("persons/<uuid:person_id>/journey/", views.person_journey, name="person_journey"),
    # The guided path "screen a person" (journey/screen.py).
    path("screen/", screen.start, name="screen_start"),
    path("screen/persons/<uuid:person_id>/full/", screen.full, name="screen_full"),
    path("screen/<uuid:screening_id>/", screen.questions, name="screen_questions"),
    path("screen/<uuid:screening_id>/result/", screen.result, name="screen_result"),
    path("screen/<uuid:screening_id>/consent/", screen.consent_step, name="screen_consent"),
    path("screen/<uuid:screening_id>/sent/", screen.sent, name="screen_sent"),
]
