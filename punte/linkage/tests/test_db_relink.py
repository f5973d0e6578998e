"""Relinking the database: national person identifiers, decisions respected, separation."""

from __future__ import annotations

import datetime
import json
import logging

import pytest
from django.utils import timezone

from punte.accounts.tests.factories import MembershipFactory
from punte.core.errors import ServiceError
from punte.core.models import AuditEvent
from punte.identification.persons.models import Person
from punte.identification.persons.tests.factories import create_person
from punte.linkage import services
from punte.linkage.models import (
    LinkageModel,
    LinkDecision,
    LinkMethod,
    NationalPerson,
    PersonLink,
    ReviewPair,
    ReviewStatus,
    ordered_pair,
)
from punte.linkage.tests.db_factories import background_persons, install_model

D = datetime.date


def national(person) -> str:
    return str(PersonLink.objects.get(person=person).national_person_id)


@pytest.fixture
def agencies():
    return [MembershipFactory(role_code="regional_officer") for _ in range(3)]


@pytest.fixture
def analyst():
    return MembershipFactory(role_code="data_analyst")


@pytest.fixture
def people(agencies):
    """Three persons recorded several times, and others recorded once."""
    police, ngo, dgaspc = agencies
    add = create_person
    return {
        "ana": [
            add(police, given_name="Ana", family_name="Popescu", date_of_birth=D(2001, 5, 17)),
            add(ngo, given_name="ANA", family_name="POPESCU", date_of_birth=D(2001, 5, 17)),
            add(
                dgaspc, given_name="Ana", family_name="Popescu", date_of_birth=None, birth_year=2001
            ),
        ],
        "oksana": [
            add(
                police,
                given_name="Oksana",
                family_name="Hnatiuk",
                date_of_birth=D(1995, 8, 12),
                citizenship="UA",
            ),
            add(
                ngo,
                given_name="Oksana",
                family_name="Gnatyuk",
                date_of_birth=D(1995, 8, 12),
                citizenship="UA",
            ),
            add(
                dgaspc,
                given_name="Оксана",
                family_name="Гнатюк",
                date_of_birth=D(1995, 8, 12),
                citizenship="UA",
            ),
        ],
        "ioana": [
            add(police, given_name="Ioana", family_name="Munteanu", date_of_birth=D(1999, 2, 3)),
            add(dgaspc, given_name="Ioana", family_name="Muntean", date_of_birth=D(1999, 2, 3)),
        ],
        "alone": [
            add(police, given_name="Cristina", family_name="Radu", date_of_birth=D(1985, 11, 30)),
            add(ngo, given_name="Andreea", family_name="Radu", date_of_birth=D(1985, 11, 30)),
            add(
                ngo,
                given_name="Mihai",
                family_name="Dumitrescu",
                sex="male",
                date_of_birth=D(1990, 3, 4),
            ),
            add(dgaspc, given_name="Maria", family_name="Ionescu", date_of_birth=D(1988, 1, 1)),
        ],
    }


@pytest.fixture
def linked(people):
    """The people above in a database of realistic size, relinked once with a stored model."""
    background_persons()
    install_model()
    services.persons_relink_all()
    return people


def pair_of(one, two) -> ReviewPair:
    a, b = ordered_pair(one.pk, two.pk)
    return ReviewPair.objects.get(person_a_id=a, person_b_id=b)


@pytest.mark.django_db
def test_relink_gives_duplicates_one_national_person_and_others_their_own(linked):
    for name in ("ana", "oksana", "ioana"):
        assert len({national(p) for p in linked[name]}) == 1, name
        assert all(
            PersonLink.objects.get(person=p).method == LinkMethod.MODEL for p in linked[name]
        )
    groups = [national(group[0]) for group in (linked["ana"], linked["oksana"], linked["ioana"])]
    alone = [national(p) for p in linked["alone"]]
    assert len(set(groups + alone)) == len(groups) + len(alone)
    # The twins (same family name and date of birth, different given names) await an analyst.
    cristina, andreea = linked["alone"][:2]
    twins = pair_of(cristina, andreea)
    assert twins.status == ReviewStatus.PENDING
    threshold, review_from = services.bands()
    assert review_from <= twins.match_probability < threshold
    levels = {row["comparison"]: row["level"] for row in twins.comparison}
    assert levels["date_of_birth"] == "date of birth equal"
    assert levels["last_name"] == "family name exactly equal"


@pytest.mark.django_db
def test_a_second_relink_keeps_every_national_person_identifier(linked):
    before = dict(PersonLink.objects.values_list("person_id", "national_person_id"))
    steps = []
    summary = services.persons_relink_all(progress=lambda *step: steps.append(step))
    # The command line draws these as a progress bar: stages with records done / total.
    total = PersonLink.objects.count()
    assert ("reading persons", total, total) in steps
    assert steps[-1] == ("writing national person identifiers", total, total)
    assert dict(PersonLink.objects.values_list("person_id", "national_person_id")) == before
    assert summary.changed_links == summary.new_national_persons == 0
    assert summary.review_added == summary.review_removed == 0


@pytest.mark.django_db
def test_review_decisions_are_respected_on_relink(linked, analyst):
    cristina, andreea, mihai, maria = linked["alone"]
    services.reviewpair_decide(
        actor=analyst, pair=pair_of(cristina, andreea), decision="reject", reason="Twins."
    )
    # A pair proposed by an earlier model, which the current model links with confidence,
    # rejected: the rejection wins over the model.
    ana_police, ana_ngo, ana_dgaspc = linked["ana"]
    a, b = ordered_pair(ana_police.pk, ana_ngo.pk)
    stale = ReviewPair.objects.create(
        person_a_id=a,
        person_b_id=b,
        match_probability=0.7,
        reason="uncertain",
        model_version="older",
        proposed_at=timezone.now(),
    )
    services.reviewpair_decide(actor=analyst, pair=stale, decision="reject", reason="Checked.")
    # And two records the model never proposes, accepted: they join at once and stay joined.
    a, b = ordered_pair(mihai.pk, maria.pk)
    unlikely = ReviewPair.objects.create(
        person_a_id=a,
        person_b_id=b,
        match_probability=0.6,
        reason="uncertain",
        model_version="older",
        proposed_at=timezone.now(),
    )
    services.reviewpair_decide(
        actor=analyst, pair=unlikely, decision="accept", reason="Same passport number."
    )
    assert national(mihai) == national(maria)

    services.persons_relink_all()

    assert national(cristina) != national(andreea)
    assert national(ana_police) != national(ana_ngo)
    # The third record of Ana joins one of the two, never both.
    assert national(ana_dgaspc) in {national(ana_police), national(ana_ngo)}
    assert national(mihai) == national(maria)
    assert PersonLink.objects.get(person=mihai).method == LinkMethod.ANALYST
    assert PersonLink.objects.get(person=mihai).match_probability == 1.0
    # Decided pairs are not proposed again.
    assert pair_of(cristina, andreea).status == ReviewStatus.REJECTED
    assert (
        ReviewPair.objects.filter(status=ReviewStatus.PENDING)
        .filter(
            person_a_id__in=[cristina.pk, andreea.pk], person_b_id__in=[cristina.pk, andreea.pk]
        )
        .count()
        == 0
    )


@pytest.mark.django_db
def test_separating_a_record_undoes_its_link_for_good(linked, analyst):
    oksana_police, oksana_ngo, oksana_dgaspc = linked["oksana"]
    before = national(oksana_police)
    result = services.personlink_separate(
        actor=analyst, person=oksana_dgaspc, reason="Another woman of the same name."
    )
    assert result.previous_national_person_id == before
    assert result.kept_apart_from == 2
    assert national(oksana_dgaspc) == result.national_person_id != before
    assert national(oksana_police) == national(oksana_ngo) == before
    assert LinkDecision.objects.filter(same_person=False).count() == 2

    services.persons_relink_all()

    assert national(oksana_dgaspc) not in {national(oksana_police), national(oksana_ngo)}
    # The two records that stayed keep the national person identifier.
    assert national(oksana_police) == national(oksana_ngo) == before
    event = AuditEvent.objects.get(action="linkage.record_separated")
    assert str(event.person_id) == str(oksana_dgaspc.pk)
    assert event.changes["reason"] == "[personal data]"


@pytest.mark.django_db
def test_separating_a_record_alone_is_refused(linked, analyst):
    with pytest.raises(ServiceError) as refused:
        services.personlink_separate(actor=analyst, person=linked["alone"][2], reason="Test.")
    assert (refused.value.field, refused.value.status) == ("person", 409)


@pytest.mark.django_db
def test_a_new_duplicate_is_attached_by_the_background_task(
    linked, agencies, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        again = create_person(
            agencies[1], given_name="IOANA", family_name="MUNTEANU", date_of_birth=D(1999, 2, 3)
        )
        stranger = create_person(
            agencies[1],
            given_name="Teodora",
            family_name="Zamfirescu",
            date_of_birth=D(1979, 12, 1),
        )
    assert national(again) == national(linked["ioana"][0])
    link = PersonLink.objects.get(person=again)
    assert link.method == LinkMethod.MODEL and link.match_probability >= 0.95
    alone = PersonLink.objects.get(person=stranger)
    assert alone.method == LinkMethod.SINGLETON
    assert (
        not PersonLink.objects.filter(national_person=alone.national_person)
        .exclude(person=stranger)
        .exists()
    )
    event = AuditEvent.objects.get(action="linkage.person_linked", person_id=again.pk)
    assert event.changes["national_person"] == national(again)


@pytest.mark.django_db
def test_incremental_linking_respects_a_separation(linked, agencies, analyst):
    ana_police = linked["ana"][0]
    services.personlink_separate(actor=analyst, person=ana_police, reason="Not her.")
    # A new record that matches the separated one and the others: it goes with one side only.
    again = create_person(
        agencies[2], given_name="Ana", family_name="Popescu", date_of_birth=D(2001, 5, 17)
    )
    result = services.person_link_incremental(person_id=again.pk)
    assert result.status == "linked"
    assert national(ana_police) != national(linked["ana"][1])


@pytest.mark.django_db
def test_without_a_model_a_new_person_stays_alone_and_nothing_is_written(
    agencies, django_capture_on_commit_callbacks, caplog
):
    with (
        caplog.at_level(logging.INFO, logger="punte.linkage"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        person = create_person(agencies[0])
    assert not PersonLink.objects.filter(person=person).exists()
    assert str(person.pk) in caplog.text and "no linkage model" in caplog.text
    assert "Popescu" not in caplog.text
    assert services.person_link_incremental(person_id=person.pk).status == "no model"


@pytest.mark.django_db
def test_relink_refuses_to_train_on_too_few_records(people):
    assert not LinkageModel.objects.exists()
    with pytest.raises(ServiceError) as refused:
        services.persons_relink_all()
    assert (refused.value.field, refused.value.status) == ("train", 409)
    assert "too few" in refused.value.message
    assert not PersonLink.objects.exists()
    assert not NationalPerson.objects.exists()


@pytest.mark.django_db
def test_relink_writes_one_audit_event_with_counts_and_no_personal_values(linked):
    event = AuditEvent.objects.get(action="linkage.relinked")
    assert event.changes["records"] == PersonLink.objects.count()
    assert event.changes["review_pending"] >= 1
    text = json.dumps(
        list(AuditEvent.objects.filter(action__startswith="linkage.").values("changes"))
    )
    for value in ("Popescu", "POPESCU", "Hnatiuk", "Гнатюк", "2001-05-17", "1995"):
        assert value not in text


@pytest.mark.django_db
def test_a_model_saved_elsewhere_is_imported_as_the_active_version(tmp_path):
    from punte.linkage.tests.db_factories import trained_model

    first = install_model()
    path = tmp_path / "model.json"
    trained_model().save(path)
    imported = services.linkagemodel_import(path=path)
    assert imported.pk == first.pk and imported.is_active  # the same version is not stored twice
    assert LinkageModel.objects.filter(is_active=True).count() == 1
    assert imported.model_json["splink_settings"] == trained_model().splink_settings

    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "something else"}')
    with pytest.raises(ServiceError) as refused:
        services.linkagemodel_import(path=broken)
    assert refused.value.field == "model"
    assert LinkageModel.objects.get(is_active=True).pk == first.pk


@pytest.mark.django_db
def test_records_without_names_are_never_compared_and_never_split_a_person(linked, agencies):
    unknown = create_person(agencies[0], identity_unknown=True, given_name=None, family_name=None)
    ana_police, ana_ngo, ana_dgaspc = linked["ana"]
    # Retention anonymises an archived record: names, date and indexes go (retention.py).
    Person.objects.filter(pk=ana_dgaspc.pk).update(
        identity_unknown=True, given_name=None, family_name=None, date_of_birth=None
    )
    services.persons_relink_all()
    alone = PersonLink.objects.get(person=unknown)
    assert alone.method == LinkMethod.SINGLETON
    assert PersonLink.objects.filter(national_person=alone.national_person).count() == 1
    assert national(ana_dgaspc) == national(ana_police) == national(ana_ngo)


def _edit(actor, person, **fields):
    from punte.identification.persons import services as identification

    data = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth,
        # Derived from the date of birth when there is one.
        "birth_year": None if person.date_of_birth else person.birth_year,
        "sex": person.sex,
        "citizenships": person.citizenship_codes,
        "notes": person.notes,
    } | fields
    return identification.person_update(
        actor=actor, person_id=person.pk, data=identification.PersonInput(**data)
    )


@pytest.mark.django_db
def test_a_corrected_record_leaves_the_person_it_no_longer_matches(
    linked, agencies, django_capture_on_commit_callbacks
):
    ana_police, ana_ngo, ana_dgaspc = linked["ana"]
    before = national(ana_police)
    with django_capture_on_commit_callbacks(execute=True):
        _edit(
            agencies[0],
            ana_police,
            given_name="Teodora",
            family_name="Zamfirescu",
            date_of_birth=D(1979, 12, 1),
        )
    assert national(ana_police) != before
    assert national(ana_ngo) == national(ana_dgaspc) == before
    detached = AuditEvent.objects.get(action="linkage.record_detached", person_id=ana_police.pk)
    assert detached.changes["national_person"] == before
    assert "Teodora" not in str(detached.changes)
    assert AuditEvent.objects.filter(
        action="linkage.person_linked", person_id=ana_police.pk
    ).exists()


@pytest.mark.django_db
def test_a_record_corrected_to_match_another_joins_it_and_its_old_identifier_is_retired(
    linked, agencies, django_capture_on_commit_callbacks
):
    maria = linked["alone"][3]
    old = NationalPerson.objects.get(pk=national(maria))
    with django_capture_on_commit_callbacks(execute=True):
        _edit(
            agencies[2],
            maria,
            given_name="Ioana",
            family_name="Munteanu",
            date_of_birth=D(1999, 2, 3),
        )
    assert national(maria) == national(linked["ioana"][0])
    old.refresh_from_db()
    assert old.retired_at is not None and str(old.merged_into_id) == national(maria)


@pytest.mark.django_db
def test_a_change_linking_does_not_read_leaves_the_link_alone(
    linked, agencies, django_capture_on_commit_callbacks
):
    ana_police = linked["ana"][0]
    before = national(ana_police)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _edit(agencies[0], ana_police, notes="Prefers to be called by her second name.")
    assert callbacks == []
    assert national(ana_police) == before
    assert not AuditEvent.objects.filter(action="linkage.record_detached").exists()


# --------------------------------------------------------------------------- identity numbers


def test_the_identity_number_is_the_first_identity_card_else_the_first_passport():
    from punte.linkage.persons import identity_number

    card = {"type": "national_id", "number": "rx 123 456", "issuing_country": "RO"}
    passport = {"type": "passport", "number": "TEST-0000-1", "issuing_country": "UA"}
    # Other kinds are not read: two agencies rarely copy the same birth certificate.
    certificate = {"type": "birth_certificate", "number": "TEST0000002"}
    assert identity_number([passport, certificate, card]) == "RX123456"
    assert identity_number([certificate, passport]) == "TEST00001"
    assert identity_number([certificate, {"type": "other", "number": "TEST0000003"}]) is None
    # A number that cannot be one (a placeholder) is passed over for the next document.
    assert identity_number([{"type": "national_id", "number": "N/A"}, passport]) == "TEST00001"
    assert identity_number(None) is None and identity_number([]) is None


@pytest.mark.django_db
def test_linking_reads_the_identity_number_from_the_encrypted_documents(agencies):
    from punte.identification.persons.services import IdentityDocumentInput
    from punte.linkage import persons

    documented = create_person(
        agencies[0],
        identity_documents=[
            IdentityDocumentInput(type="passport", number="TEST 0000 42", issuing_country="MD"),
        ],
    )
    undocumented = create_person(agencies[1])
    records, _ = persons.person_records([documented.pk, undocumented.pk])
    by_id = {r["record_id"]: r for r in records}
    assert by_id[str(documented.pk)]["identity_number"] == "TEST000042"
    assert by_id[str(undocumented.pk)]["identity_number"] is None
    prepared = persons.prepare(records).set_index("unique_id")
    assert prepared.loc[str(documented.pk), "identity_number"] == "TEST000042"


@pytest.mark.django_db
def test_a_change_of_identity_documents_links_the_person_again(
    agencies, django_capture_on_commit_callbacks, monkeypatch
):
    from punte.identification.persons.services import IdentityDocumentInput
    from punte.linkage import tasks

    relinked = []

    class Task:  # stands for the task: records what identification enqueues
        @staticmethod
        def enqueue(**kwargs):
            relinked.append(kwargs)

    monkeypatch.setattr(tasks, "relink_changed_person_task", Task)
    person = create_person(agencies[0])
    document = IdentityDocumentInput(type="national_id", number="TEST000051")
    with django_capture_on_commit_callbacks(execute=True):
        _edit(agencies[0], person, identity_documents=[document])
    assert relinked == [{"person_id": str(person.pk)}]
    person.refresh_from_db()
    # The same documents again: nothing linking compares has changed.
    with django_capture_on_commit_callbacks(execute=True):
        _edit(agencies[0], person, identity_documents=[document], notes="Seen again.")
    assert len(relinked) == 1


@pytest.mark.django_db
def test_a_stored_model_brings_its_parameters_and_never_its_sql():
    # A row imported before model files were checked could hold any SQL: only its numbers
    # are used, and a row whose comparisons differ from this version's is not used at all.
    stored = install_model()
    clean = services.active_model()[1].splink_settings
    data = LinkageModel.objects.get(pk=stored.pk).model_json  # a copy, as the database has it
    first_level = data["splink_settings"]["comparisons"][0]["comparison_levels"][1]
    first_level["tf_adjustment_weight"] = "1.0 + (SELECT count(*) FROM read_text('x'))"
    data["splink_settings"]["additional_columns_to_retain"] = ["(SELECT 1)"]
    LinkageModel.objects.filter(pk=stored.pk).update(model_json=data)
    assert services.active_model()[1].splink_settings == clean

    first_level["sql_condition"] += " OR (SELECT count(*) FROM read_text('x')) > 0"
    LinkageModel.objects.filter(pk=stored.pk).update(model_json=data)
    assert services.active_model() is None
