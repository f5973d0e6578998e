from django.db import migrations

AUDIT_SHARDS = 16

REFUSE_CHANGES_SQL = """
CREATE OR REPLACE FUNCTION punte_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION punte_audit_refuse_change();
CREATE TRIGGER core_auditevent_no_truncate
    BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION punte_audit_refuse_change();
"""

ALLOW_CHANGES_SQL = """
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS punte_audit_refuse_change();
"""


def create_chain_heads(apps, schema_editor):
    head = apps.get_model("core", "AuditChainHead")
    for shard in range(AUDIT_SHARDS):
        head.objects.get_or_create(shard=shard)


def protect_audit_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the SQL holds literal '%' (RAISE format), not query placeholders.
        schema_editor.execute(REFUSE_CHANGES_SQL, params=None)


def unprotect_audit_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW_CHANGES_SQL)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        # Counties, countries and languages are loaded after every migrate (core.apps,
        # punte.core.reference_data), from this release's sources: no migration imports code.
        migrations.RunPython(create_chain_heads, migrations.RunPython.noop),
        migrations.RunPython(protect_audit_table, unprotect_audit_table),
    ]
