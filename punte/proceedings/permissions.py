"""Criminal proceedings (ADR 0040).

`proceeding.view` reads the proceedings of the cases one may see, and those of one's own
prosecuting office. `proceeding.record` links a proceeding to a case (the case manager learns of
a complaint; the prosecutor opens a file). `proceeding.manage` follows it: stage, charges,
outcome, suspects and offenders; it is the prosecution's and the police's, acting for the
prosecuting office, the organisation managing the case, or from the case's team.
"""

from django.utils.translation import gettext_lazy as _

PERMISSIONS: dict[str, str] = {
    "proceeding.view": _(
        "See the criminal proceedings of the cases one may see, and of one's prosecuting office"
    ),
    "proceeding.record": _("Link a criminal proceeding to an assistance case"),
    "proceeding.manage": _(
        "Follow a criminal proceeding: stage, charges, protection, outcome, suspects and offenders"
    ),
}

_VIEW = ["proceeding.view"]
_RECORD = [*_VIEW, "proceeding.record"]
_MANAGE = [*_RECORD, "proceeding.manage"]

DEFAULT_GRANTS: dict[str, list[str]] = {
    "national_coordinator": _VIEW,
    "regional_officer": _RECORD,
    "child_protection_officer": _RECORD,
    "child_protection_supervisor": _RECORD,
    "unit_supervisor": _RECORD,
    "ngo_caseworker": _RECORD,
    "prosecutor": _MANAGE,
    "police_investigator": _MANAGE,
}
