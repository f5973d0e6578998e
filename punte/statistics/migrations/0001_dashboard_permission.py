from django.db import migrations

PERMISSION = "dashboard.national"


def forwards(apps, schema_editor):
    # Databases seeded before the dashboard existed: grant it to the roles that hold it by
    # default (accounts/permissions.py), leaving every other grant alone.
    from punte.accounts.permissions import ROLES

    Role = apps.get_model("accounts", "Role")
    RolePermission = apps.get_model("accounts", "RolePermission")
    for code, (_name, _scope, permissions) in ROLES.items():
        role = Role.objects.filter(code=code).first()
        if role is not None and PERMISSION in permissions:
            RolePermission.objects.get_or_create(role=role, permission=PERMISSION)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_seed_roles"),
        ("linkage", "0002_state_and_analyst_role"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
