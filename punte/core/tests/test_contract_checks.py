"""The contract's system checks: silent on the project as it is, naming the mistake otherwise."""

import datetime

from django.core import checks

from punte.accounts import checks as account_checks
from punte.core import checks as core_checks
from punte.core import retention, scheduler
from punte.core.contract import PeriodicJob


def _punte_messages():
    return [m for m in checks.run_checks() if m.id and m.id.startswith("punte.")]


def test_the_project_passes_its_own_checks():
    assert _punte_messages() == []


def test_the_checks_are_registered_from_every_apps_checks_module():
    registered = set(checks.registry.registry.get_checks())
    assert {*core_checks.CHECKS, *account_checks.CHECKS} <= registered


def test_a_model_without_retention_rule_or_reason_stops_the_deployment(monkeypatch):
    monkeypatch.setattr(retention, "unaccounted", lambda: ["cases.Case"])
    [error] = core_checks.retention_rules()
    assert error.id == "punte.E002" and "cases.Case" in error.msg


def test_two_jobs_of_one_name_stop_the_deployment(monkeypatch):
    job = PeriodicJob(name="cases.remind", every=datetime.timedelta(hours=1), run=lambda: None)
    monkeypatch.setattr(scheduler.contract, "collect", lambda module, attribute: [job, job])
    [error] = core_checks.periodic_jobs()
    assert error.id == "punte.E004" and "cases.remind" in error.msg


def test_a_page_needing_an_undeclared_permission_stops_the_deployment(monkeypatch):
    monkeypatch.setattr(
        account_checks,
        "named_permissions",
        lambda: [("navigation entry examples:list", "example.view")],
    )
    [error] = account_checks.permissions()
    assert error.id == "punte.E006" and "example.view" in error.msg
