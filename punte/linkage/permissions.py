from django.utils.translation import gettext_lazy as _

PERMISSIONS: dict[str, str] = {
    "linkage.review": _(
        "Review proposed record links nationally: see both records of a pair, accept or reject "
        "it, separate a record from its national person"
    ),
    "linkage.run": _("Start a relinking of every person record"),
}

# The analyst sees persons only through the review queue (each view is audited), not the
# registry of persons (no person.view).
DEFAULT_GRANTS: dict[str, list[str]] = {"data_analyst": ["linkage.review", "linkage.run"]}
