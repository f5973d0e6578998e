from django.utils.translation import gettext_lazy as _

from punte.core.contract import NavEntry

NAVIGATION = [NavEntry(_("Signals"), "signals:list", ("signal.view",), order=20)]
