from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from punte.core.api_support import paginate_by_cursor
from punte.core.errors import ServiceError
from punte.core.models import Country
from punte.core.names import language_choices
from punte.identification.persons import selectors, services
from punte.identification.persons.forms import DOCUMENT_SLOTS, PersonForm, initial_for
from punte.identification.persons.models import DocumentType


def person_list(request):
    if request.membership is None or not request.membership.has_perm("person.view"):
        raise PermissionDenied
    try:
        people, next_cursor = paginate_by_cursor(
            selectors.person_list_visible_to(actor=request.membership).select_related(
                "owner_organisation__county"
            ),
            cursor=request.GET.get("cursor"),
            limit=50,
        )
    except ServiceError:
        people, next_cursor = [], None
    rows = selectors.person_list_rows(actor=request.membership, people=people)
    return render(
        request, "identification/person_list.html", {"rows": rows, "next_cursor": next_cursor}
    )


def person_detail(request, person_id):
    if request.membership is None:
        raise PermissionDenied
    person = selectors.person_get_for_view(actor=request.membership, person_id=person_id)
    codes = person.citizenship_codes
    documents = person.identity_documents or []
    wanted = codes + [d.get("issuing_country") for d in documents if d.get("issuing_country")]
    countries = {c.alpha2: str(c) for c in Country.objects.filter(alpha2__in=wanted)}
    document_types = dict(DocumentType.choices)
    context = {
        "person": person,
        "treated_as_child": person.is_treated_as_child(timezone.localdate()),
        "citizenships": [countries.get(code, code) for code in codes],
        "person_languages": [name for _code, name in language_choices(person.languages.all())],
        "documents": [
            {
                "label": document_types.get(d.get("type"), d.get("type")),
                "number": d.get("number"),
                "country": countries.get(d.get("issuing_country")) or d.get("issuing_country"),
            }
            for d in documents
        ],
        "can_change": request.membership.has_perm("person.change"),
    }
    return render(request, "identification/person_detail.html", context)


def person_create(request):
    actor = request.membership
    if actor is None or not actor.has_perm("person.create"):
        raise PermissionDenied
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=actor, data=form.to_input())
        except ServiceError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            messages.success(request, _("The person was recorded."))
            return redirect("identification:person_detail", person_id=person.pk)
    return render(request, "identification/person_form.html", {"form": form, "person": None})


def person_edit(request, person_id):
    actor = request.membership
    if actor is None or not actor.has_perm("person.change"):
        raise PermissionDenied
    # Opening the form shows the record: the same audited read as the record page.
    person = selectors.person_get_for_view(actor=actor, person_id=person_id)
    slots = max(DOCUMENT_SLOTS, len(person.identity_documents or []) + 1)
    if request.method == "POST":
        form = PersonForm(request.POST, slots=slots)
        if form.is_valid():
            try:
                services.person_update(actor=actor, person_id=person.pk, data=form.to_input())
            except ServiceError as exc:
                form.add_service_error(exc.field, exc.message)
            else:
                messages.success(request, _("The record was changed."))
                return redirect("identification:person_detail", person_id=person.pk)
    else:
        form = PersonForm(initial=initial_for(person), slots=slots)
    return render(request, "identification/person_form.html", {"form": form, "person": person})
