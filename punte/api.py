"""The JSON API, /api/v1/. Each app contributes the `router` of its `api.py` (found by
core.contract); conventions live in core.api_support."""

from punte.accounts.auth import BearerTokenAuth, SessionAuth
from punte.core import contract
from punte.core.api_support import PunteAPI

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
# In INSTALLED_APPS order, which is the order of the paths in the OpenAPI document.
for _module in contract.modules("api"):
    if hasattr(_module, "router"):
        api.add_router("", _module.router)
