from django.utils.translation import gettext_lazy as _

from punte.core.contract import NavEntry

NAVIGATION = [
    NavEntry(_("Hearing rooms"), "hearings:rooms", ("hearing_room.view",), order=45),
]
