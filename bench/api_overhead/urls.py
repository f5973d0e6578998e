from django.urls import path

from bench.api_overhead.drf import PersonDetail
from bench.api_overhead.views import bare_person
from punte.urls import handler400, handler403, handler404, handler500  # noqa: F401
from punte.urls import urlpatterns as punte_urlpatterns

# Under /api/ so that they pass through exactly the same middleware as the API (RequireMFA lets
# /api/ through: the API authenticates by itself): the bare view without any of the API's own
# work, the DRF side with its own.
urlpatterns = [
    path("api/bench-bare/<uuid:person_id>", bare_person),
    path("api/bench-drf/persons/<uuid:pk>", PersonDetail.as_view()),
    *punte_urlpatterns,
]
