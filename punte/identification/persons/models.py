"""Persons: what is known about someone (identifying fields encrypted at rest), their
citizenships and identity documents, and which organisations may open their record."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from punte.core.fields import EncryptedDateField, EncryptedJSONField, EncryptedTextField
from punte.core.models import TimeStampedModel

ADULT_AGE = 18


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


# Kinds of identity documents a person's record may list (numbers are stored encrypted).
class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    TRAVEL_DOCUMENT = "travel_document", _("Travel document")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    DRIVING_LICENCE = "driving_licence", _("Driving licence")
    OTHER = "other", _("Other document")


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
    CASE = "case", _("Manages the person's assistance case")
    SERVICE = "service", _("Provides a service of the person's assistance case")


class PersonAccess(models.Model):
    """Need to know, as data: which organisation may open which person's record, why, because
    of what (the referral, the case), and until when. Written only by persons' services
    (person_access_grant, person_access_revoke)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="access_grants")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="person_grants"
    )
    reason = models.CharField(max_length=16, choices=PersonAccessReason.choices)
    # What gave the access (a referral, a case: its model label and key); empty for the owner.
    source_type = models.CharField(max_length=100, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    granted_at = models.DateTimeField(auto_now_add=True)
    # Past this moment the grant no longer opens the record, as if revoked; empty: no end.
    expires_at = models.DateTimeField(null=True, blank=True)
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
