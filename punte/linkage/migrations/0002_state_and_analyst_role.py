from django.db import migrations


def forwards(apps, schema_editor):
    # The lock row every linking write takes.
    apps.get_model("linkage", "LinkageState").objects.get_or_create(pk=1)
    # Databases seeded before record linkage existed lack the data analyst role: create the
    # roles that are missing (existing roles and their permissions are left alone).
    from punte.accounts.roles import seed_roles

    seed_roles(role_model=apps.get_model("accounts", "Role"),
               grant_model=apps.get_model("accounts", "RolePermission"))


class Migration(migrations.Migration):
    dependencies = [
        ("linkage", "0001_initial"),
        ("accounts", "0003_seed_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
