"""More hand-worked cases on the sexual-exploitation lists: each at the boundary of the rule,
one indicator short of a presumed victim and then with that indicator (grades as in
ilo-ec-2009-v1.yaml, checked by hand)."""

import pytest

from punte.identification.screening.assessment import Outcome, assess
from punte.identification.screening.catalogue.schema import CATALOGUE_DIR, read_catalogue


@pytest.fixture(scope="module")
def catalogue():
    return read_catalogue(CATALOGUE_DIR / "ilo-ec-2009-v1.yaml")


def run(catalogue, codes, *, is_child):
    return assess(
        catalogue.rule, catalogue.indicators, dict.fromkeys(codes, True), is_child=is_child
    )


def test_adult_sexual_two_medium_exploitative_conditions_are_not_enough(catalogue):
    # Deceived about the job (strong) and about the conditions of prostitution (medium): deceptive
    # recruitment present (1 strong + 1 medium). Forced tasks or clients and confiscated documents
    # (strong, strong): coercion at destination present. Bad living conditions and excessive
    # hours: two medium, which make no combination -> exploitation missing.
    codes = ["AS-DR-01", "AS-DR-02", "AS-CD-03", "AS-CD-01", "AS-EX-01", "AS-EX-02"]
    result = run(catalogue, codes, is_child=False)
    assert result.outcome == Outcome.INSUFFICIENT_INDICATIONS
    assert not result.dimension("exploitative_conditions").present
    assert [r.requirement for r in result.requirements if not r.met] == ["exploitation"]
    # No access to education (weak) completes "2 medium and 1 weak".
    result = run(catalogue, [*codes, "AS-EX-09"], is_child=False)
    assert result.outcome == Outcome.PRESUMED_VICTIM
    assert result.dimension("exploitative_conditions").combination == 3


def test_child_sexual_one_strong_recruitment_indicator_alone_is_not_enough(catalogue):
    # Deceived about the nature of the job (strong) alone: deceptive recruitment not present.
    # Hazardous work (strong) and bad living conditions (medium): exploitation present.
    codes = ["CS-DR-02", "CS-EX-01", "CS-EX-02"]
    result = run(catalogue, codes, is_child=True)
    assert result.outcome == Outcome.INSUFFICIENT_INDICATIONS
    assert [r.requirement for r in result.requirements if not r.met] == ["recruitment"]
    # Deceived about the conditions of prostitution (medium): 1 strong + 1 medium.
    result = run(catalogue, [*codes, "CS-DR-03"], is_child=True)
    assert result.outcome == Outcome.PRESUMED_VICTIM
    assert result.dimension("deceptive_recruitment").combination == 1


def test_the_same_answers_for_an_adult_need_the_means(catalogue):
    # An adult with recruitment and exploitation but nothing at destination: insufficient.
    codes = ["AS-DR-01", "AS-DR-02", "AS-EX-01", "AS-EX-02", "AS-EX-03"]
    result = run(catalogue, codes, is_child=False)
    assert result.outcome == Outcome.INSUFFICIENT_INDICATIONS
    assert [r.requirement for r in result.requirements if not r.met] == ["means_at_destination"]
