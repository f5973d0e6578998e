"""What persons tell the apps above them without knowing them: Django signals, sent once the
change is committed (a receiver that fails is logged; the change stands).

Record linkage, for one, links a recorded person to its national person and links a person again
when what says who they are changes (punte/linkage/apps.py connects its receivers).
"""

from django.dispatch import Signal

# What says who a person is: a change to any of these is a person_identity_changed.
IDENTITY_FIELDS = frozenset(
    {
        "identity_unknown",
        "given_name",
        "family_name",
        "aliases",
        "date_of_birth",
        "birth_year",
        "sex",
        "citizenships",
        "identity_documents",
    }
)

# A person was recorded. Arguments: person_id (str).
person_recorded = Signal()

# Fields of IDENTITY_FIELDS changed. Arguments: person_id (str), fields (frozenset of names).
person_identity_changed = Signal()
