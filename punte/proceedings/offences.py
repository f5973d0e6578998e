"""The offences a proceeding may charge: data, not code (Romanian Criminal Code, Law 286/2009).

Trafficking in persons and in minors (art. 210-211) and the offences prosecuted with them. A new
offence is a line here and its translations; `category` groups them the way Eurostat and GRETA
count (trafficking, sexual exploitation, labour exploitation, other).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Offence:
    code: str
    article: str
    label: object
    category: str


OFFENCES: tuple[Offence, ...] = (
    Offence("trafficking_persons", "210", _("Trafficking in persons"), "trafficking"),
    Offence("trafficking_minors", "211", _("Trafficking in minors"), "trafficking"),
    Offence(
        "using_exploited_services",
        "216",
        _("Using the services of an exploited person"),
        "trafficking",
    ),
    Offence("slavery", "209", _("Slavery"), "labour"),
    Offence("forced_labour", "212", _("Forced or compulsory labour"), "labour"),
    Offence("exploitation_begging", "214", _("Exploitation of begging"), "other"),
    Offence("pimping", "213", _("Pimping"), "sexual"),
    Offence(
        "child_recruitment_sexual", "222", _("Recruitment of minors for sexual purposes"), "sexual"
    ),
    Offence("child_sexual_abuse_material", "374", _("Child sexual abuse material"), "sexual"),
    Offence("migrant_smuggling", "263", _("Migrant smuggling"), "other"),
    Offence("criminal_group", "367", _("Setting up an organised criminal group"), "other"),
    Offence("money_laundering", "49 (Law 129/2019)", _("Money laundering"), "other"),
)

BY_CODE = {offence.code: offence for offence in OFFENCES}
CHOICES = [(offence.code, offence.label) for offence in OFFENCES]
