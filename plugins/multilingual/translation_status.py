"""Translation status: which version of its English source each translation translates.

Every translation records two metadata lines::

    Translation-Method: human          (or machine)
    Source-Hash: 3f9a0c1b2d4e          (made by `make l10n-stamp` / `make l10n-reviewed`)

The source hash is the start (12 hex digits) of the SHA-256 of the English page's *source
text*: its Title, its Summary and its body, with line endings made "\\n", trailing white space
removed from every line and blank lines removed from both ends. Other metadata (Template,
Modified, ...) is not part of it, so changing it does not make translations outdated.

Status of a page in a language:

- ``source``: the English page itself;
- ``up-to-date``: a human translation whose Source-Hash matches the English text;
- ``machine``: a machine translation whose Source-Hash matches the English text;
- ``outdated``: the English text changed since (Source-Hash differs), whatever the method,
  or the translation has no Source-Hash, so nobody knows which English text it translates;
- ``missing``: no translation; readers get the English page as a fallback.

The build and `make l10n-status` both call `compute_status`, so their figures are the same.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from portal_core.errors import PortalError, PortalErrors
from portal_core.languages import endonym
from portal_core.page_metadata import PageFile, parse_page
from portal_core.page_tree import page_url
from portal_core.translations import (
    HASH_LENGTH,
    HASH_VALUE,
    METHODS,
    STATUS_CODES,
    STATUS_LABELS,
    RecordEntry,
    Status,
    text_hash,
    translates,
)

METHOD_KEY = "Translation-Method"
HASH_KEY = "Source-Hash"
SKIPPED_STATUSES = ("draft", "hidden")  # Pelican does not publish these pages


def source_text(page: PageFile) -> str:
    """Return the normalised text of a source page that its hash covers (Title, Summary, body)."""
    lines = [line.rstrip() for line in page.body.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    title = " ".join((page.get("title") or "").split())
    summary = " ".join((page.get("summary") or "").split())
    return f"Title: {title}\nSummary: {summary}\n\n" + "\n".join(lines) + "\n"


def full_source_hash(text: str) -> str:
    """Return the whole SHA-256 (64 hex digits) of a source page's normalised text."""
    return text_hash(source_text(parse_page(text)))


def source_hash(text: str) -> str:
    """Return the Source-Hash value a translation of the page with this text records."""
    return full_source_hash(text)[:HASH_LENGTH]


@dataclass(frozen=True)
class PageRecord:
    """A content file as the status sees it: which page, which language, which text."""

    path: str  # the page's identity ("supporters/benefits")
    lang: str
    file: Path  # the file, as editors name it in messages
    text: str


@dataclass(frozen=True)
class Entry:
    """The status of one page in one language."""

    path: str
    lang: str
    status: Status
    method: str | None = None  # "human" / "machine"; None for the source and missing pages
    file: str | None = None  # below the content folder ("fi/supporters/benefits.md")
    recorded_hash: str | None = None  # the translation's Source-Hash
    source_hash: str = ""  # the English page's current hash
    reason: str = ""  # why outdated: "source-changed" or "no-source-hash"

    @property
    def url(self) -> str:
        """Return the URL of the page in this language, relative to the site root."""
        return page_url(self.path, self.lang)

    @property
    def code(self) -> str:
        """Return the one-letter code of the status."""
        return STATUS_CODES[self.status]

    @property
    def label(self) -> str:
        """Return the status in words, for editors."""
        if self.reason == "no-source-hash":
            return "outdated (no Source-Hash)"
        if self.status is Status.OUTDATED and self.method == "machine":
            return "outdated (machine-translated)"
        return STATUS_LABELS[self.status]

    def as_json(self) -> dict:
        """Return the entry as JSON-ready data."""
        return {
            "status": str(self.status),
            "method": self.method,
            "file": self.file,
            "url": self.url,
            "recorded_hash": self.recorded_hash,
            "reason": self.reason or None,
        }


@dataclass(frozen=True)
class CatalogueStats:
    """How complete one language's interface strings are, against messages.pot."""

    lang: str
    total: int
    translated: int
    fuzzy: int
    empty: int  # neither translated nor fuzzy: empty msgstr, or msgid absent from the .po
    exists: bool = True
    fuzzy_ids: tuple[str, ...] = ()  # the msgids of the fuzzy strings
    empty_ids: tuple[str, ...] = ()  # the msgids of the empty (or absent) strings

    @property
    def percent(self) -> float:
        """Return the translated share in percent, one decimal (100.0 when there is nothing)."""
        if not self.total:
            return 100.0
        return round(100 * self.translated / self.total, 1)

    @property
    def complete(self) -> bool:
        """Tell whether every string is translated, none fuzzy or empty."""
        return self.exists and self.translated == self.total

    def as_json(self) -> dict:
        """Return the figures as JSON-ready data."""
        return {
            "exists": self.exists,
            "total": self.total,
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "empty": self.empty,
            "percent": self.percent,
            "fuzzy_strings": list(self.fuzzy_ids),
            "empty_strings": list(self.empty_ids),
        }

    def counts(self, source: bool) -> dict[str, int]:
        """Return the strings by status: translated ones are up to date, fuzzy ones outdated,
        empty ones missing (readers get English); all of them `source` in the source language.

        A catalogue records no translation method, so no string counts as machine-translated.
        """
        counts = {str(status): 0 for status in Status}
        if source:
            counts[str(Status.SOURCE)] = self.total
        else:
            counts[str(Status.UP_TO_DATE)] = self.translated
            counts[str(Status.OUTDATED)] = self.fuzzy
            counts[str(Status.MISSING)] = self.empty
        return counts


@dataclass
class StatusReport:
    """The status of every page in every language, and of every language's catalogue."""

    languages: tuple[str, ...]
    source_lang: str
    pages: dict[str, dict[str, Entry]] = field(default_factory=dict)
    catalogues: dict[str, CatalogueStats] = field(default_factory=dict)
    #: data records (supporters, news, events) by item ("news/<slug>") and language
    records: dict[str, dict[str, RecordEntry]] = field(default_factory=dict)

    def add_records(self, entries: Iterable[RecordEntry]) -> None:
        """Add the status of data records (computed by the directory from its records)."""
        for entry in entries:
            self.records.setdefault(entry.item, {})[entry.lang] = entry

    def items(self) -> list[str]:
        """Return the data records, sorted ("events/...", "news/...", "supporters/...")."""
        return sorted(self.records)

    def record_entries(self, lang: str | None = None) -> list[RecordEntry]:
        """Return every record entry (of one language), records sorted."""
        langs = self.languages if lang is None else (lang,)
        return [self.records[item][code] for item in self.items() for code in langs]

    def record_counts(self, lang: str) -> dict[str, int]:
        """Return how many data records of `lang` have each status."""
        counts = {str(status): 0 for status in Status}
        for entry in self.record_entries(lang):
            counts[str(entry.status)] += 1
        return counts

    def string_counts(self, lang: str) -> dict[str, int]:
        """Return how many interface strings of `lang` have each status."""
        stats = self.catalogues.get(lang)
        if stats is None:
            return {str(status): 0 for status in Status}
        return stats.counts(source=lang == self.source_lang)

    def total_counts(self, lang: str) -> dict[str, int]:
        """Return pages, data records and interface strings of `lang` by status, together."""
        parts = (self.counts(lang), self.record_counts(lang), self.string_counts(lang))
        return {str(status): sum(part[str(status)] for part in parts) for status in Status}

    def paths(self) -> list[str]:
        """Return the page paths, sorted."""
        return sorted(self.pages)

    def entry(self, path: str, lang: str) -> Entry:
        """Return the status of `path` in `lang`."""
        return self.pages[path][lang]

    def entries(self, lang: str | None = None) -> list[Entry]:
        """Return every entry (of one language), pages sorted."""
        langs = self.languages if lang is None else (lang,)
        return [self.pages[path][code] for path in self.paths() for code in langs]

    def counts(self, lang: str) -> dict[str, int]:
        """Return how many pages of `lang` have each status, and how many lack a Source-Hash."""
        counts = {str(status): 0 for status in Status}
        without_hash = 0
        for entry in self.entries(lang):
            counts[str(entry.status)] += 1
            without_hash += entry.reason == "no-source-hash"
        counts["no-source-hash"] = without_hash
        return counts

    def as_json(self) -> dict:
        """Return the whole report as JSON-ready data (see `json_text`)."""
        return {
            "source_language": self.source_lang,
            "languages": list(self.languages),
            "statuses": [str(status) for status in Status],
            "hash": (
                f"first {HASH_LENGTH} hex digits of the SHA-256 of the English Title, Summary "
                "and body (line endings and trailing white space normalised); of a data "
                "record, of its English text fields (see content/data/README.md)"
            ),
            "summary": {
                lang: {
                    "pages": self.counts(lang),
                    "records": self.record_counts(lang),
                    "strings": self.string_counts(lang),
                    "total": self.total_counts(lang),
                    "catalogue": self.catalogues[lang].as_json()
                    if lang in self.catalogues
                    else None,
                }
                for lang in self.languages
            },
            "records": [
                {
                    "item": item,
                    "file": self.records[item][self.source_lang].file,
                    "source_hash": self.records[item][self.source_lang].source_hash,
                    "languages": {
                        lang: entry.as_json() for lang, entry in self.records[item].items()
                    },
                }
                for item in self.items()
            ],
            "pages": [
                {
                    "path": path,
                    "source_hash": self.pages[path][self.source_lang].source_hash,
                    "languages": {
                        lang: entry.as_json() for lang, entry in self.pages[path].items()
                    },
                }
                for path in self.paths()
            ],
        }


def json_text(report: StatusReport) -> str:
    """Return the report as the text of translation-status.json (stable order, UTF-8)."""
    return json.dumps(report.as_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _translation_entry(
    record: PageRecord, relative: str, current_hash: str, problems: list[PortalError]
) -> Entry:
    """Return the status of one translation, adding its metadata errors to `problems`."""
    page = parse_page(record.text)
    method = (page.get(METHOD_KEY) or "").strip().lower() or None
    if method not in METHODS:
        shown = page.get(METHOD_KEY)
        problems.append(
            PortalError(
                record.file,
                f"{METHOD_KEY} is {shown!r}; write `{METHOD_KEY}: human` or "
                f"`{METHOD_KEY}: machine` in the metadata"
                if shown is not None
                else f"no {METHOD_KEY}; add the line `{METHOD_KEY}: human` (or `machine`) "
                "to the metadata",
                page.line_of(METHOD_KEY),
            )
        )
    recorded = page.get(HASH_KEY)
    if recorded is not None:
        recorded = recorded.strip().lower()
        if not HASH_VALUE.match(recorded):
            problems.append(
                PortalError(
                    record.file,
                    f"{HASH_KEY} {recorded!r} is not a hash of the English page; do not edit "
                    f"it by hand: run `make l10n-reviewed FILE={record.file}` after checking "
                    "the translation",
                    page.line_of(HASH_KEY),
                )
            )
            recorded = None
    if recorded is None:
        status, reason = Status.OUTDATED, "no-source-hash"
    elif translates(current_hash, recorded):
        status, reason = (Status.MACHINE if method == "machine" else Status.UP_TO_DATE), ""
    else:
        status, reason = Status.OUTDATED, "source-changed"
    return Entry(
        record.path,
        record.lang,
        status,
        method=method,
        file=relative,
        recorded_hash=recorded,
        source_hash=current_hash[:HASH_LENGTH],
        reason=reason,
    )


def compute_status(
    records: Iterable[PageRecord],
    languages: tuple[str, ...],
    source_lang: str,
    catalogues: dict[str, CatalogueStats] | None = None,
) -> StatusReport:
    """Return the status of every page in every language.

    Raises PortalErrors naming the file and line of a bad Translation-Method or Source-Hash,
    and of a translation whose English source does not exist.
    """
    by_path: dict[str, dict[str, PageRecord]] = {}
    for record in records:
        by_path.setdefault(record.path, {})[record.lang] = record
    report = StatusReport(languages, source_lang, catalogues=dict(catalogues or {}))
    problems: list[PortalError] = []
    for path, by_lang in sorted(by_path.items()):
        source = by_lang.get(source_lang)
        if source is None:
            for record in by_lang.values():
                problems.append(
                    PortalError(
                        record.file,
                        f"translation without an English source: there is no "
                        f"content/{source_lang}/{path}.md; create it, or rename this file to "
                        "match an existing English page",
                    )
                )
            continue
        source_page = parse_page(source.text)
        if source_page.get(HASH_KEY) is not None:
            problems.append(
                PortalError(
                    source.file,
                    f"{HASH_KEY} belongs in translations only; remove it from the English page",
                    source_page.line_of(HASH_KEY),
                )
            )
        current = text_hash(source_text(source_page))
        entries = {}
        for lang in languages:
            record = by_lang.get(lang)
            relative = f"{lang}/{path}.md"
            if lang == source_lang:
                entries[lang] = Entry(
                    path, lang, Status.SOURCE, file=relative, source_hash=current[:HASH_LENGTH]
                )
            elif record is None:
                entries[lang] = Entry(path, lang, Status.MISSING, source_hash=current[:HASH_LENGTH])
            else:
                entries[lang] = _translation_entry(record, relative, current, problems)
        report.pages[path] = entries
    if problems:
        raise PortalErrors(problems)
    return report


def scan_content(
    content_root: Path, languages: tuple[str, ...], excludes: Iterable[str] = ()
) -> list[PageRecord]:
    """Return a record for every published Markdown page under ``content_root/<lang>/``.

    Mirrors what the build reads: folders named in `excludes` (below the content folder) and
    pages with ``Status: draft`` or ``hidden`` are left out.
    """
    content_root = Path(content_root)
    excluded = {content_root / name for name in excludes}
    records = []
    for lang in languages:
        folder = content_root / lang
        if not folder.is_dir():
            continue
        for file in sorted(folder.rglob("*.md")):
            if any(parent in excluded for parent in file.parents):
                continue
            text = file.read_text(encoding="utf-8")
            status = (parse_page(text).get("status") or "").strip().lower()
            if status in SKIPPED_STATUSES:
                continue
            path = file.relative_to(folder).with_suffix("").as_posix()
            records.append(PageRecord(path, lang, file, text))
    return records


def _read_catalogue(path: Path, lang: str, read: dict) -> Catalog:
    """Read a .po or .pot file with Babel, once per file version in `read` (the template is
    counted against by every language; the dev server keeps `read` between its builds)."""
    stat = os.stat(path)
    key = (os.path.abspath(path), lang, stat.st_mtime_ns, stat.st_size)
    if key not in read:
        with open(path, "rb") as handle:
            read[key] = read_po(handle, locale=lang if lang else None)
    return read[key]


def catalogue_stats(
    po_path: Path, pot_path: Path | None, lang: str, read: dict | None = None
) -> CatalogueStats:
    """Return how many strings of the template `pot_path` the catalogue `po_path` translates.

    Without a template, the catalogue's own entries are counted. A plural entry counts as
    translated only when every plural form of the language has a text.
    """
    read = {} if read is None else read
    po = _read_catalogue(po_path, lang, read) if Path(po_path).is_file() else None
    template = _read_catalogue(pot_path, "", read) if pot_path and Path(pot_path).is_file() else po
    wanted = [message for message in (template or []) if message.id]
    if po is None:
        return CatalogueStats(lang, len(wanted), 0, 0, len(wanted), exists=False)
    translated = 0
    fuzzy, empty = [], []
    for message in wanted:
        shown = message.id[0] if isinstance(message.id, tuple) else message.id
        found = po.get(message.id, message.context)
        if found is None:
            empty.append(shown)
            continue
        if found.fuzzy:
            fuzzy.append(shown)
            continue
        strings = found.string if isinstance(found.string, tuple) else (found.string,)
        forms = po.num_plurals if found.pluralizable else 1
        if len(strings) >= forms and all(strings[:forms]):
            translated += 1
        else:
            empty.append(shown)
    return CatalogueStats(
        lang, len(wanted), translated, len(fuzzy), len(empty), True, tuple(fuzzy), tuple(empty)
    )


def catalogue_report(
    translations_dir: Path, languages: tuple[str, ...], read: dict | None = None
) -> dict:
    """Return the CatalogueStats of every language, against translations/messages.pot.

    `read`: catalogues already read, by file version (see `_read_catalogue`).
    """
    translations_dir = Path(translations_dir)
    read = {} if read is None else read
    pot = translations_dir / "messages.pot"
    return {
        lang: catalogue_stats(
            translations_dir / lang / "LC_MESSAGES" / "messages.po",
            pot if pot.is_file() else None,
            lang,
            read,
        )
        for lang in languages
    }


def format_table(report: StatusReport, content_dir: str = "content") -> str:
    """Return the status as plain-text tables: counts and catalogues, then page by page."""
    columns = [str(status) for status in Status]
    name_width = max(len(endonym(lang)) for lang in report.languages)
    header = (
        f"{'':2}  {'language':<{name_width}}  "
        + "  ".join(f"{name:>10}" for name in columns)
        + f"  {'catalogue':>15}  {'fuzzy':>5}  {'empty':>5}"
    )
    lines = [
        f"Translation status: {len(report.pages)} pages in {len(report.languages)} languages "
        f"({report.source_lang} is the source)",
        "",
        header,
    ]
    totals = dict.fromkeys(columns, 0)
    without_hash = 0
    for lang in report.languages:
        counts = report.counts(lang)
        without_hash += counts["no-source-hash"]
        for name in columns:
            totals[name] += counts[name]
        stats = report.catalogues.get(lang)
        if stats is None:
            catalogue, fuzzy, empty = "-", "-", "-"
        elif not stats.exists:
            catalogue, fuzzy, empty = "no catalogue", "-", str(stats.empty)
        else:
            catalogue = f"{stats.translated}/{stats.total} {stats.percent:5.1f}%"
            fuzzy, empty = str(stats.fuzzy), str(stats.empty)
        lines.append(
            f"{lang:2}  {endonym(lang):<{name_width}}  "
            + "  ".join(f"{counts[name]:>10}" for name in columns)
            + f"  {catalogue:>15}  {fuzzy:>5}  {empty:>5}"
        )
    lines.append(
        f"{'':2}  {'total':<{name_width}}  " + "  ".join(f"{totals[n]:>10}" for n in columns)
    )
    legend = ", ".join(f"{code} {STATUS_LABELS[status]}" for status, code in STATUS_CODES.items())
    lines += ["", f"Page by page ({legend}):", ""]
    paths = report.paths()
    lines.append(f"{'':2}  " + " ".join(f"{number:>2}" for number in range(1, len(paths) + 1)))
    for lang in report.languages:
        codes = " ".join(f"{report.entry(path, lang).code:>2}" for path in paths)
        lines.append(f"{lang:2}  {codes}")
    lines.append("")
    lines += [f"{number:>4}  {path}" for number, path in enumerate(paths, start=1)]
    if without_hash:
        lines += [
            "",
            f"{without_hash} translation(s) have no {HASH_KEY} and count as outdated: once "
            "they are checked, `make l10n-stamp` records the English text they translate.",
        ]
    lines += _all_items_tables(report, name_width, columns)
    outdated = [e for e in report.entries() if e.reason == "source-changed"]
    if outdated:
        lines += ["", "Outdated (the English text changed since):"]
        lines += [f"  {content_dir}/{entry.file}" for entry in outdated]
        lines.append(
            f"After updating a translation: make l10n-reviewed FILE={content_dir}/<lang>/<page>.md"
        )
    stale = [e for e in report.record_entries() if e.status is Status.OUTDATED]
    if stale:
        lines += ["", "Outdated data records:"]
        lines += [f"  {entry.file} ({entry.lang}): {entry.label}" for entry in stale]
        lines.append(
            "After updating a translation: make l10n-reviewed FILE=<record file> LANG=<lang>"
        )
    return "\n".join(lines) + "\n"


def _all_items_tables(report: StatusReport, name_width: int, columns: list[str]) -> list[str]:
    """Return the tables of data records, interface strings and all items, by language, and
    the data records one by one."""
    lines = []
    for title, counts_of in (
        (f"Data records ({len(report.records)} records)", report.record_counts),
        ("Interface strings (fuzzy ones count as outdated, empty ones as missing)",
         report.string_counts),
        ("All: pages, data records and interface strings", report.total_counts),
    ):  # fmt: skip
        lines += ["", f"{title}:", ""]
        lines.append(
            f"{'':2}  {'language':<{name_width}}  " + "  ".join(f"{n:>10}" for n in columns)
        )
        for lang in report.languages:
            counts = counts_of(lang)
            lines.append(
                f"{lang:2}  {endonym(lang):<{name_width}}  "
                + "  ".join(f"{counts[name]:>10}" for name in columns)
            )
    items = report.items()
    if items:
        lines += ["", "Data record by data record (codes as for pages):", ""]
        lines.append(f"{'':2}  " + " ".join(f"{number:>2}" for number in range(1, len(items) + 1)))
        for lang in report.languages:
            codes = " ".join(f"{report.records[item][lang].code:>2}" for item in items)
            lines.append(f"{lang:2}  {codes}")
        lines.append("")
        lines += [f"{number:>4}  {item}" for number, item in enumerate(items, start=1)]
    return lines


def display_path(path: str | Path) -> str:
    """Return a file path as editors type it: relative to the working folder when inside it."""
    path = Path(path)
    try:
        return _resolved(path).relative_to(_resolved_folder(os.getcwd())).as_posix()
    except ValueError:
        return str(path)


def _resolved(path: Path) -> Path:
    """Return path.resolve(), resolving each folder once (5,000 pages share 30 folders).

    Path.resolve() looks at every part of the path on disk: 40 microseconds a page.
    """
    absolute = path if path.is_absolute() else Path(os.getcwd(), path)
    if os.path.islink(absolute) or absolute.name in ("", ".", ".."):
        return path.resolve()
    return _resolved_folder(str(absolute.parent)) / absolute.name


@lru_cache(maxsize=1024)
def _resolved_folder(folder: str) -> Path:
    return Path(folder).resolve()


def tree_records(tree) -> list[PageRecord]:
    """Return a record for every real page of a PageTree (the pages the build publishes)."""
    records = []
    for path in tree.paths():
        for variant in tree.real_variants(path):
            source_path = Path(variant.page.source_path)
            text = source_path.read_text(encoding="utf-8")
            records.append(PageRecord(path, variant.lang, Path(display_path(source_path)), text))
    return records


def apply_status(tree, report: StatusReport) -> None:
    """Give every variant of the tree its status and translation method, for the templates."""
    for path in tree.paths():
        for lang in tree.languages:
            variant = tree.get(path, lang)
            entry = report.entry(path, lang)
            variant.status = str(entry.status)
            variant.method = entry.method
