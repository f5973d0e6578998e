"""The JSON API, /api/v1/. Each app contributes a router; conventions live in core.api_support."""

from punte.accounts.api import router as accounts_router
from punte.accounts.auth import BearerTokenAuth, SessionAuth
from punte.core.api_audit import router as audit_router
from punte.core.api_support import PunteAPI
from punte.identification.persons.api import router as identification_router
from punte.identification.screening.api import router as mechanism_router
from punte.identification.signals.api import router as signal_router
from punte.journey.api import router as journey_router
from punte.linkage.api import router as linkage_router
from punte.notifications.api import router as notifications_router
from punte.referrals.api import router as referrals_router
from punte.statistics.api import router as statistics_router

api = PunteAPI(
    title="Punte API",
    version="1",
    description=(
        "The national anti-trafficking information system. Authenticate with "
        "`Authorization: Bearer <token>` (see `manage.py create_api_token`). Errors are RFC 9457 "
        "problem documents naming the offending field. Every POST honours an `Idempotency-Key` "
        "header. Lists use cursor pagination (`cursor`, `limit`)."
    ),
    auth=[BearerTokenAuth(), SessionAuth()],
    urls_namespace="api-v1",
)
api.add_router("", accounts_router)
api.add_router("", identification_router)
api.add_router("", mechanism_router)
api.add_router("", signal_router)
api.add_router("", linkage_router)
api.add_router("", audit_router)
api.add_router("", journey_router)
api.add_router("", statistics_router)
api.add_router("", notifications_router)
api.add_router("", referrals_router)
