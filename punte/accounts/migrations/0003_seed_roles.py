from django.db import migrations

# Roles were seeded here from the live catalogue. They are now created, with their defaults, by
# seed_roles after every migrate (accounts.roles); the migration stays because others depend on
# its name.


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = []
