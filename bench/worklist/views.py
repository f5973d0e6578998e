"""The baseline: the bare indexed SQL query for the worklist's first page, as JSON.

No authentication, no permission or scope check, no audit, no ORM, no schema: one statement
returning the same rows, in the same order, with the same columns as the API's first page
(the referral, its sender and receiver organisations, the rule's code). Never mounted by
punte.urls: only bench/worklist/urls.py.
"""

from django.db import connection
from django.http import JsonResponse

# The worklist's query by hand: open referrals to one organisation, soonest deadline first,
# served by the partial index referral_incoming_open (receiver, due_at, id) WHERE open.
BARE_SQL = """
SELECT r.id, r.status, r.service, r.person_id, r.county_id, r.is_child, r.created_at,
       r.due_at, r.escalated_at, ru.code, ru.target_type,
       s.id, s.name, s.type, s.county_id, v.id, v.name, v.type, v.county_id
FROM referrals_referral r
JOIN accounts_organisation s ON s.id = r.sender_organisation_id
JOIN accounts_organisation v ON v.id = r.receiver_organisation_id
LEFT JOIN referrals_routingrule ru ON ru.id = r.rule_id
WHERE r.receiver_organisation_id = %s AND r.status IN ('sent', 'accepted')
  AND r.due_at IS NOT NULL
ORDER BY r.due_at, r.id
LIMIT %s
"""
COLUMNS = [
    "id", "status", "service", "person_id", "county", "is_child", "created_at", "due_at",
    "escalated_at", "rule_code", "rule_target", "sender_id", "sender_name", "sender_type",
    "sender_county", "receiver_id", "receiver_name", "receiver_type", "receiver_county",
]  # fmt: skip


def bare_rows(organisation_id, limit: int = 51) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(BARE_SQL, [organisation_id, limit])
        return cursor.fetchall()


def bare_worklist(request, organisation_id):
    rows = bare_rows(organisation_id)
    items = [dict(zip(COLUMNS, row, strict=True)) for row in rows[:50]]
    return JsonResponse({"items": items, "more": len(rows) > 50})
