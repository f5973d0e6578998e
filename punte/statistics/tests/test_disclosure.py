"""The small-count rule on hand-worked tables."""

from punte.statistics.disclosure import Table, published, published_count, suppressed_cells


def _table(cells, total):
    return Table(
        key="t",
        title="T",
        rows=[("a", "A"), ("b", "B")],
        columns=[("x", "X"), ("y", "Y")],
        cells=cells,
        total=total,
    )


def test_counts_from_one_to_four_are_suppressed_zero_and_five_are_not():
    table = _table({("a", "x"): 1, ("a", "y"): 4, ("b", "x"): 5, ("b", "y"): 0}, total=10)
    assert suppressed_cells(table) == {("a", "x"), ("a", "y")}
    out = {(c["row"], c["column"]): c for c in published(table)["cells"]}
    assert out[("a", "x")] == {"row": "a", "column": "x", "count": None, "suppressed": True}
    assert out[("b", "x")]["count"] == 5 and out[("b", "y")]["count"] == 0
    assert published(table)["total"] == 10


def test_a_lone_suppressed_cell_takes_the_smallest_other_one_with_it():
    # Without it, 3 = 40 - (20 + 17): the total gives the small cell away.
    table = _table({("a", "x"): 3, ("a", "y"): 20, ("b", "x"): 17, ("b", "y"): 0}, total=40)
    assert suppressed_cells(table) == {("a", "x"), ("b", "x")}


def test_a_small_total_suppresses_every_non_zero_cell():
    table = _table({("a", "x"): 2, ("b", "y"): 1}, total=3)
    assert suppressed_cells(table) == {("a", "x"), ("b", "y")}
    assert published(table)["total"] is None and published(table)["total_suppressed"]


def test_the_threshold_is_a_setting(settings):
    settings.PUNTE_STATISTICS_SMALL_COUNT = 11
    assert published_count(10) == {"count": None, "suppressed": True}
    assert published_count(11) == {"count": 11, "suppressed": False}
    assert published_count(0) == {"count": 0, "suppressed": False}
