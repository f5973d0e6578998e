"""Linking hears of persons through their hooks: of every change to a field it compares."""

from punte.identification.persons.hooks import IDENTITY_FIELDS
from punte.linkage.persons import COMPARED_FIELDS


def test_every_field_linking_compares_is_one_whose_change_persons_announce():
    assert COMPARED_FIELDS <= IDENTITY_FIELDS
