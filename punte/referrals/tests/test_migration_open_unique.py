"""A database that holds open duplicates from before the constraint: the migration stops before
changing anything and names each group of referral ids to resolve."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from punte.referrals.models import Referral
from punte.referrals.tests.factories import send_service_referral

pytestmark = pytest.mark.django_db

migration = importlib.import_module("punte.referrals.migrations.0003_referral_open_unique")


def _check():
    migration.refuse_open_duplicates(apps, SimpleNamespace(connection=connection))


def test_open_duplicates_stop_the_migration_naming_them(rules):
    referral = send_service_referral()
    with connection.cursor() as cursor:
        # As the table was before this migration (rolled back with the test).
        cursor.execute("DROP INDEX referral_open_unique_by_service")
    duplicate = Referral.objects.get(pk=referral.pk)
    duplicate.pk = None
    duplicate.save()
    with pytest.raises(RuntimeError) as refused:
        _check()
    assert f"{referral.pk}, {duplicate.pk}" in str(refused.value)

    Referral.objects.filter(pk=duplicate.pk).update(status="withdrawn")
    _check()
