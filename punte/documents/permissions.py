"""Case documents (ADR 0041). `case_document.view` opens the files of the cases one may see (a
medical certificate also needs the medical section, as the case's restricted notes do);
`case_document.upload` attaches files to the cases one's organisation manages or whose team one
is on."""

from django.utils.translation import gettext_lazy as _

PERMISSIONS: dict[str, str] = {
    "case_document.view": _("Open the files attached to the cases one may see"),
    "case_document.upload": _("Attach files to the cases one manages or whose team one is on"),
}

_VIEW = ["case_document.view"]
_UPLOAD = [*_VIEW, "case_document.upload"]

DEFAULT_GRANTS: dict[str, list[str]] = {
    "regional_officer": _UPLOAD,
    "child_protection_officer": _UPLOAD,
    "child_protection_supervisor": _UPLOAD,
    "unit_supervisor": _UPLOAD,
    "ngo_caseworker": _UPLOAD,
    "prosecutor": _UPLOAD,
    "police_investigator": _UPLOAD,
    "service_provider": _VIEW,
    "clinician": _UPLOAD,
}
