from django.utils.translation import gettext_lazy as _

from punte.core.contract import NavEntry

NAVIGATION = [
    NavEntry(_("Cases"), "cases:list", ("case.view",), order=35),
    NavEntry(_("Services to deliver"), "cases:provider_services", ("case.deliver",), order=36),
]
