"""One gettext catalog for every string Yiti shows: widgets, errors, server messages, PDFs.

Catalogs live in ``resources/locale/<lang>/LC_MESSAGES/yiti.po`` (edited by translators, built
with babel) and the compiled ``yiti.mo`` beside each. Source strings are English.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

from app.core.resources import resource_path

DOMAIN = "yiti"
SUPPORTED = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LOCALE_DIR: Path = resource_path("locale")  # the bundle's copy when frozen

_current = DEFAULT_LOCALE


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translated where it is shown)."""
    return message


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog for `locale`; English (the source language) needs none."""
    if locale == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[locale])


def normalize(locale: str | None) -> str:
    """Map any locale tag ('zh-CN', 'zh_Hans_CN', 'en-US', None) to one we support."""
    if not locale:
        return DEFAULT_LOCALE
    try:
        parsed = Locale.parse(locale.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return DEFAULT_LOCALE
    if parsed.language == "zh":
        return "zh_CN"
    if parsed.language == "en":
        return "en"
    return DEFAULT_LOCALE


def negotiate(accept_language: str | None) -> str:
    """Pick our locale from an HTTP Accept-Language header (q-values respected)."""
    if not accept_language:
        return DEFAULT_LOCALE
    weighted: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*":
            weighted.append((quality, tag))
    for _quality, tag in sorted(weighted, key=lambda item: -item[0]):
        language = tag.split("-")[0].split("_")[0].lower()
        if language in ("zh", "en"):
            return normalize(tag)
    return DEFAULT_LOCALE


def set_locale(locale: str) -> None:
    """Set the process-wide UI language (desktop client); the server passes locales explicitly."""
    global _current
    _current = normalize(locale)


def current_locale() -> str:
    return _current


def gettext_for(locale: str, message: str) -> str:
    return translations(normalize(locale)).gettext(message)


def _(message: str) -> str:
    """Translate into the current UI language."""
    return translations(_current).gettext(message)


def ngettext(singular: str, plural: str, n: int, locale: str | None = None) -> str:
    return translations(normalize(locale or _current)).ngettext(singular, plural, n)


def available_locales() -> Iterable[str]:
    return SUPPORTED
