"""Django's migrate, in the system context of row-level security (ADR 0036): a data migration
reads and writes every row, whoever the connected role is."""

from django.core.management.commands.migrate import Command as MigrateCommand

from punte.core import rls


class Command(MigrateCommand):
    def handle(self, *args, **options):
        with rls.system("migrate"):
            return super().handle(*args, **options)
