from django.db import migrations

# The referral permissions added to roles that existed before referrals (ADR 0023); fresh
# databases have no roles yet here and get them from seed_roles after migrate. Grants an
# administrator removed later are not restored by re-running: this runs once. The new role
# "unit_supervisor" is created by seed_roles after migrate.
GRANTS = {
    "system_admin": ["service.manage"],
    "national_coordinator": ["referral.view", "referral.monitor"],
    "regional_officer": ["referral.view", "referral.send", "referral.respond"],
    "first_responder": ["referral.view", "referral.send"],
    "helpline_operator": ["referral.view", "referral.send"],
    "clinician": ["referral.view", "referral.send"],
    "police_investigator": ["referral.view", "referral.send", "referral.respond"],
    "prosecutor": ["referral.view", "referral.send", "referral.respond"],
    "child_protection_officer": ["referral.view", "referral.send", "referral.respond"],
    "child_protection_supervisor": [
        "referral.view",
        "referral.send",
        "referral.respond",
        "referral.escalation",
    ],
    "ngo_caseworker": ["referral.view", "referral.send", "referral.respond"],
    "service_provider": ["referral.view", "referral.send", "referral.respond"],
    "cyber_investigator": ["referral.view", "referral.send"],
}


def grant_missing(Role, RolePermission, grants):
    for role in Role.objects.filter(code__in=list(grants)):
        held = set(RolePermission.objects.filter(role=role).values_list("permission", flat=True))
        RolePermission.objects.bulk_create(
            [RolePermission(role=role, permission=p) for p in grants[role.code] if p not in held]
        )


def forwards(apps, schema_editor):
    grant_missing(
        apps.get_model("accounts", "Role"), apps.get_model("accounts", "RolePermission"), GRANTS
    )


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
        ("accounts", "0003_seed_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
