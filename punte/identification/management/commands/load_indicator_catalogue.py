from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from punte.identification.screening.catalogue.schema import (
    CatalogueError,
    default_files,
    read_catalogue,
)
from punte.identification.screening.catalogue.store import load_catalogue


class Command(BaseCommand):
    help = (
        "Load indicator catalogue versions into the database (by default every file in "
        "punte/identification/screening/catalogue/). Loading again is harmless; a version that "
        "exists with different content is refused (exit 2): versions are immutable."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            dest="files",
            action="append",
            type=Path,
            help="a catalogue file (YAML); may be given more than once",
        )

    def handle(self, *args, files, **options):
        files = files or default_files()
        if not files:
            raise CommandError("No catalogue file found.", returncode=2)
        try:
            # Check every file before writing anything, then load them all or none.
            catalogues = [(path, read_catalogue(path)) for path in files]
        except CatalogueError as exc:
            raise CommandError(f"Catalogue refused: {exc}", returncode=2) from exc
        versions = [data.version for _, data in catalogues]
        duplicated = sorted({v for v in versions if versions.count(v) > 1})
        if duplicated:
            raise CommandError(
                f"Catalogue refused: version {', '.join(duplicated)} is in more than one file.",
                returncode=2,
            )
        try:
            with transaction.atomic():
                results = [(path, load_catalogue(data)) for path, data in catalogues]
        except CatalogueError as exc:
            raise CommandError(f"Catalogue refused: {exc}", returncode=2) from exc
        for path, result in results:
            if result.created:
                self.stdout.write(
                    f"{result.version}: loaded from {path.name}, {result.indicators} indicators "
                    f"(checksum {result.checksum[:12]})."
                )
            else:
                self.stdout.write(f"{result.version}: already loaded, unchanged.")
