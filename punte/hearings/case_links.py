from django.utils.translation import gettext_lazy as _

from punte.cases.links import CaseLink

CASE_LINKS = [CaseLink(_("Hearings"), "hearings:case_hearings", "hearing.view", order=10)]
