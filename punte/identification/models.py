import builtins
import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from punte.core.fields import EncryptedDateField, EncryptedJSONField, EncryptedTextField
from punte.core.models import TimeStampedModel
from punte.identification.catalogue.vocabulary import Dimension, Grade, IndicatorList

ADULT_AGE = 18


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Person(TimeStampedModel):
    """What is known about a person, and no more. Identifying fields are encrypted at rest.

    Sex, citizenship and birth year stay in clear because national statistics count by them;
    alone they do not identify anyone, and published figures are protected separately.
    """

    owner_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    identity_unknown = models.BooleanField(default=False)
    given_name = EncryptedTextField(null=True, blank=True)
    family_name = EncryptedTextField(null=True, blank=True)
    aliases = EncryptedJSONField(null=True, blank=True)
    date_of_birth = EncryptedDateField(null=True, blank=True)
    contact = EncryptedTextField(null=True, blank=True)
    notes = EncryptedTextField(null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    # The first of `citizenships`: the one national statistics count by (Eurostat counts each
    # person once). Kept as a column so that counting needs no join.
    citizenship = models.ForeignKey(
        "core.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    citizenships = models.ManyToManyField(
        "core.Country", through="PersonCitizenship", related_name="+", blank=True
    )
    # When no date of birth is known: an age estimated on a given day, and/or the doubt that the
    # person may be a child (presumption of minority, Directive 2011/36/EU art. 13(2)).
    approximate_age = models.PositiveSmallIntegerField(null=True, blank=True)
    age_estimated_on = models.DateField(null=True, blank=True)
    may_be_child = models.BooleanField(default=False)
    languages = models.ManyToManyField("core.Language", related_name="+", blank=True)
    # [{"type": "passport", "number": "...", "issuing_country": "UA"}, ...]
    identity_documents = EncryptedJSONField(null=True, blank=True)
    # Blind indexes (keyed hashes) make exact search possible without decrypting.
    family_name_index = models.CharField(max_length=32, blank=True, db_index=True)
    given_name_index = models.CharField(max_length=32, blank=True, db_index=True)
    date_of_birth_index = models.CharField(max_length=32, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner_organisation", "created_at"])]

    def __str__(self) -> str:
        return f"Person {str(self.pk)[:8]}"

    def is_treated_as_child(self, on: datetime.date) -> bool:
        """Presumption of minority: a person is a child unless known to be 18 or older on `on`.

        Routing, consent and the screening lists all ask this one question, so that an unknown
        or uncertain age never lets a child be handled as an adult.
        """
        if self.date_of_birth is not None:
            return _full_years(self.date_of_birth, on) < ADULT_AGE
        if self.may_be_child:
            return True
        if self.approximate_age is not None:
            # The estimate ages with the calendar: 17 estimated a year ago is 18 now.
            estimated_on = self.age_estimated_on or on
            return self.approximate_age + max(0, _full_years(estimated_on, on)) < ADULT_AGE
        if self.birth_year is not None:
            # Born in birth_year: certainly an adult only once the whole year has turned 18.
            return on.year - self.birth_year <= ADULT_AGE
        return True

    @property
    def is_foreign_national(self) -> bool:
        """Known to hold a citizenship, and none of them Romania's: a dual citizen of Romania is
        Romanian for Romanian authorities. Unknown citizenship is not foreign."""
        codes = self.citizenship_codes
        return bool(codes) and "RO" not in codes

    @property
    def citizenship_codes(self) -> list[str]:
        """ISO 3166-1 alpha-2 codes of every citizenship, the primary (statistical) one first."""
        codes = [self.citizenship_id] if self.citizenship_id else []
        if self._state.adding:
            return codes
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("citizenship_links")
        links = (
            prefetched
            if prefetched is not None
            else self.citizenship_links.order_by("position").values_list("country_id", flat=True)
        )
        for link in links:
            code = link if isinstance(link, str) else link.country_id
            if code not in codes:
                codes.append(code)
        return codes

    @property
    def display_name(self) -> str:
        if self.identity_unknown or not (self.given_name or self.family_name):
            return str(_("Identity unknown"))
        return " ".join(filter(None, [self.given_name, self.family_name]))


def _full_years(start: datetime.date, end: datetime.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


class PersonCitizenship(models.Model):
    """One citizenship of a person; `position` 0 is the primary one (also Person.citizenship)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="citizenship_links")
    country = models.ForeignKey("core.Country", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["person", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "country"], name="person_citizenship_unique_country"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.country_id}"


class PersonAccessReason(models.TextChoices):
    OWNER = "owner", _("Recorded the person")
    REFERRAL = "referral", _("Accepted a referral")
    TEAM = "team", _("Member of the multidisciplinary team")


class PersonAccess(models.Model):
    """Need to know, as data: which organisation may open which person's record, and why."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="access_grants")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="person_grants"
    )
    reason = models.CharField(max_length=16, choices=PersonAccessReason.choices)
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation", "reason"],
                condition=models.Q(revoked_at__isnull=True),
                name="person_access_one_active_grant",
            )
        ]
        indexes = [models.Index(fields=["organisation", "person"])]

    def __str__(self) -> str:
        return f"{self.organisation_id} may open {self.person_id} ({self.reason})"


# --- Screening indicator catalogue (see punte/identification/catalogue/ and ADR 0020) ----------


class IndicatorCatalogue(models.Model):
    """One version of the indicator catalogue and its assessment rule, as loaded from its file.

    A version is immutable: `load_indicator_catalogue` creates it once and refuses a file with
    the same version and different content (`checksum`). Screenings point to the version used.
    """

    version = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=300)
    title_ro = models.CharField(max_length=300)
    published_at = models.DateField()
    sources = models.JSONField(default=list)
    # List metadata (list, source, text_en, text_ro, use_with), in file order.
    lists = models.JSONField(default=list)
    # The rule block of the file, verbatim: dimensions, how indicators make a dimension present,
    # how dimensions make a presumed victim (adult / child), the short-screen rule.
    rule = models.JSONField()
    # SHA-256 of the parsed file content (comments and layout excluded).
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.version


class Indicator(models.Model):
    """One indicator (or short-screen question) of one catalogue version."""

    catalogue = models.ForeignKey(
        IndicatorCatalogue, on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.CharField(max_length=16)
    list = models.CharField(max_length=16, choices=IndicatorList.choices)
    dimension = models.CharField(max_length=40, choices=Dimension.choices)
    # Blank only for short-screen questions, which are not graded.
    grade = models.CharField(max_length=8, choices=Grade.choices, blank=True)
    # Indicators of different lists with the same concept in a dimension are one indication.
    concept = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField()
    text_en = models.TextField()
    text_ro = models.TextField()
    # Short-screen questions: the indicator codes a "yes" points to. (`list` is a field here.)
    maps_to = models.JSONField(default=builtins.list, blank=True)

    class Meta:
        ordering = ["catalogue", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "code"], name="indicator_code_unique_in_catalogue"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(list=IndicatorList.CLINICAL, grade="")
                    | (~models.Q(list=IndicatorList.CLINICAL) & ~models.Q(grade=""))
                ),
                name="indicator_graded_unless_question",
            ),
        ]

    def __str__(self) -> str:
        return self.code


# The mechanism's models live in their own modules (ADR 0022); importing them here registers
# them with the app. They refer to Person by name, so there is no import cycle.
from punte.identification.models_consent import (  # noqa: E402, F401
    AnonymousNotification,
    ConsentEvent,
)
from punte.identification.models_decision import (  # noqa: E402, F401
    IdentificationDecision,
    ReflectionPeriod,
    ReflectionPeriodEvent,
    ReflectionReminder,
)
from punte.identification.models_screening import Screening  # noqa: E402, F401
from punte.identification.models_signal import (  # noqa: E402, F401
    PublicReportAttempt,
    Signal,
    SignalPerson,
    SignalTransition,
)
