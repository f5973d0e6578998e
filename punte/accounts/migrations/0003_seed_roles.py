from django.db import migrations


def seed(apps, schema_editor):
    from punte.accounts.roles import seed_roles

    seed_roles(role_model=apps.get_model("accounts", "Role"),
               grant_model=apps.get_model("accounts", "RolePermission"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
