"""The production settings, unchanged, plus the benchmark's own URLconf (which adds the baseline
and the Django REST framework side) and the apps only that side uses.

Everything Punte's measured request goes through (middleware, database options, persistent
connections, logging, security settings) is exactly what production runs: the added apps bring
no middleware, and the DRF side's audit context is set in its own view.
"""

from punte.settings.production import *  # noqa: F403
from punte.settings.production import INSTALLED_APPS

ROOT_URLCONF = "bench.api_overhead.urls"
"""Punte's own URLs plus the two comparison sides; this URLconf is loaded only by the benchmark."""

# Benchmark-only dependencies (pyproject.toml's optional group `bench`); their tables are made
# by the benchmark's own `migrate`.
INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework", "rest_framework.authtoken", "auditlog"]

REST_FRAMEWORK = {
    # JSON only, as an API-only deployment configures it (the client asks for JSON anyway).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}
