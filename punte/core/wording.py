"""Wording of versioned data (the indicator catalogue, the routing rules) in languages the data
is not published in.

A version of the catalogue or of the routing rules carries its texts in English and Romanian and
is checksummed as loaded: its meaning never changes once in use. Saying the same in Ukrainian is
wording, not meaning, so it lives beside the data as `<data folder>/wording/<language>.yaml`, a
map from the English text (whitespace does not matter) to its translation, and can be completed
without a new version. A text with no translation is shown in English, never in Romanian to a
reader of another language (ADR 0006's fallback).
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml


def _key(text: str) -> str:
    return " ".join(text.split())


@functools.cache
def wording(directory: Path, language: str) -> dict[str, str]:
    """The translations of one data folder into one language (empty when there are none)."""
    path = directory / "wording" / f"{language}.yaml"
    if not path.exists():
        return {}
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {_key(source): _key(text) for source, text in entries.items()}


def translated(text_en: str, *, language: str | None, directory: Path) -> str:
    """`text_en` in `language` ("uk", "uk-ua"), or in English where no translation exists."""
    code = (language or "").lower().split("-")[0]
    if not code or code == "en":
        return text_en
    return wording(directory, code).get(_key(text_en), text_en)
