from django.db import migrations

PERMISSION = "dashboard.national"


def forwards(apps, schema_editor):
    # Databases seeded before the dashboard existed: grant it to the roles that hold it by
    # default (accounts/permissions.py), leaving every other grant alone.
    from punte.accounts.permissions import ROLES
    from punte.accounts.roles import grant_missing

    grant_missing(
        role_model=apps.get_model("accounts", "Role"),
        grant_model=apps.get_model("accounts", "RolePermission"),
        grants={
            code: [PERMISSION] for code, (_name, _scope, held) in ROLES.items() if PERMISSION in held
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_seed_roles"),
        ("linkage", "0002_state_and_analyst_role"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
