from django.utils.translation import gettext_lazy as _

from punte.cases.links import CaseLink

CASE_LINKS = [CaseLink(_("Documents"), "documents:case_documents", "case_document.view", order=30)]
