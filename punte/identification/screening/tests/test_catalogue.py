"""The catalogue file, its checks, and its loading into the database."""

import re
import threading
import time
from collections import Counter

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from punte.core.models import AuditEvent
from punte.identification.screening.assessment import assess
from punte.identification.screening.catalogue.schema import (
    CATALOGUE_DIR,
    CatalogueError,
    parse_catalogue,
    read_catalogue,
)
from punte.identification.screening.catalogue.store import (
    catalogue_from_db,
    latest_version,
    load_catalogue,
)
from punte.identification.screening.models import Indicator, IndicatorCatalogue

V1 = CATALOGUE_DIR / "ilo-ec-2009-v1.yaml"
BASE_LISTS = ["adult_labour", "adult_sexual", "child_labour", "child_sexual"]
DIMENSIONS = [
    "deceptive_recruitment",
    "coercive_recruitment",
    "recruitment_abuse_of_vulnerability",
    "exploitative_conditions",
    "coercion_at_destination",
    "abuse_of_vulnerability_at_destination",
]


@pytest.fixture(scope="module")
def raw():
    # Read with plain PyYAML, not with the module under test, so these checks stand on their own.
    return yaml.safe_load(V1.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def v1_text():
    return V1.read_text(encoding="utf-8")


def all_indicators(raw):
    return [(lst["list"], item) for lst in raw["lists"] for item in lst["indicators"]]


# --- The file -----------------------------------------------------------------------------------


def test_the_file_has_a_version_and_every_list(raw):
    assert raw["version"] == "ilo-ec-2009-v1"
    assert [lst["list"] for lst in raw["lists"]] == [
        *BASE_LISTS,
        "begging",
        "criminal",
        "marriage",
        "organ_removal",
        "clinical",
    ]


def test_indicator_codes_are_unique(raw):
    codes = Counter(item["code"] for _, item in all_indicators(raw))
    assert [code for code, n in codes.items() if n > 1] == []


def test_every_indicator_has_both_texts_and_a_valid_grade_and_dimension(raw):
    for list_name, item in all_indicators(raw):
        assert item["text_en"].strip() and item["text_ro"].strip(), item["code"]
        assert item["text_en"] != item["text_ro"], item["code"]
        assert item["dimension"] in DIMENSIONS, item["code"]
        if list_name == "clinical":
            assert "grade" not in item, item["code"]
        else:
            assert item["grade"] in ("strong", "medium", "weak"), item["code"]


def test_romanian_texts_use_comma_below_diacritics(raw):
    texts = [item["text_ro"] for _, item in all_indicators(raw)]
    assert not [t for t in texts if re.search("[şţŞŢ]", t)]
    # Romanian, not English left untranslated: most texts carry a diacritic.
    assert sum(bool(re.search("[ăâîșțĂÂÎȘȚ]", t)) for t in texts) > 0.8 * len(texts)


def test_the_four_ilo_ec_lists_cover_six_dimensions(raw):
    sizes = {}
    for lst in raw["lists"]:
        if lst["list"] in BASE_LISTS:
            assert {item["dimension"] for item in lst["indicators"]} == set(DIMENSIONS)
            sizes[lst["list"]] = len(lst["indicators"])
    assert sizes == {"adult_labour": 67, "adult_sexual": 67, "child_labour": 65, "child_sexual": 65}


def test_every_dimension_of_every_base_list_can_be_present():
    catalogue = read_catalogue(V1)
    for list_name in BASE_LISTS:
        for dimension in DIMENSIONS:
            codes = [
                code
                for code, ind in catalogue.indicators.items()
                if ind.list == list_name and ind.dimension == dimension
            ]
            result = assess(
                catalogue.rule,
                catalogue.indicators,
                dict.fromkeys(codes, True),
                is_child=list_name.startswith("child"),
            )
            assert result.dimension(dimension).present, (list_name, dimension)


def test_the_short_screen_has_at_most_six_questions_each_pointing_to_indicators(raw):
    questions = next(lst for lst in raw["lists"] if lst["list"] == "clinical")["indicators"]
    assert 1 <= len(questions) <= 6
    codes = {item["code"] for _, item in all_indicators(raw)}
    for question in questions:
        assert question["text_en"].endswith("?") and question["text_ro"].endswith("?")
        assert question["maps_to"] and set(question["maps_to"]) <= codes
        # Each question leads to indicators of the adults' and of the children's lists.
        assert {code[:2] for code in question["maps_to"]} >= {"AL", "CL"}


def test_extension_lists_name_their_sources(raw):
    source_ids = {source["id"] for source in raw["sources"]}
    for lst in raw["lists"]:
        assert lst["source"] in source_ids
    assert "ilo-ec-2009" in source_ids


# --- The checks refuse a broken file, naming where ----------------------------------------------


AL = "lists[adult_labour].indicators"
RO_TEXT = '        text_ro: "Înșelăciune privind condițiile de muncă"\n'
BROKEN = [
    # (text in the file, replaced by, where the refusal points)
    ("        grade: weak\n", "        grade: wak\n", f"{AL}[AL-DR-10].grade"),
    ("      - code: AL-DR-02\n", "      - code: AL-DR-01\n", f"{AL}[AL-DR-01].code"),
    ("      - code: AL-DR-02\n", "      - code: AL-CR-02\n", f"{AL}[AL-CR-02].code"),
    (RO_TEXT, RO_TEXT.replace("ș", "ş").replace("ț", "ţ"), f"{AL}[AL-DR-02].text_ro"),
    (RO_TEXT, '        text_ro: ""\n', f"{AL}[AL-DR-02].text_ro"),
    (
        "        dimension: coercive_recruitment\n",
        "        dimension: coercion\n",
        f"{AL}[AL-CR-01].dimension",
    ),
    ("maps_to: [AL-CD-02,", "maps_to: [AL-CD-99,", "lists[clinical].indicators[SS-6].maps_to"),
    (
        "    - [{grades: [medium], at_least: 3}]\n",
        "    - [{grades: [medium], at_least: 3}, {grades: [medium, weak], at_least: 1}]\n",
        "rule.dimension_present_when_any_of[2][1].grades",
    ),
    (
        "    - code: coercion_at_destination\n",
        "    - code: coercive_recruitment\n",
        "rule.dimensions",
    ),
    (
        "        any_of: [exploitative_conditions]\n",
        "        any_of: [exploitation]\n",
        "rule.presumed_victim.adult[1].any_of[0]",
    ),
    (
        "    min_indicators_present: 1\n",
        "    min_indicators_present: 0\n",
        "rule.insufficient_indications.min_indicators_present",
    ),
    ("version: ilo-ec-2009-v1\n", "version: ILO 2009\n", "version"),
    ("published_at: 2026-11-28\n", "published_at: soon\n", "published_at"),
]


@pytest.mark.parametrize(("old", "new", "where"), BROKEN)
def test_a_broken_file_is_refused_naming_where(v1_text, old, new, where):
    assert old in v1_text
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(v1_text.replace(old, new, 1))
    assert caught.value.where == where


def test_a_seventh_short_screen_question_is_refused(v1_text):
    seventh = (
        "      - code: SS-7\n"
        "        dimension: coercion_at_destination\n"
        "        concept: short_screen_7\n"
        '        text_en: "Another question?"\n'
        '        text_ro: "O altă întrebare?"\n'
        "        maps_to: [AL-CD-01]\n"
    )
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(v1_text + seventh)
    assert caught.value.where == "lists[clinical].indicators"


def test_a_key_given_twice_is_refused_not_silently_overwritten(v1_text):
    text = v1_text.replace(
        "        grade: strong\n", "        grade: strong\n        grade: weak\n", 1
    )
    with pytest.raises(CatalogueError, match="the key 'grade' appears twice"):
        parse_catalogue(text)


def test_the_checksum_ignores_comments_but_not_content(v1_text):
    original = parse_catalogue(v1_text).checksum
    assert parse_catalogue("# a new comment\n" + v1_text).checksum == original
    changed = v1_text.replace("Deceived about wages/earnings", "Deceived about wages", 1)
    assert parse_catalogue(changed).checksum != original


# --- Loading into the database ------------------------------------------------------------------


def load(*paths):
    args = []
    for path in paths:
        args += ["--file", str(path)]
    call_command("load_indicator_catalogue", *args, stdout=open("/dev/null", "w"))  # noqa: SIM115


def refused_load(*paths):
    with pytest.raises(CommandError) as caught:
        load(*paths)
    assert caught.value.returncode == 2
    return str(caught.value)


@pytest.mark.django_db
def test_loading_creates_the_version_once():
    call_command("load_indicator_catalogue", stdout=open("/dev/null", "w"))  # noqa: SIM115 - all files
    load(V1)
    load(V1)
    catalogue = IndicatorCatalogue.objects.get()
    assert catalogue.version == "ilo-ec-2009-v1"
    assert catalogue.checksum == read_catalogue(V1).checksum
    assert catalogue.indicators.count() == 315
    assert AuditEvent.objects.filter(action="indicator_catalogue.loaded").count() == 1
    assert latest_version() == "ilo-ec-2009-v1"


@pytest.mark.django_db
def test_a_changed_file_under_an_existing_version_is_refused(tmp_path, v1_text):
    load(V1)
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        v1_text.replace('text_en: "Excessive working days or hours"', 'text_en: "Long hours"'),
        encoding="utf-8",
    )
    message = refused_load(changed)
    assert "ilo-ec-2009-v1" in message and "immutable" in message and "new version id" in message
    assert not Indicator.objects.filter(text_en="Long hours").exists()
    assert Indicator.objects.filter(text_en="Excessive working days or hours").count() == 4


@pytest.mark.django_db
def test_a_new_version_loads_beside_the_old_one(tmp_path, v1_text):
    load(V1)
    v2 = tmp_path / "ilo-ec-2009-v2.yaml"
    v2.write_text(
        v1_text.replace("version: ilo-ec-2009-v1", "version: ilo-ec-2009-v2")
        .replace('text_en: "Excessive working days or hours"', 'text_en: "Long hours"')
        .replace("published_at: 2026-11-28", "published_at: 2027-01-15"),
        encoding="utf-8",
    )
    load(V1, v2)
    assert list(IndicatorCatalogue.objects.values_list("version", flat=True)) == [
        "ilo-ec-2009-v2",
        "ilo-ec-2009-v1",
    ]
    assert latest_version() == "ilo-ec-2009-v2"
    assert catalogue_from_db("ilo-ec-2009-v1").indicators["AL-EX-01"].text_en == (
        "Excessive working days or hours"
    )
    assert catalogue_from_db("ilo-ec-2009-v2").indicators["AL-EX-01"].text_en == "Long hours"


@pytest.mark.django_db
def test_a_broken_file_writes_nothing(tmp_path, v1_text):
    good_v2 = tmp_path / "v2.yaml"
    good_v2.write_text(
        v1_text.replace("version: ilo-ec-2009-v1", "version: ilo-ec-2009-v2"), encoding="utf-8"
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        v1_text.replace("        grade: weak\n", "        grade: wak\n", 1), encoding="utf-8"
    )
    message = refused_load(good_v2, broken)
    assert "AL-DR-10" in message and "grade" in message
    assert refused_load(tmp_path / "missing.yaml").endswith("missing.yaml: no such file")
    assert not IndicatorCatalogue.objects.exists()


@pytest.mark.django_db
def test_two_files_with_one_version_are_refused(tmp_path, v1_text):
    copy = tmp_path / "copy.yaml"
    copy.write_text(v1_text.replace("Wage manipulation", "Wage tricks"), encoding="utf-8")
    assert "in more than one file" in refused_load(V1, copy)
    assert not IndicatorCatalogue.objects.exists()


@pytest.mark.django_db
def test_the_catalogue_read_from_the_database_assesses_as_the_file():
    load(V1)
    from_db = catalogue_from_db("ilo-ec-2009-v1")
    from_file = read_catalogue(V1)
    assert from_db.indicators == from_file.indicators
    assert from_db.rule == from_file.rule
    answers = dict.fromkeys(
        ["AL-DR-01", "AL-DR-08", "AL-EX-01", "AL-EX-04", "AL-CD-01", "AL-CD-03"], True
    )
    assert assess(from_db.rule, from_db.indicators, answers, is_child=False) == assess(
        from_file.rule, from_file.indicators, answers, is_child=False
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_loaders_racing_on_a_new_version_both_succeed_and_load_it_once():
    """The second loader's insert waits on the unique version, fails, and finds the first's."""
    data = read_catalogue(V1)
    inserted, release = threading.Event(), threading.Event()
    results, errors = {}, []

    def first():
        try:
            with transaction.atomic():
                results["first"] = load_catalogue(data)
                inserted.set()
                release.wait(timeout=30)
        except Exception as exc:
            errors.append(exc)
        finally:
            inserted.set()
            connections.close_all()

    def second():
        try:
            inserted.wait(timeout=30)
            results["second"] = load_catalogue(data)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    # Let the first commit only once the second is blocked on the unique version.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not errors:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
        time.sleep(0.05)
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert (results["first"].created, results["second"].created) == (True, False)
    assert IndicatorCatalogue.objects.count() == 1
    assert Indicator.objects.count() == 315
