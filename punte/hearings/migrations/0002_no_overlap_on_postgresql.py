"""No room booked twice at once, no person in two hearings at once: exclusion constraints on
PostgreSQL (btree_gist lets a GiST index hold the room's or user's equality beside the range's
overlap). SQLite has no such constraint; there the service checks under the IMMEDIATE
transaction's write lock (ADR 0039). Half-open ranges: one hearing may end when the next begins.
"""

from django.db import migrations

_CONSTRAINTS = [
    (
        "hearings_hearing",
        "hearing_room_no_overlap",
        "room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&",
        "status = 'booked'",
    ),
    (
        "hearings_hearingparticipant",
        "hearing_participant_no_overlap",
        "user_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&",
        "is_active",
    ),
]


def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for table, name, elements, condition in _CONSTRAINTS:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} "
            f"EXCLUDE USING gist ({elements}) WHERE ({condition})"
        )


def drop_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name, _elements, _condition in _CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("hearings", "0001_initial")]

    operations = [migrations.RunPython(add_constraints, drop_constraints)]
