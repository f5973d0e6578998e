"""Every write of record linkage inside Punte (see docs/adr/0011-linkage-in-the-database.md).

Callers use this package's names; the modules behind them depend one way only:

state.py          the linkage lock, the stored models, merging national persons
decisions.py      the analysts' acts (``reviewpair_decide``, ``personlink_separate``)
runs.py           the linking runs (``persons_relink_all``, ``person_link_incremental``,
                  ``person_relink_after_change``)
encoded_files.py  an agency's encoded file linked with Punte's persons (``link_with_database``;
                  imported from there, as it loads the engine at once)

Every write takes the linkage lock (the LinkageState row) first, then locks the rows it changes.
"""

from punte.linkage.services.decisions import (
    Separation,
    Verdict,
    personlink_separate,
    reviewpair_decide,
)
from punte.linkage.services.runs import (
    IncrementalResult,
    Progress,
    RelinkSummary,
    bands,
    person_link_incremental,
    person_relink_after_change,
    persons_relink_all,
)
from punte.linkage.services.state import (
    active_model,
    linkagemodel_import,
    linkagemodel_store,
    lock_linkage,
    merge_national_persons,
    trained_model_of,
)

__all__ = [
    "IncrementalResult",
    "Progress",
    "RelinkSummary",
    "Separation",
    "Verdict",
    "active_model",
    "bands",
    "linkagemodel_import",
    "linkagemodel_store",
    "lock_linkage",
    "merge_national_persons",
    "person_link_incremental",
    "person_relink_after_change",
    "personlink_separate",
    "persons_relink_all",
    "reviewpair_decide",
    "trained_model_of",
]
