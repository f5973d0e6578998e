from django.conf import settings
from django.http import HttpResponse
from django.urls import include, path

from punte.api import api
from punte.core import views as core_views
from punte.identification.signals import views as signal_views

urlpatterns = [
    # First: Django tries the patterns in order, and API clients call far more often than pages
    # are opened; no page's URL starts with api/v1/.
    path("api/v1/", api.urls),
    path("", core_views.home, name="home"),
    path("healthz", lambda request: HttpResponse("ok", content_type="text/plain")),
    path("favicon.ico", core_views.favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("punte.accounts.urls")),
    path("webauthn/", include("punte.accounts.urls_webauthn", namespace="otp_webauthn")),
    path("audit/", include("punte.core.urls")),
    path("persons/", include("punte.identification.urls")),
    path("signals/", include("punte.identification.signals.urls")),
    path("report/", signal_views.public_report, name="public_report"),
    path("report/thanks/", signal_views.public_report_thanks, name="public_report_thanks"),
    path("linkage/", include("punte.linkage.urls")),
    path("", include("punte.journey.urls")),
    path("statistics/", include("punte.statistics.urls")),
    path("notifications/", include("punte.notifications.urls")),
    path("referrals/", include("punte.referrals.urls")),
]

handler400 = "punte.core.views.bad_request"
handler403 = "punte.core.views.permission_denied"
handler404 = "punte.core.views.page_not_found"
handler500 = "punte.core.views.server_error"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
