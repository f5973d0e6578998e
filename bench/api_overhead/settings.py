"""The production settings, unchanged, plus the benchmark's own URLconf (which adds the baseline).

Everything the measured request goes through (middleware, database options, persistent
connections, logging, security settings) is exactly what production runs.
"""

from punte.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.api_overhead.urls"
