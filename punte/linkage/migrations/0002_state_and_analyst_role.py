from django.db import migrations


def forwards(apps, schema_editor):
    # The lock row every linking write takes.
    apps.get_model("linkage", "LinkageState").objects.get_or_create(pk=1)
    # The data analyst role, which databases seeded before record linkage lack, is created by
    # seed_roles after migrate (accounts.roles) with its default permissions.


class Migration(migrations.Migration):
    dependencies = [
        ("linkage", "0001_initial"),
        ("accounts", "0003_seed_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
