"""Punte's own URLs plus the baseline view; this URLconf is loaded only by the benchmark."""

from django.urls import path

from bench.api_overhead.views import bare_person
from punte.urls import handler400, handler403, handler404, handler500  # noqa: F401
from punte.urls import urlpatterns as punte_urlpatterns

# Under /api/ so that it passes through exactly the same middleware as the API (RequireMFA lets
# /api/ through: the API authenticates by itself), without any of the API's own work.
urlpatterns = [path("api/bench-bare/<uuid:person_id>", bare_person), *punte_urlpatterns]
