"""Django system checks of the app contract's shared parts (`manage.py check`, and every
`migrate` and server start): a mistake in an app's contribution stops a deployment with the
app's name, instead of surfacing as a 500 on the first request that reads it."""

from __future__ import annotations

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from punte.core import audit, retention, scheduler


def _refused(check_id: str, hint: str):
    def run(read) -> list[checks.CheckMessage]:
        try:
            read()
        except (ImproperlyConfigured, ValueError) as exc:
            return [checks.Error(str(exc), hint=hint, id=check_id)]
        return []

    return run


def retention_rules(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = _refused("punte.E001", "Correct the rule in the app's retention.py.")(
        retention.discover
    )
    if errors:
        return errors
    unaccounted = retention.unaccounted()
    if unaccounted:
        return [
            checks.Error(
                f"No retention rule and no reason to keep: {', '.join(unaccounted)}.",
                hint="Add a RetentionRule to RULES, or the reason it is kept to KEPT, in the "
                "app's retention.py.",
                id="punte.E002",
            )
        ]
    return []


def audit_events(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return _refused("punte.E003", "Each event name is declared by one app's events.py.")(
        audit.catalogue
    )


def periodic_jobs(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return _refused("punte.E004", "Correct the job in the app's jobs.py.")(scheduler.declared)


CHECKS = [retention_rules, audit_events, periodic_jobs]


def row_level_security(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """On PostgreSQL (`check --database default`, and with --deploy): every table an app
    declares in its rls.py has row-level security forced with its policies, and the role the
    application connects as is restricted by it (ADR 0036)."""
    from punte.core import rls

    if not databases or "default" not in databases:
        return []
    messages: list[checks.CheckMessage] = []
    unprotected = rls.unprotected_tables()
    if unprotected:
        messages.append(
            checks.Error(
                f"Row-level security is not in force on: {', '.join(unprotected)}.",
                hint="Run `manage.py migrate`, which applies the apps' rls.py.",
                id="punte.E031",
            )
        )
    if rls.role_bypasses():
        messages.append(
            checks.Warning(
                "The database role is a superuser or has BYPASSRLS: row-level security does "
                "not restrict it.",
                hint="Connect as the tables' owner without SUPERUSER or BYPASSRLS (README, "
                "production).",
                id="punte.W031",
            )
        )
    return messages
