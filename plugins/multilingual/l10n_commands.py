"""Commands for translators: catalogues, translation status, stamping and reviewing.

Usage (the Makefile's l10n-* targets call these through portal.l10n, which adds the data
records of content/data/: this feature does not read them itself)::

    python -m portal.l10n [-s SETTINGS] extract
    python -m portal.l10n [-s SETTINGS] update [--prune]
    python -m portal.l10n [-s SETTINGS] init LANG
    python -m portal.l10n [-s SETTINGS] export LANG [--out DIR]
    python -m portal.l10n [-s SETTINGS] import [--machine] FILE
    python -m portal.l10n [-s SETTINGS] diff [--lang XX] FILE
    python -m portal.l10n [-s SETTINGS] [--content DIR] status [--json]
    python -m portal.l10n [-s SETTINGS] [--content DIR] stamp [--method M] [--lang XX] [FILE ...]
    python -m portal.l10n [-s SETTINGS] [--content DIR] reviewed [--human] [--lang XX] FILE...

`extract`, `update` and `init` keep the interface catalogues (`catalogue_upkeep`): update
keeps translated entries whose msgid left messages.pot as obsolete unless `--prune` is given,
init refuses an existing catalogue and a language the site does not have.
`export`, `import` and `diff` serve translators' tools (`exchange`): what a language lacks as
XLIFF 1.2 and PO (pages, data records, strings), a returned file merged after checking it, and
what changed in the English since a translation's Source-Hash or a record's translation note
(from git history).
`status` reads the same files with the same function as the build, so its figures are those of
the site. `stamp` records the current English Source-Hash in every translation that has none
(run once after importing translations), and a translation note (method and hash) in every
data record for each language that has text but no note. `reviewed` records it in the named
translations after a translator has checked them against the current English text. Both
rewrite only that metadata line of each page, or the ``translations:`` block of a record.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path, PurePosixPath
from typing import Protocol

from portal_core.errors import PortalError, PortalErrors
from portal_core.page_metadata import parse_page, set_metadata

from . import catalogue_upkeep, exchange
from .translation_status import (
    HASH_KEY,
    METHOD_KEY,
    PageRecord,
    StatusReport,
    catalogue_report,
    compute_status,
    display_path,
    format_table,
    json_text,
    scan_content,
    source_hash,
)

logger = logging.getLogger(__name__)


class DataRecords(Protocol):
    """The translation notes of the data records, as the commands need them (portal.l10n)."""

    def status(self, settings: dict) -> list:
        """Return the RecordEntry of every record in every language."""

    def owns(self, settings: dict, file: str) -> bool:
        """Tell whether a file named on the command line is a data record."""

    def stamp(self, settings: dict, method, langs, files) -> list[str]:
        """Write the missing translation notes; return what was written."""

    def reviewed(self, settings: dict, files: list[str], langs, human: bool) -> list[str]:
        """Record the current English hash in the notes of `langs`; return messages."""

    def texts(self, settings: dict) -> exchange.RecordTexts:
        """Return the records' text for export and import."""

    def diff_basis(self, settings: dict, file: str, langs):
        """Return what `make l10n-diff` compares for a record: an object with `file` (the
        record file), `recorded` (the note's hash), `hash_of` and `shown_of` (for
        exchange.english_changes)."""


def load_settings(settings_file: str | Path) -> dict:
    """Read the Pelican settings the build uses (content folder, languages, catalogues)."""
    from pelican.settings import read_settings  # imported here: only the commands need it

    return read_settings(str(settings_file))


def _records(settings: dict, languages: tuple[str, ...]) -> list[PageRecord]:
    """Return the published pages of `languages` in the content folder the settings name."""
    return scan_content(Path(settings["PATH"]), languages, settings.get("PAGE_EXCLUDES", ()))


def status_report(settings: dict, data: DataRecords | None = None) -> StatusReport:
    """Return the status of the pages, data records and catalogues named in `settings`."""
    languages = tuple(settings["LANGUAGES"])
    records = [
        PageRecord(r.path, r.lang, Path(display_path(r.file)), r.text)
        for r in _records(settings, languages)
    ]
    catalogues = catalogue_report(Path(settings["TRANSLATIONS_PATH"]), languages)
    report = compute_status(records, languages, settings["DEFAULT_LANG"], catalogues)
    if data is not None:
        report.add_records(data.status(settings))
    return report


def _sources(settings: dict) -> dict[str, PageRecord]:
    """Return the source-language pages, by page path."""
    source_lang = settings["DEFAULT_LANG"]
    return {record.path: record for record in _records(settings, (source_lang,))}


def _rewrite(file: Path, key: str, value: str) -> bool:
    """Set metadata `key` of `file` to `value`; return whether the file changed."""
    raw = file.read_bytes()
    text = raw.decode("utf-8")
    if (parse_page(text).get(key) or "").strip() == value:
        return False
    file.write_bytes(set_metadata(text, key, value).encode("utf-8"))
    return True


def stamp(settings: dict, files: list[str] | None = None) -> list[str]:
    """Record the current source hash in translations without a Source-Hash; return messages.

    With `files`, only those translations are considered.
    """
    languages = tuple(settings["LANGUAGES"])
    source_lang = settings["DEFAULT_LANG"]
    sources = _sources(settings)
    wanted = {Path(f).resolve() for f in files} if files else None
    messages, problems = [], []
    for record in _records(settings, languages):
        if record.lang == source_lang or (wanted and record.file.resolve() not in wanted):
            continue
        if parse_page(record.text).get(HASH_KEY) is not None:
            continue
        source = sources.get(record.path)
        if source is None:
            problems.append(
                PortalError(
                    display_path(record.file),
                    f"translation without an English source: there is no "
                    f"content/{source_lang}/{record.path}.md",
                )
            )
            continue
        value = source_hash(source.text)
        _rewrite(record.file, HASH_KEY, value)
        messages.append(f"{display_path(record.file)}: {HASH_KEY}: {value}")
    if problems:
        raise PortalErrors(problems)
    return messages


def _translation_of(settings: dict, file: str) -> tuple[Path, str, str]:
    """Return (file, language, page path) of a translation file named on the command line."""
    content = Path(settings["PATH"]).resolve()
    path = Path(file).resolve()
    languages = tuple(settings["LANGUAGES"])
    source_lang = settings["DEFAULT_LANG"]
    usage = "name a translation such as content/de/supporters/benefits.md"
    if not path.is_file():
        raise PortalError(file, f"no such file; {usage}")
    try:
        parts = PurePosixPath(path.relative_to(content).as_posix()).parts
    except ValueError:
        raise PortalError(file, f"not inside the content folder {content}; {usage}") from None
    if len(parts) < 2 or parts[0] not in languages or path.suffix != ".md":
        raise PortalError(file, f"not a page in a language folder; {usage}")
    if parts[0] == source_lang:
        raise PortalError(file, f"this is the English source, not a translation; {usage}")
    return path, parts[0], str(PurePosixPath(*parts[1:]).with_suffix(""))


def reviewed(settings: dict, files: list[str], human: bool = False) -> list[str]:
    """Mark translations as translating the current English text; return messages.

    With `human`, also record ``Translation-Method: human`` (a person has checked or rewritten
    a machine translation). Every file is checked before any is changed.
    """
    sources = _sources(settings)
    targets, problems = [], []
    for file in files:
        try:
            path, _lang, page = _translation_of(settings, file)
        except PortalError as error:
            problems.append(error)
            continue
        if page not in sources:
            problems.append(
                PortalError(
                    file,
                    f"translation without an English source: there is no "
                    f"content/{settings['DEFAULT_LANG']}/{page}.md",
                )
            )
            continue
        targets.append((path, source_hash(sources[page].text)))
    if problems:
        raise PortalErrors(problems)
    messages = []
    for path, value in targets:
        changed = _rewrite(path, HASH_KEY, value)
        if human:
            changed = _rewrite(path, METHOD_KEY, "human") or changed
        method = (parse_page(path.read_text(encoding="utf-8")).get(METHOD_KEY) or "?").strip()
        state = "marked up to date" if changed else "already up to date"
        messages.append(
            f"{display_path(path)}: {state} ({HASH_KEY}: {value}, {METHOD_KEY}: {method})"
        )
    return messages


def _catalogue_command(args, settings: dict) -> int:
    """Run extract, update or init; print what was written and what was kept."""
    root = Path(args.settings).resolve().parent
    translations = Path(settings["TRANSLATIONS_PATH"])
    languages = tuple(settings["LANGUAGES"])
    if args.command == "extract":
        template = catalogue_upkeep.extract(root)
        catalogue_upkeep.write_catalogue(template, translations / "messages.pot")
        count = sum(1 for message in template if message.id)
        print(f"{os.path.relpath(translations / 'messages.pot')}: {count} messages")
        return 0
    if args.command == "update":
        results = catalogue_upkeep.update(
            translations, languages, settings["DEFAULT_LANG"], prune=args.prune
        )
        for result in results:
            for line in result.lines(Path.cwd()):
                print(line)
        print(f"{len(results)} catalogues updated from messages.pot")
        return 0
    path = catalogue_upkeep.init(translations, args.lang, languages)
    print(f"{os.path.relpath(path)}: started from messages.pot")
    return 0


def _exchange(settings: dict, data: DataRecords | None) -> exchange.Exchange:
    return exchange.Exchange(
        Path(settings["PATH"]),
        Path(settings["TRANSLATIONS_PATH"]),
        tuple(settings["LANGUAGES"]),
        settings["DEFAULT_LANG"],
        data.texts(settings) if data is not None else None,
    )


def _exchange_command(args, settings: dict, data: DataRecords | None) -> int:
    """Run export, import or diff."""
    exchanger = _exchange(settings, data)
    if args.command == "export":
        exchanger.check_language(args.lang)
        segments = exchanger.segments(args.lang, status_report(settings))
        stem = Path(args.out) / f"covenant-portal-{args.lang}"
        for path in exchange.write_exports(segments, args.lang, stem):
            print(f"{path}: {len(segments)} segments")
        return 0
    if args.command == "import":
        for line in exchange.import_file(exchanger, Path(args.file), machine=args.machine):
            print(line)
        return 0
    if data is not None and data.owns(settings, args.file):
        basis = data.diff_basis(settings, args.file, args.lang)
        changes = exchange.english_changes(
            basis.file, basis.recorded, args.file, basis.hash_of, basis.shown_of
        )
        print(changes, end="")
        return 0
    path, _lang, page = _translation_of(settings, args.file)
    recorded = (parse_page(path.read_text(encoding="utf-8")).get(HASH_KEY) or "").strip()
    english = Path(settings["PATH"]) / settings["DEFAULT_LANG"] / f"{page}.md"
    print(exchange.english_changes(english, recorded, args.file), end="")
    return 0


def main(argv: list[str] | None = None, data: DataRecords | None = None) -> int:
    """Run one command; return the exit status (1 with the errors on standard error).

    `data`: the data records' notes (portal.l10n gives them; None: pages and strings only).
    """
    parser = argparse.ArgumentParser(prog="python -m portal.l10n")
    parser.add_argument("-s", "--settings", default="pelicanconf.py", help="Pelican settings file")
    parser.add_argument("--content", help="content folder (default: PATH of the settings)")
    commands = parser.add_subparsers(dest="command", required=True)
    status_parser = commands.add_parser("status", help="print the translation status")
    status_parser.add_argument("--json", action="store_true", help="print translation-status.json")
    commands.add_parser("extract", help="write translations/messages.pot")
    update_parser = commands.add_parser("update", help="merge messages.pot into every catalogue")
    update_parser.add_argument(
        "--prune", action="store_true", help="drop translations whose msgid left messages.pot"
    )
    init_parser = commands.add_parser("init", help="start the catalogue of a language")
    init_parser.add_argument("lang", help="language code, one of the site's LANGUAGES")
    export_parser = commands.add_parser("export", help="write what a language lacks (XLIFF, PO)")
    export_parser.add_argument("lang", help="language code")
    export_parser.add_argument("--out", default="build/l10n", help="folder (default build/l10n)")
    import_parser = commands.add_parser("import", help="merge a returned XLIFF or PO file")
    import_parser.add_argument("file", help="the file (.xlf or .po)")
    import_parser.add_argument(
        "--machine", action="store_true", help=f"record {METHOD_KEY}: machine (default human)"
    )
    diff_parser = commands.add_parser("diff", help="what changed in English since a translation")
    diff_parser.add_argument(
        "file", help="a translation (content/xx/...md) or a data record (content/data/...yaml)"
    )
    diff_parser.add_argument("--lang", action="append", help="for a data record: the language")
    stamp_parser = commands.add_parser("stamp", help="record Source-Hash where there is none")
    stamp_parser.add_argument("files", nargs="*", help="only these translations")
    stamp_parser.add_argument(
        "--method", help="human or machine: how the data records' new text was translated"
    )
    stamp_parser.add_argument(
        "--lang", action="append", help="only data records' text in this language (repeatable)"
    )
    reviewed_parser = commands.add_parser("reviewed", help="mark translations up to date")
    reviewed_parser.add_argument(
        "--human", action="store_true", help=f"also set {METHOD_KEY}: human"
    )
    reviewed_parser.add_argument(
        "--lang", action="append", help="for a data record: the language reviewed (repeatable)"
    )
    reviewed_parser.add_argument(
        "files", nargs="+", help="translation files (content/xx/...md) or data record files"
    )
    args = parser.parse_args(argv)

    settings = load_settings(args.settings)
    if args.content:
        settings["PATH"] = str(Path(args.content).resolve())
    try:
        if args.command in ("extract", "update", "init"):
            return _catalogue_command(args, settings)
        if args.command in ("export", "import", "diff"):
            return _exchange_command(args, settings, data)
        if args.command == "status":
            report = status_report(settings, data)
            if args.json:
                sys.stdout.write(json_text(report))
            else:
                content_dir = os.path.relpath(settings["PATH"])
                sys.stdout.write(format_table(report, content_dir))
            return 0
        if args.command == "stamp":
            records = [f for f in args.files if data is not None and data.owns(settings, f)]
            pages = [f for f in args.files if f not in records]
            # the records first: they are all checked before any is written
            messages = []
            if data is not None and (records or not pages):
                messages += data.stamp(settings, args.method, args.lang, records or None)
            if pages or not records:
                messages = stamp(settings, pages) + messages
            print("\n".join(messages) if messages else "Every translation has a Source-Hash.")
            return 0
        records = [f for f in args.files if data is not None and data.owns(settings, f)]
        pages = [f for f in args.files if f not in records]
        messages = reviewed(settings, pages, human=args.human) if pages else []
        if records:
            messages += data.reviewed(settings, records, args.lang, args.human)
        print("\n".join(messages))
        return 0
    except PortalErrors as errors:
        print(errors, file=sys.stderr)
    except PortalError as error:
        print(error, file=sys.stderr)
    return 1
