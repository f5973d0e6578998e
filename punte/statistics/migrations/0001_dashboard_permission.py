from django.db import migrations

PERMISSION = "dashboard.national"

# The roles that held it by default when the dashboard was introduced.
HOLDERS = ["national_coordinator", "regional_officer", "data_analyst"]

def grant_missing(Role, RolePermission, grants):
    for role in Role.objects.filter(code__in=list(grants)):
        held = set(RolePermission.objects.filter(role=role).values_list("permission", flat=True))
        RolePermission.objects.bulk_create(
            [RolePermission(role=role, permission=p) for p in grants[role.code] if p not in held]
        )

def forwards(apps, schema_editor):
    # Databases seeded before the dashboard existed: grant it to the roles that hold it by
    # default, leaving every other grant alone.
    grant_missing(
        apps.get_model("accounts", "Role"),
        apps.get_model("accounts", "RolePermission"),
        {code: [PERMISSION] for code in HOLDERS},
    )

class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_seed_roles"),
        ("linkage", "0002_state_and_analyst_role"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
