from django.utils.translation import gettext_lazy as _

from punte.core.contract import NavEntry

NAVIGATION = [
    NavEntry(_("National dashboard"), "statistics:dashboard", ("dashboard.national",), order=40)
]
