"""A signal's external reference (a partner system's free text) is encrypted at rest, like the
signal's other free text: a new encrypted column bound to the field's name, the existing values
encrypted into it, the plaintext column dropped."""

from django.db import migrations

import punte.core.fields

BINDING = "identification.signal.external_reference"
BATCH = 500


def encrypt_existing(apps, schema_editor):
    Signal = apps.get_model("identification", "Signal")
    rows = Signal.objects.exclude(external_reference="").values_list("pk", "external_reference")
    pending = []
    for pk, reference in rows.iterator(chunk_size=BATCH):
        pending.append(Signal(pk=pk, encrypted_external_reference=reference))
        if len(pending) == BATCH:
            Signal.objects.bulk_update(pending, ["encrypted_external_reference"])
            pending = []
    Signal.objects.bulk_update(pending, ["encrypted_external_reference"])


def decrypt_back(apps, schema_editor):
    Signal = apps.get_model("identification", "Signal")
    rows = Signal.objects.filter(encrypted_external_reference__isnull=False).values_list(
        "pk", "encrypted_external_reference"
    )
    for pk, reference in rows.iterator(chunk_size=BATCH):
        Signal.objects.filter(pk=pk).update(external_reference=reference)


class Migration(migrations.Migration):
    dependencies = [
        ("identification", "0007_public_report_form_use"),
    ]

    operations = [
        migrations.AddField(
            model_name="signal",
            name="encrypted_external_reference",
            field=punte.core.fields.EncryptedTextField(binding=BINDING, blank=True, null=True),
        ),
        migrations.RunPython(encrypt_existing, decrypt_back, elidable=False),
        migrations.RemoveField(model_name="signal", name="external_reference"),
        migrations.RenameField(
            model_name="signal",
            old_name="encrypted_external_reference",
            new_name="external_reference",
        ),
        # The binding is now the field's own name, so the model need not pin it.
        migrations.AlterField(
            model_name="signal",
            name="external_reference",
            field=punte.core.fields.EncryptedTextField(blank=True, null=True),
        ),
    ]
