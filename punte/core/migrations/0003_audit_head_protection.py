"""On PostgreSQL, a chain's head may only step forward onto the entry just written.

Without this, deleting the last entries of a chain and rewinding its head (an ordinary UPDATE)
would leave a chain that verifies. With it, that needs the triggers disabled, as any other
tampering with the trail does (migration 0002).
"""

from django.db import migrations

GUARD_HEADS_SQL = """
CREATE OR REPLACE FUNCTION punte_audit_head_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.last_seq <> 0 OR NEW.last_hash <> repeat('0', 64) THEN
            RAISE EXCEPTION 'a new audit chain starts empty' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;  -- a save() that changes nothing (e.g. fixtures reloaded) is harmless
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.shard = OLD.shard AND NEW.last_seq = OLD.last_seq + 1
       AND EXISTS (SELECT 1 FROM core_auditevent e
                   WHERE e.shard = NEW.shard AND e.seq = NEW.last_seq AND e.hash = NEW.last_hash)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'an audit chain head only moves one step forward, onto the entry just written: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER core_auditchainhead_forward_only
    BEFORE INSERT OR UPDATE OR DELETE ON core_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION punte_audit_head_guard();
CREATE TRIGGER core_auditchainhead_no_truncate
    BEFORE TRUNCATE ON core_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION punte_audit_refuse_change();
"""

UNGUARD_HEADS_SQL = """
DROP TRIGGER IF EXISTS core_auditchainhead_no_truncate ON core_auditchainhead;
DROP TRIGGER IF EXISTS core_auditchainhead_forward_only ON core_auditchainhead;
DROP FUNCTION IF EXISTS punte_audit_head_guard();
"""


def guard_heads(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # params=None: the SQL holds literal '%' (RAISE format), not query placeholders.
        schema_editor.execute(GUARD_HEADS_SQL, params=None)


def unguard_heads(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD_HEADS_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_reference_data_and_audit_protection")]

    operations = [migrations.RunPython(guard_heads, unguard_heads)]
