from django.urls import path

from punte.linkage import views

URL_PREFIX = "linkage/"
app_name = "linkage"

urlpatterns = [
    path("review/", views.review_queue, name="review_queue"),
    path("review/<uuid:pair_id>/", views.review_pair, name="review_pair"),
    path("persons/<uuid:national_person_id>/", views.national_person, name="national_person"),
    path("records/<uuid:person_id>/separate/", views.separate, name="separate"),
    path("relink/", views.relink, name="relink"),
]
