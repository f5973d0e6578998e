"""Write a synthetic linkage benchmark: one CSV per agency, the ground truth and a manifest.

    python manage.py generate_linkage_benchmark --records 30000 --sources 5 --output DIR --seed 1

See punte.linkage.engine.generator for what the people and the errors look like.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from punte.linkage.engine import generator


class Command(BaseCommand):
    help = "Generate synthetic people recorded by several agencies, with errors and ground truth."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, required=True, help="number of records")
        parser.add_argument(
            "--sources",
            type=int,
            required=True,
            help=f"number of agencies (1-{len(generator.AGENCIES)})",
        )
        parser.add_argument("--output", required=True, help="directory to write into")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")

    def handle(self, *args, **options):
        try:
            bench = generator.generate(
                records=options["records"], sources=options["sources"], seed=options["seed"]
            )
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        manifest = generator.write(bench, Path(options["output"]))
        self.stdout.write(json.dumps(manifest, indent=2))
