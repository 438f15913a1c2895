"""What a translation records, and the statuses it can have: pages and data records alike.

A translation records its method (``human`` or ``machine``) and the *source hash* of the
English text it translates: the start (HASH_LENGTH hex digits) of the SHA-256 of that text,
normalised by whoever owns the text (pages: translation_status.source_text; data records:
directory.record_translations.source_text). When the English text changes, its hash changes
and the translation is *outdated*: computed, not guessed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

METHODS = ("human", "machine")
HASH_LENGTH = 12
#: A recorded hash: at least HASH_LENGTH hex digits (a longer one is compared by its start).
HASH_VALUE = re.compile(r"^[0-9a-f]{12,64}$")


def text_hash(text: str) -> str:
    """Return the whole SHA-256 (64 hex digits) of a normalised source text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def translates(current_hash: str, recorded: str) -> bool:
    """Tell whether a recorded source hash is (the start of) the current one."""
    return current_hash.startswith(recorded)


class Status(StrEnum):
    """The status of one item (page, data record, interface string) in one language."""

    SOURCE = "source"
    UP_TO_DATE = "up-to-date"
    MACHINE = "machine"
    OUTDATED = "outdated"
    MISSING = "missing"


#: One-letter codes for the tables of `make l10n-status` and the editors' page.
STATUS_CODES = MappingProxyType(
    {
        Status.SOURCE: "S",
        Status.UP_TO_DATE: "U",
        Status.MACHINE: "M",
        Status.OUTDATED: "O",
        Status.MISSING: "-",
    }
)
STATUS_LABELS = MappingProxyType(
    {
        Status.SOURCE: "English source",
        Status.UP_TO_DATE: "up to date",
        Status.MACHINE: "machine-translated",
        Status.OUTDATED: "outdated",
        Status.MISSING: "missing (English fallback)",
    }
)


@dataclass(frozen=True)
class RecordEntry:
    """The status of one data record (supporter, news item, event) in one language."""

    kind: str  # "supporters", "news" or "events"
    key: str  # the record's id (its file name)
    lang: str
    status: Status
    file: str  # the record's file, as editors name it
    url: str  # the record's page in this language, relative to the site root
    method: str | None = None
    recorded_hash: str | None = None
    source_hash: str = ""  # the English text's current hash
    reason: str = ""  # why outdated: "source-changed" or "incomplete"
    untranslated: tuple[str, ...] = ()  # fields with English text but none in this language

    @property
    def item(self) -> str:
        """Return the record's name in the status: ``news/<slug>``."""
        return f"{self.kind}/{self.key}"

    @property
    def code(self) -> str:
        """Return the one-letter code of the status."""
        return STATUS_CODES[self.status]

    @property
    def label(self) -> str:
        """Return the status in words, for editors."""
        if self.reason == "incomplete":
            return "outdated (not translated: " + ", ".join(self.untranslated) + ")"
        if self.status is Status.OUTDATED and self.method == "machine":
            return "outdated (machine-translated)"
        return STATUS_LABELS[self.status]

    def as_json(self) -> dict:
        """Return the entry as JSON-ready data."""
        return {
            "status": str(self.status),
            "method": self.method,
            "url": self.url,
            "recorded_hash": self.recorded_hash,
            "reason": self.reason or None,
            "untranslated": list(self.untranslated),
        }
