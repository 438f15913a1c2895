"""Translations of data records: the notes that go with them, their status, and stamping them.

A record holds its text by language (``title: {en: ..., fi: ...}``) and, for every language
but English that has text, a note of how that text was made and from which English text::

    translations:
      fi: {method: human, source: "1a2b3c4d5e6f"}

`source` is the start of the SHA-256 of the record's English text: the fields named in the
model's TRANSLATED, in that order, each as ``field: text``, with white space inside a paragraph
made single spaces (how the pages show it). When the English changes, the translation is
outdated: the same rule, hash and statuses as Markdown pages (portal_core.translations).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from portal_core.errors import PortalError
from portal_core.languages import EU_LANGUAGES
from portal_core.translations import (
    HASH_LENGTH,
    RecordEntry,
    Status,
    text_hash,
    translates,
)

from .record_fields import SOURCE_LANG, TranslatedRecord

BLOCK_KEY = "translations"
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
STAMP_HINT = "make l10n-stamp METHOD=human (or METHOD=machine)"


def _normalised(text: str) -> str:
    paragraphs = [" ".join(part.split()) for part in PARAGRAPH_BREAK.split(text)]
    return "\n\n".join(part for part in paragraphs if part)


def paragraphs(text: str) -> list[str]:
    """Return the paragraphs of a text as pages show them (white space inside made single)."""
    return [part for part in _normalised(text).split("\n\n") if part]


def fields_source_text(fields: Mapping[str, object], names: Iterable[str]) -> str:
    """Return the English text a source hash covers, from a record's fields by name.

    `fields` may be a record's plain data as read from any version of its file (``diff``
    reads old ones from git): a field that is missing or has no English text is left out.
    """
    parts = []
    for name in names:
        text = fields.get(name)
        if isinstance(text, Mapping) and isinstance(text.get(SOURCE_LANG), str):
            parts.append(f"{name}: {_normalised(text[SOURCE_LANG])}")
    return "\n".join(parts) + "\n"


def source_text(record: TranslatedRecord) -> str:
    """Return the record's English text that its translations' source hash covers."""
    fields = {name: getattr(record, name) for name in record.TRANSLATED}
    return fields_source_text(fields, record.TRANSLATED)


def full_source_hash(record: TranslatedRecord) -> str:
    """Return the whole SHA-256 of the record's English text."""
    return text_hash(source_text(record))


def source_hash(record: TranslatedRecord) -> str:
    """Return the source hash a translation of the record records."""
    return full_source_hash(record)[:HASH_LENGTH]


def check(record: TranslatedRecord, source) -> list[PortalError]:
    """Return a problem for each translation note without text, and each text without a note.

    `source` is the record's data_loading.Source (file and lines).
    """
    problems = []
    texts = set(record.text_languages())
    for lang in record.translations:
        if lang == SOURCE_LANG:
            problems.append(
                source.error(
                    (BLOCK_KEY, lang),
                    "English is the source text, not a translation; remove this line",
                )
            )
        elif lang not in texts:
            fields = " or ".join(record.TRANSLATED)
            problems.append(
                source.error(
                    (BLOCK_KEY, lang),
                    f"a translation note for {lang} but no {lang} text in {fields}; add the "
                    "text, or remove this line",
                )
            )
    for lang in sorted(texts - set(record.translations), key=EU_LANGUAGES.index):
        name = next(name for name in record.TRANSLATED if lang in (getattr(record, name) or {}))
        problems.append(
            source.error(
                (name, lang),
                f"{lang} text without a translation note (translations: {lang}: ...); record "
                f"how it was translated and from which English text: {STAMP_HINT}",
            )
        )
    return problems


def entries(
    kind: str,
    key: str,
    record: TranslatedRecord,
    file: str,
    url_of: Callable[[str, str], str],
    languages: Iterable[str],
) -> dict[str, RecordEntry]:
    """Return the status of one record in every language of `languages`."""
    current = full_source_hash(record)
    shown = current[:HASH_LENGTH]
    result = {}
    for lang in languages:
        common = dict(kind=kind, key=key, lang=lang, file=file, url=url_of(lang, key))
        note = record.translations.get(lang)
        if lang == SOURCE_LANG:
            result[lang] = RecordEntry(status=Status.SOURCE, source_hash=shown, **common)
            continue
        if note is None:
            result[lang] = RecordEntry(status=Status.MISSING, source_hash=shown, **common)
            continue
        missing = record.untranslated(lang)
        if missing:
            status, reason = Status.OUTDATED, "incomplete"
        elif not translates(current, note.source):
            status, reason = Status.OUTDATED, "source-changed"
        else:
            status = Status.MACHINE if note.method == "machine" else Status.UP_TO_DATE
            reason = ""
        result[lang] = RecordEntry(
            status=status,
            method=note.method,
            recorded_hash=note.source,
            source_hash=shown,
            reason=reason,
            untranslated=missing,
            **common,
        )
    return result
