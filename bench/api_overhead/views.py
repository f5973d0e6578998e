"""The baseline: a bare Django view that fetches one row by primary key and returns JSON.

No authentication, no permission or scope check, no audit, no decryption. It reads the same
`identification_person` table (same row width, same primary-key index, same cache behaviour) but
selects only columns stored in clear, so that decrypting is counted as part of the overhead being
measured, not of the baseline. Never mounted by punte.urls: only bench/api_overhead/urls.py.
"""

from django.http import Http404, JsonResponse

from punte.identification.persons.models import Person


def bare_person(request, person_id):
    row = (
        Person.objects.filter(pk=person_id)
        .values("id", "created_at", "sex", "birth_year", "citizenship_id", "identity_unknown")
        .first()
    )
    if row is None:
        raise Http404
    return JsonResponse(row)
