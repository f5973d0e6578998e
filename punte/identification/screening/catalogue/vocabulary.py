"""The fixed words of the indicator catalogue: lists, dimensions, grades, populations.

These are the *names* the catalogue files may use. What a name means in a given catalogue
version (its label, its indicators, how indicators combine) is data in that version's file.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    STRONG = "strong", _("strong")
    MEDIUM = "medium", _("medium")
    WEAK = "weak", _("weak")


class Dimension(models.TextChoices):
    """The six elements of the ILO/EC 2009 model: three of recruitment, exploitation, two means."""

    DECEPTIVE_RECRUITMENT = "deceptive_recruitment", _("Deceptive recruitment")
    COERCIVE_RECRUITMENT = "coercive_recruitment", _("Coercive recruitment")
    RECRUITMENT_ABUSE_OF_VULNERABILITY = (
        "recruitment_abuse_of_vulnerability",
        _("Recruitment by abuse of vulnerability"),
    )
    EXPLOITATIVE_CONDITIONS = "exploitative_conditions", _("Exploitative conditions")
    COERCION_AT_DESTINATION = "coercion_at_destination", _("Coercion at destination")
    ABUSE_OF_VULNERABILITY_AT_DESTINATION = (
        "abuse_of_vulnerability_at_destination",
        _("Abuse of vulnerability at destination"),
    )


class IndicatorList(models.TextChoices):
    ADULT_LABOUR = "adult_labour", _("Adults, labour exploitation")
    ADULT_SEXUAL = "adult_sexual", _("Adults, sexual exploitation")
    CHILD_LABOUR = "child_labour", _("Children, labour exploitation")
    CHILD_SEXUAL = "child_sexual", _("Children, sexual exploitation")
    BEGGING = "begging", _("Forced begging")
    CRIMINAL = "criminal", _("Forced criminal activities")
    MARRIAGE = "marriage", _("Forced marriage")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    CLINICAL = "clinical", _("Short screen for clinical settings")


class Population(models.TextChoices):
    ADULT = "adult", _("adults")
    CHILD = "child", _("children")
    ANY = "any", _("adults and children")


# Which people a list is graded for. The ILO/EC lists grade the same indication differently for
# adults and children, so a child is screened with the children's lists; the extension lists
# and the short screen apply to anyone.
LIST_POPULATION = {
    IndicatorList.ADULT_LABOUR: Population.ADULT,
    IndicatorList.ADULT_SEXUAL: Population.ADULT,
    IndicatorList.CHILD_LABOUR: Population.CHILD,
    IndicatorList.CHILD_SEXUAL: Population.CHILD,
    IndicatorList.BEGGING: Population.ANY,
    IndicatorList.CRIMINAL: Population.ANY,
    IndicatorList.MARRIAGE: Population.ANY,
    IndicatorList.ORGAN_REMOVAL: Population.ANY,
    IndicatorList.CLINICAL: Population.ANY,
}

# Indicator codes read <list>-<dimension>-<nn> (e.g. AL-DR-01); short-screen questions SS-<n>.
LIST_PREFIX = {
    IndicatorList.ADULT_LABOUR: "AL",
    IndicatorList.ADULT_SEXUAL: "AS",
    IndicatorList.CHILD_LABOUR: "CL",
    IndicatorList.CHILD_SEXUAL: "CS",
    IndicatorList.BEGGING: "FB",
    IndicatorList.CRIMINAL: "FC",
    IndicatorList.MARRIAGE: "FM",
    IndicatorList.ORGAN_REMOVAL: "OR",
    IndicatorList.CLINICAL: "SS",
}

DIMENSION_ABBREVIATION = {
    Dimension.DECEPTIVE_RECRUITMENT: "DR",
    Dimension.COERCIVE_RECRUITMENT: "CR",
    Dimension.RECRUITMENT_ABUSE_OF_VULNERABILITY: "VR",
    Dimension.EXPLOITATIVE_CONDITIONS: "EX",
    Dimension.COERCION_AT_DESTINATION: "CD",
    Dimension.ABUSE_OF_VULNERABILITY_AT_DESTINATION: "VD",
}
