from django.db import migrations, models
from django.db.models import Count

OPEN = ["sent", "accepted"]


def refuse_open_duplicates(apps, schema_editor):
    """Stop, naming them, if open duplicates exist (two sends that raced before the constraint).

    Which of two open referrals to withdraw is a decision for the organisations involved (each
    may already carry an acceptance, notes and access grants), so the migration does not choose:
    it fails before changing anything, and passes once the extra ones are withdrawn.
    """
    Referral = apps.get_model("referrals", "Referral")
    open_referrals = Referral.objects.using(schema_editor.connection.alias).filter(
        status__in=OPEN
    )
    groups = []
    for by, rule_isnull in ((["rule"], False), (["service"], True)):
        keys = ["person_id", "receiver_organisation_id", *by]
        repeated = (
            open_referrals.filter(rule__isnull=rule_isnull)
            .values(*keys)
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        for key in repeated:
            ids = open_referrals.filter(**{k: key[k] for k in keys}).order_by("created_at", "id")
            groups.append(", ".join(str(pk) for pk in ids.values_list("id", flat=True)))
    if groups:
        raise RuntimeError(
            "Open referrals duplicate each other (same person, receiving organisation and rule "
            "or service), so the constraint that prevents this cannot be added. Withdraw all but "
            "one of each group below (the sending organisation, with a reason), then migrate "
            "again:\n" + "\n".join(f"  {group}" for group in groups)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0002_referral_permissions"),
    ]

    operations = [
        migrations.RunPython(refuse_open_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="referral",
            constraint=models.UniqueConstraint(
                condition=models.Q(("rule__isnull", False), ("status__in", ["sent", "accepted"])),
                fields=("person", "receiver_organisation", "rule"),
                name="referral_open_unique_by_rule",
            ),
        ),
        migrations.AddConstraint(
            model_name="referral",
            constraint=models.UniqueConstraint(
                condition=models.Q(("rule__isnull", True), ("status__in", ["sent", "accepted"])),
                fields=("person", "receiver_organisation", "service"),
                name="referral_open_unique_by_service",
            ),
        ),
    ]
