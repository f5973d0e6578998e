from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from punte.referrals.rules import RulesError, default_files, load_rules, read_rules


class Command(BaseCommand):
    help = (
        "Load routing rule versions into the database (by default every file in "
        "punte/referrals/rules/). Loading again is harmless; a version that exists with "
        "different content is refused (exit 2): versions are immutable."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", dest="files", action="append", type=Path)

    def handle(self, *args, files, **options):
        files = files or default_files()
        try:
            parsed = [(path, read_rules(path)) for path in files]
            with transaction.atomic():
                results = [(path, load_rules(data)) for path, data in parsed]
        except (RulesError, OSError) as exc:
            raise CommandError(f"Routing rules refused: {exc}", returncode=2) from exc
        for path, result in results:
            state = "loaded" if result.created else "already loaded, unchanged"
            self.stdout.write(f"{result.version}: {state} ({path.name}, {result.rules} rules)")
