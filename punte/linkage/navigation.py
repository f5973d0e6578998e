from django.utils.translation import gettext_lazy as _

from punte.core.contract import NavEntry

NAVIGATION = [NavEntry(_("Record linkage"), "linkage:review_queue", ("linkage.review",), order=50)]
