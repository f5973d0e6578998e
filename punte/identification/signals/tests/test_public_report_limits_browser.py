"""In a real browser, as Chromium encodes it: a Ukrainian report with every field at its limit in
characters (line breaks included) is accepted; one character more is refused, naming the field,
with everything typed still in the form."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from punte.identification.signals.models import Signal
from punte.identification.signals.services.signal import (
    MAX_CONTACT,
    MAX_DESCRIPTION,
    MAX_LOCALITY,
    MAX_PERSON_DESCRIPTION,
)
from punte.identification.signals.tests.factories import national_agency

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LINE = "Дівчина працює вночі на заправці, її паспорт забрав чоловік"  # 59 letters


def _text(length: int) -> str:
    """Lines of Cyrillic separated by line breaks (sent by the browser as CR LF), `length`
    characters in all, counting each line break as one."""
    lines, total = [], 0
    while total < length:
        lines.append(LINE)
        total += len(LINE) + 1
    return "\n".join(lines)[:length].rstrip().ljust(length, "ї")


def _fill(page, description: str) -> dict[str, str]:
    values = {
        "Що ви бачили або чули?": description,
        "Хто може бути в небезпеці?": _text(MAX_PERSON_DESCRIPTION),
        "Місто, село або місце": LINE[: MAX_LOCALITY // 4] * 4,
        "Як з вами зв’язатися? (необов’язково)": ("ї" * MAX_CONTACT),
    }
    for label, value in values.items():
        page.get_by_label(label).fill(value)
    return values


@pytest.fixture
def ukrainian_form(page, live_server, settings):
    settings.PUNTE_PUBLIC_REPORT_MIN_SECONDS = 1
    national_agency("RO-CJ")
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "uk", "url": live_server.url}]
    )
    page.goto("/report/")
    return page


def test_a_ukrainian_report_at_every_limit_is_accepted(ukrainian_form):
    page = ukrainian_form
    values = _fill(page, _text(MAX_DESCRIPTION))
    assert len(values["Місто, село або місце"]) == MAX_LOCALITY
    page.wait_for_timeout(1200)  # the form refuses what is sent faster than a person can
    page.get_by_role("button", name="Надіслати повідомлення").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Дякуємо за ваше повідомлення")
    signal = Signal.objects.get()
    assert len(signal.description) == MAX_DESCRIPTION
    assert signal.description == values["Що ви бачили або чули?"]


def test_one_character_over_is_refused_and_nothing_typed_is_lost(ukrainian_form):
    page = ukrainian_form
    values = _fill(page, _text(MAX_DESCRIPTION) + "ї")
    page.wait_for_timeout(1200)
    page.get_by_role("button", name="Надіслати повідомлення").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Поле «Що ви бачили або чули?» задовге на 1 символ"
    )
    for label, value in values.items():
        expect(page.get_by_label(label)).to_have_value(value)
    assert not Signal.objects.exists()
