"""Punte's own URLs plus the baseline view; this URLconf is loaded only by the benchmark."""

from django.urls import path

from bench.worklist.views import bare_worklist
from punte.urls import handler400, handler403, handler404, handler500  # noqa: F401
from punte.urls import urlpatterns as punte_urlpatterns

# Under /api/ so that it crosses exactly the same middleware as the API, without its own work.
urlpatterns = [
    path("api/bench-bare-worklist/<uuid:organisation_id>", bare_worklist),
    *punte_urlpatterns,
]
