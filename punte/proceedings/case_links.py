from django.utils.translation import gettext_lazy as _

from punte.cases.links import CaseLink

CASE_LINKS = [
    CaseLink(_("Criminal proceedings"), "proceedings:case_proceedings", "proceeding.view", order=20)
]
