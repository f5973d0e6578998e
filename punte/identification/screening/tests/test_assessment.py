"""The assessment rule on hand-worked cases, over catalogue ilo-ec-2009-v1 read from its file.

No database: the engine is pure. Each case states the grades it relies on, so it can be checked
by hand against the catalogue file (and the rule comment at its top).
"""

import copy
import json

import pytest
from django.utils import translation

from punte.core.errors import ServiceError
from punte.identification.screening.assessment import (
    Outcome,
    ShortScreenOutcome,
    assess,
    assess_short_screen,
)
from punte.identification.screening.catalogue.schema import (
    CATALOGUE_DIR,
    parse_catalogue,
    read_catalogue,
)

DR = "deceptive_recruitment"
CR = "coercive_recruitment"
VR = "recruitment_abuse_of_vulnerability"
EX = "exploitative_conditions"
CD = "coercion_at_destination"
VD = "abuse_of_vulnerability_at_destination"


@pytest.fixture(scope="module")
def catalogue():
    return read_catalogue(CATALOGUE_DIR / "ilo-ec-2009-v1.yaml")


def run(catalogue, codes, *, is_child=False, rule=None):
    return assess(
        rule or catalogue.rule, catalogue.indicators, dict.fromkeys(codes, True), is_child=is_child
    )


def present(result):
    return [d.dimension for d in result.dimensions_present]


def test_the_cases_below_rely_on_these_grades(catalogue):
    grades = {code: ind.grade[0] for code, ind in catalogue.indicators.items() if ind.grade}
    assert [grades[c] for c in ["AL-DR-01", "AL-DR-08", "AL-EX-01", "AL-EX-04"]] == list("smsm")
    assert [grades[c] for c in ["AL-CD-01", "AL-CD-03", "AL-CD-05", "AL-CD-15"]] == list("ssmw")
    assert [grades[c] for c in ["AL-VD-01", "AL-VD-06", "AL-VD-07"]] == list("mww")
    assert [
        grades[c] for c in ["AS-CR-01", "AS-CR-04", "AS-EX-02", "AS-EX-03", "AS-EX-04"]
    ] == list("smmmm")
    assert [grades[c] for c in ["AS-VD-01", "AS-VD-02", "AS-VD-06"]] == list("mmw")
    assert [grades[c] for c in ["CL-DR-01", "CL-DR-02", "CL-EX-01", "CL-EX-05"]] == list("sssm")
    assert [
        grades[c] for c in ["CS-VR-01", "CS-VR-02", "CS-VR-03", "CS-EX-01", "CS-EX-03"]
    ] == list("mmmsm")


# --- One presumed-victim case per list ----------------------------------------------------------


def test_adult_labour_presumed_victim(catalogue):
    # Deceived about the job (strong) and the wages (medium); excessive hours (strong) and low or
    # no salary (medium); documents confiscated and confined at destination (strong, strong).
    result = run(
        catalogue,
        ["AL-DR-01", "AL-DR-08", "AL-EX-01", "AL-EX-04", "AL-CD-01", "AL-CD-03"],
    )
    assert result.outcome == Outcome.PRESUMED_VICTIM
    assert present(result) == [DR, EX, CD]
    assert result.dimension(DR).counted == ("AL-DR-01", "AL-DR-08")
    assert result.dimension(CD).counted == ("AL-CD-01", "AL-CD-03")
    assert [r.met for r in result.requirements] == [True, True, True]
    assert result.requirements[2].dimensions_present == (CD,)


def test_adult_sexual_presumed_victim_through_abuse_of_vulnerability(catalogue):
    # Sold (strong) into debt bondage (medium) -> coercive recruitment; three medium exploitative
    # conditions (the adults' sexual list has no strong one); at destination only abuse of
    # vulnerability: dependency and unknown area (medium, medium) and past difficulties (weak).
    result = run(
        catalogue,
        [
            "AS-CR-01",
            "AS-CR-04",
            "AS-EX-02",
            "AS-EX-03",
            "AS-EX-04",
            "AS-VD-01",
            "AS-VD-02",
            "AS-VD-06",
        ],
    )
    assert result.outcome == Outcome.PRESUMED_VICTIM
    assert present(result) == [CR, EX, VD]
    assert result.dimension(EX).combination == 2  # three medium
    assert result.dimension(VD).combination == 3  # two medium and one weak


def test_child_labour_presumed_victim_without_means(catalogue):
    # Deceived about school and about the job (strong, strong); excessive hours (strong), kept
    # from education (medium). Nothing at destination: for a child the means are not required.
    result = run(catalogue, ["CL-DR-01", "CL-DR-02", "CL-EX-01", "CL-EX-05"], is_child=True)
    assert result.outcome == Outcome.PRESUMED_VICTIM
    assert present(result) == [DR, EX]
    assert [r.requirement for r in result.requirements] == ["recruitment", "exploitation"]


def test_child_sexual_presumed_victim(catalogue):
    # Recruited by abuse of vulnerability (three medium); hazardous work (strong) and excessive
    # hours (medium).
    result = run(
        catalogue, ["CS-VR-01", "CS-VR-02", "CS-VR-03", "CS-EX-01", "CS-EX-03"], is_child=True
    )
    assert result.outcome == Outcome.PRESUMED_VICTIM
    assert present(result) == [VR, EX]


# --- The means, and the child rule --------------------------------------------------------------


def same_indications(catalogue, codes, in_list):
    """The indicators of another list that are the same indications (dimension and concept)."""
    wanted = [(catalogue.indicators[c].dimension, catalogue.indicators[c].concept) for c in codes]
    found = {
        (ind.dimension, ind.concept): code
        for code, ind in catalogue.indicators.items()
        if ind.list == in_list
    }
    return [found[key] for key in wanted]


ADULT_RECRUITED_AND_EXPLOITED = ["AL-DR-01", "AL-DR-08", "AL-EX-01", "AL-EX-04"]


def test_adult_recruited_and_exploited_without_means_is_insufficient(catalogue):
    result = run(catalogue, ADULT_RECRUITED_AND_EXPLOITED)
    assert result.outcome == Outcome.INSUFFICIENT_INDICATIONS
    assert present(result) == [DR, EX]
    missing = [r.requirement for r in result.requirements if not r.met]
    assert missing == ["means_at_destination"]
    assert any(
        "Missing: coercion or abuse of vulnerability" in line for line in result.explanation()
    )


def test_the_same_indications_for_a_child_make_a_presumed_victim(catalogue):
    child_codes = same_indications(catalogue, ADULT_RECRUITED_AND_EXPLOITED, "child_labour")
    assert child_codes == ["CL-DR-02", "CL-DR-09", "CL-EX-01", "CL-EX-04"]
    result = run(catalogue, child_codes, is_child=True)
    assert result.outcome == Outcome.PRESUMED_VICTIM
    assert present(result) == [DR, EX]


def test_adult_with_means_but_no_recruitment_is_insufficient(catalogue):
    result = run(catalogue, ["AL-EX-01", "AL-EX-04", "AL-CD-01", "AL-CD-03"])
    assert result.outcome == Outcome.INSUFFICIENT_INDICATIONS
    assert [r.requirement for r in result.requirements if not r.met] == ["recruitment"]


# --- Nothing, little, and how a dimension becomes present ---------------------------------------


def test_an_empty_screening_is_not_indicated(catalogue):
    result = run(catalogue, [])
    assert result.outcome == Outcome.NOT_INDICATED
    assert result.indicators_present == ()
    assert present(result) == []
    assert result.explanation()[0] == "Not indicated: no indicator was observed."


def test_indicators_asked_and_not_observed_count_for_nothing(catalogue):
    answers = dict.fromkeys(["AL-DR-01", "AL-EX-01", "AL-CD-01"], False)
    result = assess(catalogue.rule, catalogue.indicators, answers, is_child=False)
    assert result.outcome == Outcome.NOT_INDICATED


def test_a_weak_only_dimension_is_not_present(catalogue):
    # Difficulties in the past and personal characteristics: two weak indicators.
    result = run(catalogue, ["AL-VD-06", "AL-VD-07"])
    assert present(result) == []
    assert result.dimension(VD).counts == {"strong": 0, "medium": 0, "weak": 2}
    assert result.outcome == Outcome.INSUFFICIENT_INDICATIONS  # something was observed


@pytest.mark.parametrize(
    ("codes", "is_present"),
    [
        (["AL-CD-01", "AL-CD-03"], True),  # 2 strong
        (["AL-CD-01", "AL-CD-05"], True),  # 1 strong + 1 medium
        (["AL-CD-01", "AL-CD-15"], True),  # 1 strong + 1 weak
        (["AL-CD-05", "AL-CD-06", "AL-CD-07"], True),  # 3 medium
        (["AL-CD-05", "AL-CD-06", "AL-CD-15"], True),  # 2 medium + 1 weak
        (["AL-CD-01"], False),  # 1 strong alone
        (["AL-CD-05", "AL-CD-06"], False),  # 2 medium
        (["AL-CD-05", "AL-CD-15"], False),  # 1 medium + 1 weak
        (["AL-VD-01", "AL-VD-06", "AL-VD-07"], False),  # 1 medium + 2 weak (another dimension)
    ],
)
def test_combinations_of_grades(catalogue, codes, is_present):
    result = run(catalogue, codes)
    dimension = catalogue.indicators[codes[0]].dimension
    assert result.dimension(dimension).present is is_present


def test_the_same_indication_in_two_lists_counts_once(catalogue):
    # Documents confiscated, ticked in both adults' lists: one strong indication, not two.
    result = run(catalogue, ["AL-CD-01", "AS-CD-01"])
    cd = result.dimension(CD)
    assert cd.present is False
    assert cd.counted == ("AL-CD-01",)
    assert cd.also_observed == ("AS-CD-01",)
    assert "AS-CD-01 is the same indication as AL-CD-01 and counts once." in result.explanation()


def test_the_rule_is_data(catalogue):
    rule = copy.deepcopy(catalogue.rule)
    rule["dimension_present_when_any_of"] = [[{"grades": ["strong"], "at_least": 1}]]
    assert run(catalogue, ["AL-CD-01"], rule=rule).dimension(CD).present is True
    rule["presumed_victim"]["adult"] = rule["presumed_victim"]["child"]
    result = run(catalogue, ["AL-DR-01", "AL-EX-01"], rule=rule)
    assert result.outcome == Outcome.PRESUMED_VICTIM


# --- Extension lists ----------------------------------------------------------------------------


def test_forced_begging_with_the_adults_labour_list(catalogue):
    # Recruited by abuse of vulnerability (three medium, adults' labour list); hands over the
    # money (strong) and has a daily quota (medium); punished for too little (strong) and
    # driven to the begging places (medium).
    codes = ["AL-VR-01", "AL-VR-02", "AL-VR-03", "FB-EX-01", "FB-EX-02", "FB-CD-01", "FB-CD-03"]
    result = run(catalogue, codes)
    assert result.outcome == Outcome.PRESUMED_VICTIM
    assert present(result) == [VR, EX, CD]
    assert result.dimension(EX).counted == ("FB-EX-01", "FB-EX-02")


def test_organ_removal_on_its_own(catalogue):
    codes = ["OR-DR-01", "OR-DR-02", "OR-EX-01", "OR-EX-02", "OR-CD-01", "OR-CD-02", "OR-CD-03"]
    assert run(catalogue, codes).outcome == Outcome.PRESUMED_VICTIM
    # Extension lists are for anyone: the same observations for a child.
    assert run(catalogue, codes, is_child=True).outcome == Outcome.PRESUMED_VICTIM


def test_forced_marriage_of_a_child(catalogue):
    # Married for money before 18 (strong, strong); imposed domestic work and sexual relations.
    codes = ["FM-CR-02", "FM-CR-03", "FM-EX-01", "FM-EX-02"]
    assert run(catalogue, codes, is_child=True).outcome == Outcome.PRESUMED_VICTIM
    assert run(catalogue, codes).outcome == Outcome.INSUFFICIENT_INDICATIONS


# --- Bad answers --------------------------------------------------------------------------------


def refused(catalogue, answers, *, is_child=False):
    with pytest.raises(ServiceError) as caught:
        assess(catalogue.rule, catalogue.indicators, answers, is_child=is_child)
    return caught.value


def test_an_unknown_indicator_is_refused(catalogue):
    error = refused(catalogue, {"AL-DR-01": True, "XX-DR-99": True})
    assert error.field == "answers.XX-DR-99"
    assert "ilo-ec-2009-v1" in error.message


def test_an_indicator_of_another_catalogue_version_is_refused(catalogue):
    text = (CATALOGUE_DIR / "ilo-ec-2009-v1.yaml").read_text(encoding="utf-8")
    v2_text = text.replace("version: ilo-ec-2009-v1", "version: ilo-ec-2009-v2").replace(
        "      - code: AL-DR-10\n",
        "      - code: AL-DR-11\n"
        "        dimension: deceptive_recruitment\n"
        "        grade: weak\n"
        "        concept: deceived_new\n"
        '        text_en: "A new indication"\n'
        '        text_ro: "O indicație nouă"\n'
        "      - code: AL-DR-10\n",
    )
    v2 = parse_catalogue(v2_text)
    assert assess(v2.rule, v2.indicators, {"AL-DR-11": True}, is_child=False).indicators_present
    error = refused(catalogue, {"AL-DR-11": True})
    assert error.field == "answers.AL-DR-11"
    assert "not an indicator of catalogue version ilo-ec-2009-v1" in error.message


def test_lists_of_the_other_age_group_are_refused(catalogue):
    assert refused(catalogue, {"AL-DR-01": True}, is_child=True).field == "answers.AL-DR-01"
    assert refused(catalogue, {"CL-DR-01": False}).field == "answers.CL-DR-01"


def test_a_short_screen_question_is_not_a_screening_indicator(catalogue):
    assert refused(catalogue, {"SS-1": True}).field == "answers.SS-1"


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_answers_must_be_true_or_false(catalogue, value):
    assert refused(catalogue, {"AL-DR-01": value}).field == "answers.AL-DR-01"


# --- What a result shows ------------------------------------------------------------------------


def test_the_explanation_names_the_dimensions_and_indicators(catalogue):
    result = run(
        catalogue,
        ["AL-DR-01", "AL-DR-08", "AL-EX-01", "AL-EX-04", "AL-CD-01", "AL-CD-03", "AL-VD-06"],
    )
    lines = result.explanation("en")
    assert lines[0] == "Presumed victim: every requirement of the rule is met."
    assert (
        "Deceptive recruitment (including transfer and transport): present (1 strong, 1 medium, "
        "enough as 1 strong and 1 medium or weak): AL-DR-01 Deceived about the nature of the job, "
        "location or employer; AL-DR-08 Deceived about wages/earnings."
    ) in lines
    assert any(
        line.startswith("Abuse of vulnerability at destination: not present (1 weak;")
        for line in lines
    )
    with translation.override("ro"):
        romanian = result.explanation()
    assert any(
        "Recrutare prin înșelăciune" in line and "Înșelăciune privind" in line for line in romanian
    )


def test_the_explanation_counts_indications_in_each_language_s_plural(catalogue):
    result = run(
        catalogue,
        ["AL-DR-01", "AL-DR-08", "AL-EX-01", "AL-EX-04", "AL-CD-01", "AL-CD-03", "AL-VD-06"],
    )
    with translation.override("ro"):
        romanian = " ".join(result.explanation())
    with translation.override("uk"):
        ukrainian = " ".join(result.explanation())
    assert "1 indicator puternic, 1 indicator mediu" in romanian
    assert "2 indicatori puternici" in romanian
    assert "1 сильний індикатор" in ukrainian and "2 сильні індикатори" in ukrainian


def test_the_result_can_be_stored_as_json(catalogue):
    result = run(catalogue, ADULT_RECRUITED_AND_EXPLOITED)
    stored = json.loads(json.dumps(result.to_dict()))
    assert stored["outcome"] == "insufficient_indications"
    assert stored["catalogue_version"] == "ilo-ec-2009-v1"
    assert [d["dimension"] for d in stored["dimensions"] if d["present"]] == [DR, EX]
    assert stored["dimensions"][0]["indicators"] == ["AL-DR-01", "AL-DR-08"]


# --- The short screen ---------------------------------------------------------------------------


def screen(catalogue, yes=(), unsure=(), *, is_child=False, **overrides):
    answers = {f"SS-{n}": "no" for n in range(1, 7)}
    answers.update(dict.fromkeys(yes, "yes"))
    answers.update(dict.fromkeys(unsure, "unsure"))
    answers.update(overrides)
    return assess_short_screen(catalogue.rule, catalogue.indicators, answers, is_child=is_child)


def test_short_screen_adult_presumed_victim(catalogue):
    result = screen(catalogue, yes=["SS-2", "SS-3", "SS-4"])
    assert result.outcome == ShortScreenOutcome.PRESUMED_VICTIM
    assert [(r.requirement, r.met, r.yes) for r in result.requirements] == [
        ("exploitation", True, ("SS-2",)),
        ("deception_or_control", True, ("SS-3", "SS-4")),
    ]
    # The full screening starts from the adults' indicators the answers point to.
    assert "AL-CD-01" in result.suggested_indicators
    assert "AS-CD-04" in result.suggested_indicators
    assert not any(code.startswith(("CL-", "CS-")) for code in result.suggested_indicators)


def test_short_screen_one_sign_of_control_refers_an_adult_but_makes_a_child_presumed(catalogue):
    assert screen(catalogue, yes=["SS-2", "SS-3"]).outcome == (
        ShortScreenOutcome.REFER_FOR_FULL_SCREENING
    )
    child = screen(catalogue, yes=["SS-2", "SS-3"], is_child=True)
    assert child.outcome == ShortScreenOutcome.PRESUMED_VICTIM
    assert set(child.suggested_indicators) == {
        "CL-EX-01", "CL-EX-04", "CL-CD-04", "CS-EX-03", "CS-EX-04", "CS-CD-04",
        "CL-CD-01", "CS-CD-01",
    }  # fmt: skip


def test_short_screen_control_without_exploitation_is_referred(catalogue):
    result = screen(catalogue, yes=["SS-1", "SS-3", "SS-4", "SS-5", "SS-6"])
    assert result.outcome == ShortScreenOutcome.REFER_FOR_FULL_SCREENING


def test_short_screen_unsure_refers_but_never_makes_a_presumed_victim(catalogue):
    assert screen(catalogue, unsure=["SS-5"]).outcome == ShortScreenOutcome.REFER_FOR_FULL_SCREENING
    result = screen(catalogue, yes=["SS-2"], unsure=["SS-3", "SS-4"])
    assert result.outcome == ShortScreenOutcome.REFER_FOR_FULL_SCREENING
    assert result.unsure == ("SS-3", "SS-4")


def test_short_screen_all_no_is_not_indicated(catalogue):
    result = screen(catalogue)
    assert result.outcome == ShortScreenOutcome.NOT_INDICATED
    assert result.explanation()[0] == "Not indicated: every answer is no."


def test_short_screen_every_question_must_be_answered(catalogue):
    answers = {f"SS-{n}": "no" for n in range(1, 6)}
    with pytest.raises(ServiceError) as caught:
        assess_short_screen(catalogue.rule, catalogue.indicators, answers, is_child=False)
    assert caught.value.field == "answers.SS-6"


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"SS-3": "maybe"}, "answers.SS-3"),
        ({"SS-3": True}, "answers.SS-3"),
        ({"SS-7": "no"}, "answers.SS-7"),
        ({"AL-CD-01": "yes"}, "answers.AL-CD-01"),
    ],
)
def test_short_screen_bad_answers_are_refused(catalogue, answers, field):
    full = {f"SS-{n}": "no" for n in range(1, 7)}
    full.update(answers)
    with pytest.raises(ServiceError) as caught:
        assess_short_screen(catalogue.rule, catalogue.indicators, full, is_child=False)
    assert caught.value.field == field
