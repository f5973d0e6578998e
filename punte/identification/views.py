from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from punte.core.api_support import paginate_by_cursor
from punte.core.errors import ServiceError
from punte.identification import selectors


def person_list(request):
    if request.membership is None or not request.membership.has_perm("person.view"):
        raise PermissionDenied
    try:
        people, next_cursor = paginate_by_cursor(
            selectors.person_list_visible_to(actor=request.membership),
            cursor=request.GET.get("cursor"),
            limit=50,
        )
    except ServiceError:
        people, next_cursor = [], None
    return render(
        request, "identification/person_list.html", {"people": people, "next_cursor": next_cursor}
    )


def person_detail(request, person_id):
    if request.membership is None:
        raise PermissionDenied
    person = selectors.person_get_for_view(actor=request.membership, person_id=person_id)
    return render(request, "identification/person_detail.html", {"person": person})
