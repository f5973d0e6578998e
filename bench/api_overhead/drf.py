"""The comparison side: the same audited, scoped read of a person, built as a team would build it
on Django REST framework and django-auditlog instead of Punte's own path.

- DRF's token authentication (`rest_framework.authtoken`: `Authorization: Token <key>`, one
  token per user);
- a permission class: the user's active membership in an active organisation, its role holding
  `person.view` (Punte's `RolePermission` table), and, per object, an unrevoked `PersonAccess`
  grant of that organisation for the person - the organisation scope Punte applies to the
  benchmark's reader, read from the same tables;
- a `ModelSerializer` over `Person` giving the fields of Punte's `PersonOut`, decrypted by the
  same encrypted model fields (the runner checks the two answers are equal);
- django-auditlog's access entry (`accessed` signal, `log_access` receiver, the model registered
  with `auditlog.register`), written during the request with the user as actor.

Benchmark only: mounted by bench/api_overhead/urls.py under bench/api_overhead/settings.py, which
alone installs these apps. Nothing under punte/ imports rest_framework or auditlog.
"""

from __future__ import annotations

from auditlog.context import set_actor
from auditlog.registry import auditlog
from auditlog.signals import accessed
from django.utils import timezone
from rest_framework import generics, permissions, serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.response import Response

from punte.accounts.models import Membership, User
from punte.identification.persons.models import Person, PersonAccess

# Create, update and delete are logged as well (auditlog's defaults); the read only sends
# `accessed`. No serialized copy of the record in the log: it would put the decrypted fields
# in clear in another table.
auditlog.register(Person)


class OrganisationMayViewPerson(permissions.BasePermission):
    """The organisation scope: the role may view persons, and the user's organisation holds an
    unrevoked grant for this one. Archived persons are left out by the view's queryset."""

    def has_permission(self, request, view) -> bool:
        # DRF's token names a user, not a membership: one active membership is required (the
        # benchmark's reader has one); choosing among several would take a header of its own.
        try:
            membership = Membership.objects.select_related("role", "organisation").get(
                user=request.user, is_active=True, organisation__is_active=True
            )
        except (Membership.DoesNotExist, Membership.MultipleObjectsReturned):
            return False
        request.membership = membership
        return membership.has_perm("person.view")

    def has_object_permission(self, request, view, obj) -> bool:
        return PersonAccess.objects.filter(
            person=obj, organisation_id=request.membership.organisation_id, revoked_at__isnull=True
        ).exists()


class PersonSerializer(serializers.ModelSerializer):
    # The encrypted fields are text columns to DRF's field mapping; those holding a date or
    # JSON are declared with their real type.
    aliases = serializers.JSONField(allow_null=True)
    date_of_birth = serializers.DateField(allow_null=True)
    citizenship = serializers.CharField(source="citizenship_id", allow_null=True)
    treated_as_child = serializers.SerializerMethodField()
    citizenships = serializers.ListField(source="citizenship_codes", child=serializers.CharField())
    languages = serializers.SerializerMethodField()
    identity_documents = serializers.SerializerMethodField()
    owner_organisation_id = serializers.UUIDField()

    class Meta:
        model = Person
        fields = [
            "id",
            "created_at",
            "sex",
            "birth_year",
            "citizenship",
            "identity_unknown",
            "given_name",
            "family_name",
            "aliases",
            "date_of_birth",
            "approximate_age",
            "age_estimated_on",
            "may_be_child",
            "treated_as_child",
            "citizenships",
            "languages",
            "identity_documents",
            "contact",
            "notes",
            "owner_organisation_id",
        ]

    def get_treated_as_child(self, person: Person) -> bool:
        return person.is_treated_as_child(timezone.localdate())

    def get_languages(self, person: Person) -> list[str]:
        return sorted(language.code for language in person.languages.all())

    def get_identity_documents(self, person: Person) -> list[dict]:
        return person.identity_documents or []


class PersonDetail(generics.RetrieveAPIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [permissions.IsAuthenticated, OrganisationMayViewPerson]
    serializer_class = PersonSerializer
    queryset = Person.objects.filter(archived_at__isnull=True).prefetch_related(
        "citizenship_links", "languages"
    )

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        # AuditlogMiddleware reads request.user before DRF has authenticated the token, so it
        # would log no actor; set_actor is auditlog's way to name it once the view knows it.
        with set_actor(actor=request.user, remote_addr=request.META.get("REMOTE_ADDR")):
            accessed.send(sender=Person, instance=person)
        return Response(self.get_serializer(person).data)


def issue_token(*, username: str) -> str:
    """A DRF token for the benchmark's reader (the same user Punte's token belongs to)."""
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=User.objects.get(username=username)).key
