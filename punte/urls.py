"""The site's URLs: the API, a few of the site's own, then each app's `urls.py` (core.contract).

An app's `urls.py` is mounted at its `URL_PREFIX` under its `app_name` (a part's `urls.py`
without a prefix is included by its app's own, in the app's namespace); its `ROOT_URLPATTERNS`,
if any, are mounted at the site's root outside that namespace, for addresses and names fixed
elsewhere (the home page, the public report, a library's namespace).
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.urls import include, path

from punte.api import api
from punte.core import contract
from punte.core import views as core_views
from punte.core.observability import views as observability_views


def _app_patterns() -> list:
    patterns: list = []
    for module in contract.modules("urls"):
        if hasattr(module, "URL_PREFIX"):
            patterns.append(path(module.URL_PREFIX, include(module)))
        elif hasattr(module, "urlpatterns") and not contract.is_part(module.__name__):
            raise ImproperlyConfigured(f"{module.__name__} has urlpatterns but no URL_PREFIX.")
        patterns += getattr(module, "ROOT_URLPATTERNS", [])
    return patterns


urlpatterns = [
    # First: Django tries the patterns in order, and API clients call far more often than pages
    # are opened; no page's URL starts with api/v1/.
    path("api/v1/", api.urls),
    # Liveness (the process answers), readiness (it can serve: docs/ARCHITECTURE.md,
    # "Operations") and metrics for Prometheus (the monitoring network only).
    path("healthz", lambda request: HttpResponse("ok", content_type="text/plain"), name="healthz"),
    path("readyz", observability_views.readyz, name="readyz"),
    path("metrics", observability_views.metrics_view, name="metrics"),
    path("favicon.ico", core_views.favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    *_app_patterns(),
]

handler400 = "punte.core.views.bad_request"
handler403 = "punte.core.views.permission_denied"
handler404 = "punte.core.views.page_not_found"
handler500 = "punte.core.views.server_error"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
