"""The translation notes of data records: their status, and the commands that write them.

`record_status` gives the status of every record in every language (the build and
`make l10n-status` both call it). `stamp` writes a note for every language that has text but
no note (after translators' text is merged: ``make l10n-stamp METHOD=machine``); `reviewed`
records the current English hash for a translation someone has checked against it. Both
rewrite only the ``translations:`` block of a file (record_translations.with_block), and check
every file before changing any.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from portal_core.errors import PortalError, PortalErrors
from portal_core.languages import EU_LANGUAGES
from portal_core.translations import METHODS, RecordEntry

from . import urls
from .data_loading import ID_PATTERN, YAML_SUFFIXES, display_path, read_record
from .record_fields import SOURCE_LANG, TranslatedRecord
from .record_translations import BLOCK_KEY, entries, source_hash
from .site_data import KINDS, SiteData

#: The page of a record in a language, by kind.
URLS = {"supporters": urls.profile_url, "news": urls.news_item_url, "events": urls.event_url}


def record_status(data: SiteData, languages: Iterable[str], folder: str) -> list[RecordEntry]:
    """Return the status of every record in every language, by kind, id and language.

    `folder`: the data folder as editors name it (``content/data``), for the records' files.
    """
    languages = tuple(languages)
    found = []
    for kind, _model, _id_field in KINDS:
        for key, record in sorted(getattr(data, kind).items()):
            file = f"{folder}/{kind}/{Path(data.sources[(kind, key)].path).name}"
            found += entries(kind, key, record, file, URLS[kind], languages).values()
    return found


@dataclass(frozen=True)
class Note:
    """A translation note as a record file writes it."""

    lang: str
    method: str
    source: str


def block_text(notes: Iterable[Note]) -> str:
    """Return the ``translations:`` block of a record file, languages in the site's order."""
    ordered = sorted(notes, key=lambda note: EU_LANGUAGES.index(note.lang))
    lines = [f"{BLOCK_KEY}:"]
    lines += [f'  {n.lang}: {{method: {n.method}, source: "{n.source}"}}' for n in ordered]
    return "\n".join(lines) + "\n"


def _top_level(line: str) -> bool:
    return bool(line.strip()) and not line[0].isspace() and not line.startswith("#")


def with_block(text: str, notes: Iterable[Note]) -> str:
    """Return a record file's text with its translations block replaced by `notes`.

    The block is the top-level key ``translations:`` and the lines indented below it. A file
    without one gets it first (after leading comments and ``---``), like a page's metadata,
    and where translators adding text to the fields below do not touch it. Nothing else of
    the file changes.
    """
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    block = block_text(notes)
    start = next((at for at, line in enumerate(lines) if re.match(rf"{BLOCK_KEY}\s*:", line)), None)
    if start is None:
        at = 0
        while at < len(lines) and (lines[at].startswith("#") or lines[at].strip() == "---"):
            at += 1
        return "".join(lines[:at]) + block + "".join(lines[at:])
    end = start + 1
    while end < len(lines) and not _top_level(lines[end]):
        end += 1
    # blank lines and comments at the end of the block belong to what follows it
    while end - 1 > start and (not lines[end - 1].strip() or lines[end - 1].lstrip()[:1] == "#"):
        end -= 1
    return "".join(lines[:start]) + block + "".join(lines[end:])


def check_method(method: str | None) -> str:
    """Return `method` when it is human or machine; else raise PortalError naming the fix."""
    if method is None:
        raise PortalError(
            "METHOD",
            "data records have text without a translation note: say how it was translated, "
            "METHOD=human (translated or checked by a person) or METHOD=machine",
        )
    if method not in METHODS:
        raise PortalError(
            "METHOD",
            f"{method!r} is not a translation method; give METHOD=human (translated or checked "
            "by a person) or METHOD=machine",
        )
    return method


def _check_languages(langs: Iterable[str] | None) -> set[str] | None:
    if langs is None:
        return None
    wanted = set(langs)
    for lang in sorted(wanted):
        if lang not in EU_LANGUAGES or lang == SOURCE_LANG:
            raise PortalError(
                "LANG",
                f"{lang!r} is not a language to translate into; use one of "
                + " ".join(code for code in EU_LANGUAGES if code != SOURCE_LANG),
            )
    return wanted


@dataclass
class RecordFile:
    """A record file as the commands read it (its notes not checked against its text)."""

    path: Path
    kind: str
    record: TranslatedRecord

    @property
    def shown(self) -> str:
        """Return the file as messages name it."""
        return display_path(self.path)

    def notes(self) -> dict[str, Note]:
        """Return the file's notes, by language."""
        return {
            lang: Note(lang, note.method, note.source)
            for lang, note in self.record.translations.items()
        }

    def write(self, notes: dict[str, Note]) -> None:
        """Write `notes` as the file's translations block."""
        text = self.path.read_bytes().decode("utf-8")
        self.path.write_bytes(with_block(text, notes.values()).encode("utf-8"))


def read_files(data_dir: Path, only: Iterable[str] | None = None) -> list[RecordFile]:
    """Read every record file under `data_dir` (or only the files `only` names).

    Raises PortalErrors with every problem of every file (but missing notes, which are what
    the commands write): nothing is written while any file has one.
    """
    data_dir = Path(data_dir)
    wanted = {Path(name).resolve() for name in only} if only is not None else None
    files, problems = [], []
    for kind, model, id_field in KINDS:
        folder = data_dir / kind
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix not in YAML_SUFFIXES or not ID_PATTERN.match(path.stem):
                continue
            if wanted is not None and path.resolve() not in wanted:
                continue
            record, _source, found = read_record(path, model, id_field, path.stem, notes=False)
            problems += found
            if record is not None:
                files.append(RecordFile(path, kind, record))
    if wanted is not None:
        known = {file.path.resolve() for file in files}
        for name in sorted(only):
            if Path(name).resolve() not in known and not problems:
                problems.append(
                    PortalError(
                        name,
                        f"not a record file of {display_path(data_dir)}/ (supporters/, news/ or "
                        "events/<id>.yaml); name one such as "
                        f"{display_path(data_dir)}/news/<slug>.yaml",
                    )
                )
    if problems:
        raise PortalErrors(problems)
    return files


def is_record_file(name: str, data_dir: Path) -> bool:
    """Tell whether a file named on the command line is below the data folder."""
    try:
        Path(name).resolve().relative_to(Path(data_dir).resolve())
    except ValueError:
        return False
    return True


def stamp(
    data_dir: Path,
    method: str | None,
    langs: Iterable[str] | None = None,
    files: Iterable[str] | None = None,
) -> list[str]:
    """Write a note for every language that has text but no note; return what was written.

    The note says `method` and the current English hash. `langs`, `files`: only these. The
    method is asked for only when there is something to stamp.
    """
    wanted = _check_languages(langs)
    changes = []
    for file in read_files(data_dir, files):
        notes = file.notes()
        added = [
            lang
            for lang in file.record.text_languages()
            if lang not in notes and (wanted is None or lang in wanted)
        ]
        if added:
            changes.append((file, notes, added))
    if not changes:
        return []
    check_method(method)
    messages = []
    for file, notes, added in changes:
        value = source_hash(file.record)
        for lang in added:
            notes[lang] = Note(lang, method, value)
            messages.append(f"{file.shown}: translations: {lang}: {method}, source {value}")
        file.write(notes)
    return messages


def reviewed(
    data_dir: Path, files: Iterable[str], langs: Iterable[str], human: bool = False
) -> list[str]:
    """Record the current English hash in the notes of `langs` of each file; return messages.

    With `human`, the method becomes human too (a person has checked a machine translation).
    A language without text in a file is an error; every file is checked before any changes.
    """
    wanted = _check_languages(langs)
    if not wanted:
        raise PortalError("LANG", "name the language(s) reviewed: LANG=fi (or LANG='fi sv')")
    records = read_files(data_dir, list(files))
    problems, changes = [], []
    for file in records:
        have = set(file.record.text_languages())
        for lang in sorted(wanted - have, key=EU_LANGUAGES.index):
            problems.append(
                PortalError(file.shown, f"no {lang} text to mark reviewed; translate it first")
            )
        changes.append(file)
    if problems:
        raise PortalErrors(problems)
    messages = []
    for file in changes:
        notes = file.notes()
        value = source_hash(file.record)
        for lang in sorted(wanted, key=EU_LANGUAGES.index):
            old = notes.get(lang)
            method = "human" if human or old is None else old.method
            notes[lang] = Note(lang, method, value)
            state = "already up to date" if old == notes[lang] else "marked up to date"
            messages.append(f"{file.shown}: {lang}: {state} (source {value}, method {method})")
        file.write(notes)
    return messages
