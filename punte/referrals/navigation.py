from django.utils.translation import gettext_lazy as _

from punte.core.contract import NavEntry

NAVIGATION = [NavEntry(_("Referrals"), "referrals:inbox", ("referral.view",), order=30)]
