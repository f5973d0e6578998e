from django.utils.translation import gettext_lazy as _

from punte.core.contract import NavEntry

NAVIGATION = [NavEntry(_("Persons"), "identification:person_list", ("person.view",), order=10)]
