from django.core.management.base import BaseCommand

from punte.accounts.roles import seed_roles


class Command(BaseCommand):
    help = "Create the roles of the catalogue that are missing; --reset restores every default."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true")

    def handle(self, *args, reset, **options):
        touched = seed_roles(reset=reset)
        self.stdout.write(f"{touched} role(s) created or reset.")
