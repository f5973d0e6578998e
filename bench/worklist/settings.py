"""The production settings, unchanged, plus the benchmark's URLconf (which adds the baseline)."""

from punte.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.worklist.urls"
