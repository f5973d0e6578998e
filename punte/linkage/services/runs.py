"""Linking runs: relink every person, and link new persons incrementally (ADR 0011).

Both read and score outside any transaction, which may take minutes, then take the linkage
lock (the LinkageState row) and, in one transaction, cluster with the analysts' decisions as
they stand at that moment and write the result, so a run never overwrites a decision made
while it was scoring. The public entry points are re-exported by punte.linkage.services.

Audit events carry ids, counts and probabilities, never a name or a date. The engine (Splink,
DuckDB, pandas) is imported inside functions: the web process and the tests that never link
should not pay for it.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from punte.accounts.models import Membership
from punte.core import audit
from punte.core.errors import ServiceError
from punte.identification.persons.models import Person
from punte.linkage import persons
from punte.linkage.engine import batch
from punte.linkage.models import (
    LinkDecision,
    LinkMethod,
    NationalPerson,
    PersonLink,
    ReviewPair,
    ReviewReason,
    ReviewStatus,
    ordered_pair,
)
from punte.linkage.services.state import (
    active_model,
    linkagemodel_store,
    lock_linkage,
    merge_national_persons,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from punte.linkage.engine.model import TrainedModel

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

# New records linked by one incremental run at most; the rest wait for the next task.
INCREMENTAL_BATCH = 1000
_REASONS = {
    "uncertain": ReviewReason.UNCERTAIN,
    "different given names": ReviewReason.DIFFERENT_GIVEN_NAMES,
}


def bands() -> tuple[float, float]:
    """(threshold, review_from): link at or above the threshold, review between the two."""
    from punte.linkage.engine import linking

    threshold = getattr(settings, "PUNTE_LINKAGE_THRESHOLD", linking.DEFAULT_THRESHOLD)
    review_from = getattr(settings, "PUNTE_LINKAGE_REVIEW_FROM", linking.DEFAULT_REVIEW_FROM)
    return float(threshold), float(review_from)


# --------------------------------------------------------------------------- shared steps


def _open_db(spill: str):
    from punte.linkage.engine import linking

    return linking.open_database(
        temp_directory=spill, memory_limit=getattr(settings, "PUNTE_LINKAGE_MEMORY_LIMIT", None)
    )


def _no_edges() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            "unique_id_l": pd.Series(dtype=object),
            "unique_id_r": pd.Series(dtype=object),
            "match_probability": pd.Series(dtype=float),
            "conflict": pd.Series(dtype=bool),
        }
    )


def _vetoes(
    scorer, ids: list[str], edges: pd.DataFrame, *, threshold: float, decisions: list
) -> list[tuple[str, str]]:
    """The engine's vetoes (linking.find_vetoes) with the configured veto level.

    The database clusters later than the engine's ``link`` would, in its write transaction with
    the decisions of that moment, so the vetoes are looked for here, with the same scorer.
    """
    from punte.linkage.engine import linking

    veto_below = getattr(settings, "PUNTE_LINKAGE_VETO_BELOW", linking.DEFAULT_VETO_BELOW)
    return linking.find_vetoes(
        scorer, ids, edges, threshold=threshold, decisions=decisions, veto_below=veto_below
    )


def _cluster(
    ids: list[str],
    edges: pd.DataFrame,
    *,
    threshold: float,
    review_from: float,
    decisions: list,
    vetoes: list[tuple[str, str]],
):
    """clustering.cluster over edges in a fixed order.

    DuckDB returns pairs in no fixed order, and ties are broken by order: sorting first makes
    the same data and decisions always give the same clusters.
    """
    from punte.linkage.engine import clustering, linking

    ordered = edges.sort_values(["unique_id_l", "unique_id_r"], kind="stable")
    return clustering.cluster(
        ids,
        ordered,
        threshold=threshold,
        review_from=review_from,
        decisions=decisions,
        vetoes=vetoes,
        conflict_link_from=getattr(
            settings, "PUNTE_LINKAGE_CONFLICT_LINK_FROM", linking.DEFAULT_CONFLICT_LINK_FROM
        ),
    )


def _probability(value) -> float | None:
    """Stored to six decimals: the last bits of a score vary between runs (summation order),
    and a relink must not rewrite every row for them. NaN (no link) is None."""
    return None if value != value else round(float(value), 6)


def _decisions(ids: set[str] | None = None) -> list:
    """The standing decisions, as the engine's clustering takes them (all, or among `ids`)."""
    from punte.linkage.engine.clustering import Decision

    rows = LinkDecision.objects.order_by("decided_at").values_list(
        "person_a_id", "person_b_id", "same_person"
    )
    out = []
    for a, b, same in rows.iterator(chunk_size=5000):
        a, b = str(a), str(b)
        if ids is None or (a in ids and b in ids):
            out.append(Decision(a, b, bool(same)))
    return out


def _review_rows(
    review: pd.DataFrame, features: pd.DataFrame, model: TrainedModel
) -> dict[tuple[str, str], dict[str, Any]]:
    """Proposed pairs keyed by (person_a, person_b) in stored order, with their explanation."""
    proposals = {}
    for left, right, probability, reason in review[
        ["record_id_l", "record_id_r", "match_probability", "reason"]
    ].itertuples(index=False):
        key = ordered_pair(left, right)
        proposals[key] = {
            "match_probability": _probability(probability),
            "reason": _REASONS.get(reason, ReviewReason.UNCERTAIN),
        }
    levels = persons.comparison_levels(proposals.keys(), features, model)
    for key, proposal in proposals.items():
        proposal["comparison"] = levels.get(key, [])
    return proposals


def _upsert_proposals(
    proposals: dict[tuple[str, str], dict[str, Any]], *, model_version: str, now
) -> tuple[int, int]:
    """Create or refresh pending pairs; decided pairs are left as decided. (added, refreshed)"""
    if not proposals:
        return 0, 0
    wanted_a = sorted({a for a, _b in proposals})
    existing = {}
    for start in range(0, len(wanted_a), 500):
        for p in ReviewPair.objects.filter(person_a_id__in=wanted_a[start : start + 500]):
            key = (str(p.person_a_id), str(p.person_b_id))
            if key in proposals:
                existing[key] = p
    new, refreshed = [], []
    for key, proposal in proposals.items():
        pair = existing.get(key)
        if pair is None:
            new.append(
                ReviewPair(
                    person_a_id=key[0],
                    person_b_id=key[1],
                    model_version=model_version,
                    proposed_at=now,
                    **proposal,
                )
            )
        elif pair.status == ReviewStatus.PENDING:
            wanted = {**proposal, "model_version": model_version}
            if any(getattr(pair, name) != value for name, value in wanted.items()):
                for name, value in wanted.items():
                    setattr(pair, name, value)
                pair.proposed_at = now
                refreshed.append(pair)
    ReviewPair.objects.bulk_create(new, batch_size=1000)
    ReviewPair.objects.bulk_update(
        refreshed,
        ["match_probability", "reason", "comparison", "model_version", "proposed_at"],
        batch_size=1000,
    )
    return len(new), len(refreshed)


# --------------------------------------------------------------------------- full relink


@dataclasses.dataclass
class RelinkSummary:
    records: int = 0
    unlinkable: int = 0
    national_persons: int = 0
    linked_records: int = 0
    new_national_persons: int = 0
    retired_national_persons: int = 0
    changed_links: int = 0
    review_pending: int = 0
    review_added: int = 0
    review_removed: int = 0
    scored_pairs: int = 0
    conflicts: int = 0
    model_version: str = ""
    trained: bool = False
    seconds: dict[str, float] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _assign_identifiers(
    clusters: dict[str, list[str]], current: dict[str, str]
) -> tuple[dict[str, str | None], dict[str, str]]:
    """Keep national ids with minimal churn.

    An existing national person keeps its id if one new cluster holds at least half of the
    records it had (of those in this run); the cluster that holds most of it wins, each cluster
    takes one id at most. Returns (cluster -> kept national id or None, retired id -> the
    national id of the cluster that took most of its records, filled in by the caller).
    """
    sizes = Counter(current.values())
    candidates = []
    for cluster, members in clusters.items():
        overlap = Counter(current[m] for m in members if m in current)
        for national, count in overlap.items():
            if 2 * count >= sizes[national]:
                candidates.append((-count, -count / sizes[national], national, cluster))
    candidates.sort()
    kept: dict[str, str | None] = dict.fromkeys(clusters)
    taken: set[str] = set()
    for _count, _share, national, cluster in candidates:
        if kept[cluster] is None and national not in taken:
            kept[cluster] = national
            taken.add(national)
    # Where did each dropped national person go? To the cluster with most of its records.
    went: dict[str, tuple[int, str]] = {}
    for cluster, members in clusters.items():
        for national, count in Counter(current[m] for m in members if m in current).items():
            if national not in taken and count > went.get(national, (0, ""))[0]:
                went[national] = (count, cluster)
    return kept, {national: cluster for national, (_c, cluster) in went.items()}


def _method(record: str, members: list[str], accepted: dict[str, set[str]]) -> str:
    if len(members) == 1:
        return LinkMethod.SINGLETON
    if accepted.get(record, set()) & set(members):
        return LinkMethod.ANALYST
    return LinkMethod.MODEL


def persons_relink_all(
    *,
    actor: Membership | None = None,
    progress: Progress | None = None,
    train: bool | None = None,
) -> RelinkSummary:
    """Relink every person: score all pairs, cluster with the analysts' decisions, write the
    national person identifiers with minimal churn and refresh the review queue.

    `train`: True trains a new model on the database, False reuses the active model (refused
    if there is none), None reuses it if there is one and trains otherwise. `actor` is None
    from the command line; from the web it needs `linkage.run`.
    """
    from punte.linkage.engine import linking
    from punte.linkage.engine.model import ModelTrainingError

    if actor is not None and not actor.has_perm("linkage.run"):
        raise ServiceError(None, _("Your role may not relink persons."), status=403)
    say = progress or (lambda stage, done, total: None)
    summary = RelinkSummary()
    threshold, review_from = bands()

    started = time.perf_counter()
    total = Person.objects.count()
    say("reading persons", 0, total)
    records, unlinkable = persons.person_records(
        progress=lambda done: say("reading persons", done, total)
    )
    say("reading persons", total, total)
    features = persons.prepare(records)
    summary.records, summary.unlinkable = len(records) + len(unlinkable), len(unlinkable)
    summary.seconds["read"] = round(time.perf_counter() - started, 3)

    existing = active_model() if train is not True else None
    if train is False and existing is None:
        raise ServiceError(
            "train",
            _("There is no usable linkage model: train one on the database first."),
            status=409,
        )
    model = existing[1] if existing else None
    summary.trained = model is None

    def engine_progress(message: str) -> None:
        say(message, 0, 0)

    steps: dict[str, float] = {}
    edges, vetoes = None, []
    ids = list(features["unique_id"])
    if records:
        with (
            batch.collection_paused(),
            tempfile.TemporaryDirectory(prefix="punte-linkage-") as spill,
        ):
            db = _open_db(spill)
            try:
                scorer = linking.Scorer(
                    features, model=model, db=db, progress=engine_progress, timings=steps
                )
                model = scorer.model
                edges = scorer.edges(review_from)
                say("checking candidate groups for contrary evidence", 0, 0)
                vetoes = _vetoes(
                    scorer, ids, edges, threshold=threshold, decisions=_decisions(set(ids))
                )
            except ModelTrainingError as exc:
                raise ServiceError(
                    "train",
                    ngettext(
                        "A linkage model cannot be trained on these records (%(count)d "
                        "linkable record): %(problem)s",
                        "A linkage model cannot be trained on these records (%(count)d "
                        "linkable records): %(problem)s",
                        len(records),
                    )
                    % {"count": len(records), "problem": exc},
                    status=409,
                ) from exc
            finally:
                db.duckdb_con.close()
    elif model is None:
        raise ServiceError("train", _("There are no person records to link."), status=409)
    summary.seconds.update({k: round(v, 3) for k, v in steps.items()})
    summary.scored_pairs = 0 if edges is None else len(edges)

    say("writing national person identifiers", 0, summary.records)
    started = time.perf_counter()
    with transaction.atomic():
        state = lock_linkage()
        stored = linkagemodel_store(trained=model, actor=actor) if summary.trained else existing[0]
        summary.model_version = stored.version
        id_set = set(ids)
        decisions = _decisions(id_set)
        if edges is None:
            edges = _no_edges()
        result = _cluster(
            ids,
            edges,
            threshold=threshold,
            review_from=review_from,
            decisions=decisions,
            vetoes=vetoes,
        )
        summary.conflicts = len(result.conflicts)
        for message in result.conflicts:
            logger.warning("linkage decisions conflict: %s", message)

        # Clusters, plus one of its own for every record that cannot be linked.
        clusters: dict[str, list[str]] = defaultdict(list)
        probability: dict[str, float | None] = {}
        for record, cluster, p in result.clusters[
            ["record_id", "cluster_id", "match_probability"]
        ].itertuples(index=False):
            clusters[cluster].append(record)
            probability[record] = _probability(p)
        links = {str(link.person_id): link for link in PersonLink.objects.all()}
        current = {p: str(link.national_person_id) for p, link in links.items() if p in probability}
        kept, went = _assign_identifiers(clusters, current)
        # A record without names (identity unknown, or anonymised by retention) cannot be
        # compared: it stays with the national person it had, wherever that identifier went,
        # so that anonymising a record never makes one victim count twice.
        cluster_of_national = {national: c for c, national in kept.items() if national}
        for record in unlinkable:
            probability[record] = None
            had = links.get(record)
            target = None
            if had is not None:
                national = str(had.national_person_id)
                target = cluster_of_national.get(national) or went.get(national)
            if target is None:
                target = "U" + record
                own = str(had.national_person_id) if had is not None else None
                kept[target] = own if own and own not in cluster_of_national else None
                if kept[target]:
                    cluster_of_national[own] = target
            clusters[target].append(record)
        accepted: dict[str, set[str]] = defaultdict(set)
        for decision in decisions:
            if decision.accepted:
                accepted[decision.record_id_l].add(decision.record_id_r)
                accepted[decision.record_id_r].add(decision.record_id_l)

        now = timezone.now()
        new_people = []
        national_of_cluster: dict[str, str] = {}
        for cluster in clusters:
            national = kept[cluster]
            if national is None:
                person = NationalPerson(id=uuid.uuid4())
                new_people.append(person)
                national = str(person.id)
            national_of_cluster[cluster] = national
        NationalPerson.objects.bulk_create(new_people, batch_size=1000)
        summary.new_national_persons = len(new_people)

        to_create, to_update = [], []
        for cluster, members in clusters.items():
            national = national_of_cluster[cluster]
            for record in members:
                values = {
                    "national_person_id": uuid.UUID(national),
                    "match_probability": probability[record],
                    "model_version": stored.version,
                    "method": _method(record, members, accepted),
                }
                link = links.get(record)
                if link is None:
                    to_create.append(PersonLink(person_id=record, linked_at=now, **values))
                    summary.changed_links += 1
                    continue
                moved = str(link.national_person_id) != national
                if moved or any(getattr(link, k) != v for k, v in values.items()):
                    for name, value in values.items():
                        setattr(link, name, value)
                    if moved:
                        link.linked_at = now
                        summary.changed_links += 1
                    to_update.append(link)
        # Changed rows are replaced rather than updated: bulk_update builds one CASE branch per
        # row and field in Python (about 1 ms a row: 35 s for 30,000 rows when a new model
        # changes every row), while delete and insert take 2 s. Nothing refers to a PersonLink.
        changed = [link.pk for link in to_update]
        for start in range(0, len(changed), 500):
            PersonLink.objects.filter(pk__in=changed[start : start + 500]).delete()
        PersonLink.objects.bulk_create(to_create + to_update, batch_size=1000)

        # National persons left without any record are retired (never deleted).
        previous = {str(links[r].national_person_id) for r in probability if r in links}
        dropped = previous - set(national_of_cluster.values())
        still_used = set(
            PersonLink.objects.filter(national_person_id__in=dropped)
            .values_list("national_person_id", flat=True)
            .distinct()
        )
        retired = 0
        for national in dropped:
            if uuid.UUID(national) in still_used:
                continue
            target = national_of_cluster.get(went.get(national, ""))
            NationalPerson.objects.filter(pk=national).update(retired_at=now, merged_into_id=target)
            retired += 1
        summary.retired_national_persons = retired

        # The review queue: what the model now proposes, minus what analysts decided.
        proposals = _review_rows(result.review_pairs, features, model)
        summary.review_added, _refreshed = _upsert_proposals(
            proposals, model_version=stored.version, now=now
        )
        stale = ReviewPair.objects.filter(status=ReviewStatus.PENDING).values_list(
            "pk", "person_a_id", "person_b_id"
        )
        stale_ids = [
            pk
            for pk, a, b in stale
            if (str(a), str(b)) not in proposals and str(a) in id_set and str(b) in id_set
        ]
        for start in range(0, len(stale_ids), 500):
            ReviewPair.objects.filter(pk__in=stale_ids[start : start + 500]).delete()
        summary.review_removed = len(stale_ids)
        summary.review_pending = ReviewPair.objects.filter(status=ReviewStatus.PENDING).count()
        summary.national_persons = len(clusters)
        summary.linked_records = sum(len(m) for m in clusters.values() if len(m) > 1)
        summary.seconds["write"] = round(time.perf_counter() - started, 3)

        counts = summary.as_dict()
        counts.pop("seconds")
        state.last_relink_at = now
        state.last_relink_summary = counts
        state.last_relink_refusal = {}
        state.save(update_fields=["last_relink_at", "last_relink_summary", "last_relink_refusal"])
        audit.record(
            action="linkage.relinked",
            actor=actor,
            subject=stored,
            changes=counts,
        )
    say("writing national person identifiers", summary.records, summary.records)
    return summary


# --------------------------------------------------------------------------- incremental


@dataclasses.dataclass
class IncrementalResult:
    status: str  # "linked", "already linked", "no model", "not found"
    linked: int = 0
    attached: int = 0
    new_national_persons: int = 0
    merged_national_persons: int = 0
    review_added: int = 0
    national_person_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def person_link_incremental(*, person_id: uuid.UUID | str) -> IncrementalResult:
    """Link a new person (and every other person still waiting) to the national persons.

    Scores only the pairs between the waiting records and the others, with the active model;
    attaches each waiting record to the national person it matches, or gives it a new one;
    joins national persons that a new record proves to be one; queues uncertain pairs.
    Without a trained model it writes nothing: the person stays on its own until a relink.
    """
    person_id = str(person_id)
    if not Person.objects.filter(pk=person_id).exists():
        return IncrementalResult(status="not found")
    if PersonLink.objects.filter(person_id=person_id).exists():
        return IncrementalResult(status="already linked")
    model_pair = active_model()
    if model_pair is None:
        logger.info(
            "no linkage model is trained yet: person %s stays on its own until "
            "`manage.py link_persons` relinks the database",
            person_id,
        )
        return IncrementalResult(status="no model")
    stored, model = model_pair
    from punte.linkage.engine import linking
    from punte.linkage.engine.clustering import Decision

    threshold, review_from = bands()
    waiting = list(
        Person.objects.filter(national_link__isnull=True)
        .exclude(pk=person_id)
        .order_by("created_at")
        .values_list("pk", flat=True)[: INCREMENTAL_BATCH - 1]
    )
    waiting = {person_id, *(str(pk) for pk in waiting)}
    records, unlinkable = persons.person_records()
    features = persons.prepare(records)
    edges, vetoes = _no_edges(), []
    if features["unique_id"].isin(waiting).any():
        # The blocking rules see every record, so a new record meets the candidates it would
        # meet in a full relink (as linking.score_new_records does), and only those pairs are
        # scored; the scorer stays open to look for contrary evidence inside the groups the
        # new records would form.
        with tempfile.TemporaryDirectory(prefix="punte-linkage-") as spill:
            db = _open_db(spill)
            try:
                scorer = linking.Scorer(features, model=model, db=db)
                edges = scorer.edges(review_from, involving=waiting)
                touched = (set(edges["unique_id_l"]) | set(edges["unique_id_r"])) - waiting
                chains, scope = _national_chains(touched)
                scope |= waiting & set(features["unique_id"])
                vetoes = _vetoes(
                    scorer,
                    sorted(scope),
                    edges,
                    threshold=threshold,
                    decisions=_decisions(scope) + chains,
                )
            finally:
                db.duckdb_con.close()

    result = IncrementalResult(status="linked")
    with transaction.atomic():
        lock_linkage()
        now = timezone.now()
        linked_now = {
            str(p)
            for p in PersonLink.objects.filter(person_id__in=waiting).values_list(
                "person_id", flat=True
            )
        }
        pending = waiting - linked_now  # another run may have linked some meanwhile
        if not pending:
            return IncrementalResult(status="already linked")
        keep = edges["unique_id_l"].isin(pending) | edges["unique_id_r"].isin(pending)
        edges = edges[keep]
        touched = (set(edges["unique_id_l"]) | set(edges["unique_id_r"])) - pending
        touched_links = PersonLink.objects.select_for_update().filter(person_id__in=touched)
        touched_nationals = {link.national_person_id for link in touched_links}
        members: dict[str, list[str]] = defaultdict(list)
        national_of: dict[str, str] = {}
        for link in PersonLink.objects.select_for_update().filter(
            national_person_id__in=touched_nationals
        ):
            members[str(link.national_person_id)].append(str(link.person_id))
            national_of[str(link.person_id)] = str(link.national_person_id)
        linkable_pending = sorted(pending & set(features["unique_id"]))
        ids = linkable_pending + sorted(national_of)
        id_set = set(ids)
        # Records still waiting beyond this batch are left to their own run.
        edges = edges[edges["unique_id_l"].isin(id_set) & edges["unique_id_r"].isin(id_set)]
        # Existing national persons stay whole: their records are tied by "accepted" links.
        decisions = _decisions(id_set)
        for records_of in members.values():
            decisions += [Decision(records_of[0], other, True) for other in records_of[1:]]
        clustered = _cluster(
            ids,
            edges,
            threshold=threshold,
            review_from=review_from,
            decisions=decisions,
            vetoes=vetoes,
        )
        groups: dict[str, list[str]] = defaultdict(list)
        probability: dict[str, float | None] = {}
        for record, cluster, p in clustered.clusters[
            ["record_id", "cluster_id", "match_probability"]
        ].itertuples(index=False):
            groups[cluster].append(record)
            probability[record] = _probability(p)
        for record in pending - set(linkable_pending):
            groups["U" + record].append(record)
            probability[record] = None

        new_links = []
        for group in groups.values():
            newcomers = [r for r in group if r in pending]
            if not newcomers:
                continue
            nationals = sorted({national_of[r] for r in group if r in national_of})
            if not nationals:
                target = NationalPerson.objects.create()
                target_id = str(target.pk)
                result.new_national_persons += 1
            else:
                target_id = max(nationals, key=lambda n: (len(members[n]), n))
                result.attached += len(newcomers)
                for other in nationals:
                    if other != target_id:
                        merge_national_persons(other, target_id, now=now)
                        result.merged_national_persons += 1
                # Records that were alone now have a link of their own.
                PersonLink.objects.filter(
                    national_person_id=target_id, method=LinkMethod.SINGLETON
                ).update(method=LinkMethod.MODEL)
            for record in newcomers:
                new_links.append(
                    PersonLink(
                        person_id=record,
                        national_person_id=target_id,
                        match_probability=probability[record],
                        model_version=stored.version,
                        method=LinkMethod.SINGLETON if len(group) == 1 else LinkMethod.MODEL,
                        linked_at=now,
                    )
                )
            for record in group:
                if record in national_of and probability[record] is not None:
                    PersonLink.objects.filter(
                        person_id=record, match_probability__isnull=True
                    ).update(match_probability=probability[record])
        PersonLink.objects.bulk_create(new_links)
        result.linked = len(new_links)

        proposals = _review_rows(clustered.review_pairs, features, model)
        result.review_added, _refreshed = _upsert_proposals(
            proposals, model_version=stored.version, now=now
        )
        for link in new_links:
            audit.record(
                action="linkage.person_linked",
                subject_type="linkage.personlink",
                subject_id=str(link.person_id),
                person_id=link.person_id,
                changes={
                    "national_person": str(link.national_person_id),
                    "method": link.method,
                    "match_probability": link.match_probability,
                    "model_version": stored.version,
                },
            )
        mine = next((link for link in new_links if str(link.person_id) == person_id), None)
        result.national_person_id = str(mine.national_person_id) if mine else None
    return result


def person_relink_after_change(*, person_id: uuid.UUID | str) -> IncrementalResult:
    """A person's identifying details were corrected: the record leaves the national person its
    old details put it in and is linked again on the new ones (person_link_incremental).

    One transaction, so the record is never counted as nobody. The other records of its old
    national person stay together; analysts' decisions about its pairs still hold. A national
    person left without records is retired, pointing to where the record went. Without a
    trained model the link is left as it is, for the next relink to judge.
    """
    person_id = str(person_id)
    if active_model() is None:
        return IncrementalResult(status="no model")
    with transaction.atomic():
        lock_linkage()
        link = PersonLink.objects.select_for_update().filter(person_id=person_id).first()
        previous = None if link is None else link.national_person_id
        if link is not None:
            link.delete()
            audit.record(
                action="linkage.record_detached",
                subject_type="linkage.personlink",
                subject_id=person_id,
                person_id=person_id,
                changes={"national_person": str(previous), "because": "details changed"},
            )
        result = person_link_incremental(person_id=person_id)
        if previous is not None:
            remaining = PersonLink.objects.filter(national_person_id=previous)
            left = remaining.count()
            if left == 0:
                NationalPerson.objects.filter(pk=previous).update(
                    retired_at=timezone.now(), merged_into_id=result.national_person_id
                )
            elif left == 1:
                # The record the moved one leaves behind is no longer linked to anyone.
                remaining.update(method=LinkMethod.SINGLETON, match_probability=None)
    return result


def _national_chains(records: set[str]) -> tuple[list, set[str]]:
    """ "Accepted" links tying together the records of the national persons of `records`, and
    every record of those national persons."""
    from punte.linkage.engine.clustering import Decision

    nationals = PersonLink.objects.filter(person_id__in=records).values("national_person_id")
    members: dict[str, list[str]] = defaultdict(list)
    for person, national in PersonLink.objects.filter(national_person_id__in=nationals).values_list(
        "person_id", "national_person_id"
    ):
        members[str(national)].append(str(person))
    chains = [Decision(group[0], other, True) for group in members.values() for other in group[1:]]
    return chains, {record for group in members.values() for record in group}


def pending_person_ids(limit: int | None = None) -> Iterable[str]:
    """Persons that no run has linked yet (for the command line's report)."""
    queryset = Person.objects.filter(national_link__isnull=True).values_list("pk", flat=True)
    return [str(pk) for pk in (queryset[:limit] if limit else queryset)]
