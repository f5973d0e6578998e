"""API for screenings, consent, anonymous notifications, decisions and reflection periods.

Thin: validate the shape, find the record through a scoped selector (404 outside scope), call a
service. Errors are problem documents naming the field (core.api_support).
"""

from ninja import Router

from punte.identification.screening.api import catalogue, consent, decisions, screenings

router = Router(tags=["screening, consent and decisions"])
# In the order the operations are listed in the OpenAPI document.
router.add_router("", catalogue.router)
router.add_router("", screenings.router)
router.add_router("", consent.router)
router.add_router("", decisions.router)
