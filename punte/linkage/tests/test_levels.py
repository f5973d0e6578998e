"""Every comparison level the engine can name is shown in the reader's language."""

from django.utils import translation

from punte.linkage.engine import model
from punte.linkage.levels import LEVELS, level_label


def _engine_level_names() -> set[str]:
    names = set()
    for comparison in model.plain_comparisons():
        for level in comparison.get_comparison("duckdb").as_dict()["comparison_levels"]:
            if level.get("label_for_charts"):
                names.add(level["label_for_charts"])
    return names


def test_every_level_of_the_model_has_words_for_the_reader():
    unknown = sorted(
        name for name in _engine_level_names() if name not in LEVELS and " is NULL" not in name
    )
    assert not unknown, unknown


def test_the_levels_read_in_romanian_and_ukrainian():
    with translation.override("ro"):
        assert level_label("one typo") == "la o greșeală de tastare"
        assert level_label("phone is NULL") == "neînregistrat de o parte"
    with translation.override("uk"):
        assert level_label("same after transliteration") == "однакові після транслітерації"
        assert level_label("Dice >= 0.8") == "подібні кодування (щонайменше 0.8)"
    assert level_label("a level of another version") == "a level of another version"
