from django.db import migrations

# The referral permissions added to roles that existed before referrals (ADR 0023); fresh
# databases get them from seed_roles already. Grants an administrator removed later are not
# restored by re-running: this runs once.
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


def forwards(apps, schema_editor):
    from punte.accounts.roles import grant_missing, seed_roles

    Role = apps.get_model("accounts", "Role")
    RolePermission = apps.get_model("accounts", "RolePermission")
    grant_missing(role_model=Role, grant_model=RolePermission, grants=GRANTS)
    # The new role "unit_supervisor" (missing roles are created with their default permissions).
    seed_roles(role_model=Role, grant_model=RolePermission)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
        ("accounts", "0003_seed_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
