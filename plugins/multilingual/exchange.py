"""Files for translators' tools: export what a language lacks as XLIFF 1.2 and PO, import them.

`export` writes every segment a language lacks: each English page that is missing or outdated
in it, split into its title, summary, headings, paragraphs and list items, the fields of the
data records it lacks (a segment per paragraph; the records are the directory feature's, given
as `RecordTexts` by portal.l10n), and each interface string without a translation. The same
segments go into an XLIFF 1.2 file (for CAT tools: Trados, memoQ and OmegaT all import 1.2;
2.0 is not read by all of them) and a PO file (for Weblate and gettext tools), both written by
translate-toolkit.

What a translation must keep as it is, is protected: ``{{fact}}`` placeholders, link targets
``](...)`` and the brackets of link texts, ``<...>`` autolinks, addresses, e-mail addresses,
`code`, emphasis markers and ``%(name)s``. In XLIFF each is an inline ``<ph>`` element; in PO
it stays in the text, and a comment names them.

`import_file` checks every segment of a returned file against the current English: the same
protected pieces (in any order), nothing missing. Any mismatch is reported (file, segment, what
differs) and nothing is written. Otherwise each page whose every segment is translated is
written to content/<lang>/, with ``Translation-Method`` (human, or machine when asked) and the
``Source-Hash`` of the English it translates; data records get the text and a translation note
(the same method and hash); interface strings go into the catalogue.
"""

from __future__ import annotations

import difflib
import re
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from babel.messages.pofile import read_po
from portal_core.errors import PortalError, PortalErrors
from portal_core.page_metadata import parse_page
from portal_core.translations import translates
from translate.storage import po, xliff
from translate.storage.placeables import StringElem
from translate.storage.placeables.xliff import Ph

from .catalogue_upkeep import read_catalogue, write_catalogue
from .translation_status import HASH_KEY, METHOD_KEY, Status, full_source_hash, source_hash

#: What a translation keeps exactly as in the English (longest alternatives first).
PROTECTED = re.compile(
    r"\{\{[^{}]*\}\}"  # a fact placeholder: {{helpdesk_email}}
    r"|<[^<>\s]+>"  # an autolink: <https://...>, <{{helpdesk_email}}>
    r"|\]\([^)]*\)"  # the end of a link text and its target: ](url "title")
    r"|`[^`]*`"  # code
    r"|%\([A-Za-z_]+\)[sd]"  # an interface string's placeholder
    r"|https?://[^\s<>()]+"  # an address
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # an e-mail address
    r"|\*\*|\*|\["  # emphasis, the start of a link text
)
HEADING = re.compile(r"^(#{1,6}\s+)(.*)$")
LIST_ITEM = re.compile(r"^(\s*(?:[-*+]|\d+[.)])\s+)(.*)$")
XLIFF_VERSION = "1.2"
XLIFF_NAMESPACE = "urn:oasis:names:tc:xliff:document:1.2"
#: Kinds of file `export` writes, by suffix.
SUFFIXES = (".xlf", ".po")


class Xliff12Unit(xliff.xliffunit):
    """A trans-unit in the XLIFF 1.2 namespace."""

    namespace = XLIFF_NAMESPACE


class Xliff12(xliff.xlifffile):
    """translate-toolkit's XLIFF store, writing version 1.2 (it writes 1.1 by default)."""

    UnitClass = Xliff12Unit
    namespace = XLIFF_NAMESPACE
    XMLskeleton = (
        '<?xml version="1.0" ?>\n'
        f"<xliff version='{XLIFF_VERSION}' xmlns='{XLIFF_NAMESPACE}'>\n"
        "<file original='NoName' source-language='en' datatype='plaintext'>\n"
        "<body>\n</body>\n</file>\n</xliff>"
    )


@dataclass
class Segment:
    """One piece of text to translate, with where it goes."""

    id: str  # "page:supporters/benefits#3", "string:Home"
    source: str

    def protected(self) -> Counter:
        """Return the protected pieces of the English text, with how often each occurs."""
        return Counter(PROTECTED.findall(self.source))


@dataclass
class PageLayout:
    """An English page as metadata segments and body lines, some of them segments."""

    path: str
    title: Segment
    summary: Segment | None
    # each line: (prefix, Segment) for a segment, or (line, None) for a line kept as it is
    lines: list[tuple[str, Segment | None]] = field(default_factory=list)

    def segments(self) -> list[Segment]:
        """Return the page's segments in order."""
        found = [self.title] + ([self.summary] if self.summary else [])
        return found + [segment for _prefix, segment in self.lines if segment is not None]


def page_layout(path: str, text: str) -> PageLayout:
    """Split an English page into segments: title, summary, headings, paragraphs, list items.

    A paragraph's lines are one segment (joined by spaces); blank lines, code blocks and lines
    of markup alone are kept as they are.
    """
    page = parse_page(text)
    title = Segment(f"page:{path}#title", " ".join((page.get("title") or "").split()))
    summary_text = " ".join((page.get("summary") or "").split())
    summary = Segment(f"page:{path}#summary", summary_text) if summary_text else None
    layout = PageLayout(path, title, summary)
    paragraph: list[str] = []
    in_code = False

    def add(prefix: str, text: str) -> None:
        number = sum(1 for _p, s in layout.lines if s is not None) + 1
        layout.lines.append((prefix, Segment(f"page:{path}#{number}", text)))

    def flush() -> None:
        if paragraph:
            add("", " ".join(line.strip() for line in paragraph))
            paragraph.clear()

    for line in page.body.split("\n"):
        if line.strip().startswith("```"):
            flush()
            in_code = not in_code
            layout.lines.append((line, None))
            continue
        if in_code or not line.strip() or not re.search(r"[^\W\d_]", line):
            flush()
            layout.lines.append((line, None))
            continue
        heading, item = HEADING.match(line), LIST_ITEM.match(line)
        if heading or item:
            flush()
            prefix, text = (heading or item).groups()
            add(prefix, text.strip())
            continue
        paragraph.append(line)
    flush()
    return layout


def compose_page(layout: PageLayout, targets: dict[str, str], method: str, hash_: str) -> str:
    """Return the translated page: the English layout with every segment's translation."""
    head = [f"Title: {targets[layout.title.id]}"]
    if layout.summary:
        head.append(f"Summary: {targets[layout.summary.id]}")
    head += [f"{METHOD_KEY}: {method}", f"{HASH_KEY}: {hash_}"]
    body = [
        line if segment is None else f"{line}{targets[segment.id]}"
        for line, segment in layout.lines
    ]
    while body and not body[0].strip():
        body.pop(0)
    return "\n".join(head) + "\n\n" + "\n".join(body).rstrip("\n") + "\n"


class RecordMerge(Protocol):
    """Returned record segments checked: the problems found, or the files to write."""

    problems: list[PortalError]

    def write(self) -> list[str]:
        """Write the merged records; return what was written."""


class RecordTexts(Protocol):
    """The data records' text, as the exchange needs it (portal.l10n gives it)."""

    def segments(self, lang: str) -> list[tuple[str, str]]:
        """Return (segment id, English) of every record field paragraph `lang` lacks."""

    def merge(
        self, lang: str, units: dict[str, tuple[str, str]], method: str, shown: str
    ) -> RecordMerge:
        """Check returned record segments {id: (English, translation)} and merge them."""


@dataclass
class Exchange:
    """Where a language's pages, records and strings are, and what the English is."""

    content: Path
    translations: Path
    languages: tuple[str, ...]
    source_lang: str
    records: RecordTexts | None = None

    def check_language(self, lang: str, where: str = "LANG") -> None:
        """Refuse a code that is not one of the site's translation languages."""
        if lang not in self.languages or lang == self.source_lang:
            others = " ".join(code for code in self.languages if code != self.source_lang)
            raise PortalError(
                where, f"{lang!r} is not a language to translate into; use one of: {others}"
            )

    def english_page(self, path: str) -> str:
        return (self.content / self.source_lang / f"{path}.md").read_text(encoding="utf-8")

    def catalogue_path(self, lang: str) -> Path:
        return self.translations / lang / "LC_MESSAGES" / "messages.po"

    def string_segments(self, lang: str) -> list[Segment]:
        """Return the interface strings (singular ones) `lang`'s catalogue lacks."""
        with open(self.translations / "messages.pot", "rb") as handle:
            template = read_po(handle)
        path = self.catalogue_path(lang)
        catalogue = read_catalogue(path, lang) if path.is_file() else None
        segments = []
        for message in template:
            if not message.id or isinstance(message.id, tuple):
                continue
            have = catalogue.get(message.id) if catalogue else None
            if have is None or not have.string or have.fuzzy:
                segments.append(Segment(f"string:{message.id}", message.id))
        return segments

    def segments(self, lang: str, report) -> list[Segment]:
        """Return every segment `lang` lacks: pages missing or outdated, records, strings."""
        self.check_language(lang)
        segments = []
        for path in report.paths():
            entry = report.entry(path, lang)
            if entry.status in (Status.MISSING, Status.OUTDATED):
                segments += page_layout(path, self.english_page(path)).segments()
        if self.records is not None:
            segments += [Segment(id_, source) for id_, source in self.records.segments(lang)]
        return segments + self.string_segments(lang)


def _rich(text: str) -> list[StringElem]:
    """Return `text` with each protected piece as an XLIFF <ph> element."""
    parts: list = []
    last = 0
    for number, match in enumerate(PROTECTED.finditer(text), start=1):
        if match.start() > last:
            parts.append(text[last : match.start()])
        parts.append(Ph(id=str(number), sub=[match.group()]))
        last = match.end()
    if last < len(text):
        parts.append(text[last:])
    return [StringElem(parts)]


def _note(segment: Segment) -> str:
    kept = sorted(segment.protected())
    where = segment.id.split(":", 1)[1]
    return f"{where}" + (f"; keep exactly: {'  '.join(kept)}" if kept else "")


def write_exports(segments: list[Segment], lang: str, stem: Path) -> list[Path]:
    """Write `segments` as `stem`.xlf (XLIFF 1.2) and `stem`.po; return the two paths."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    store = Xliff12(sourcelanguage="en", targetlanguage=lang)
    store.setfilename(store.getfilenode("NoName"), "covenant-portal")
    catalogue = po.pofile()
    catalogue.updateheader(add=True, Language=lang, Content_Type="text/plain; charset=UTF-8")
    for segment in segments:
        unit = store.addsourceunit(segment.source, filename="covenant-portal")
        unit.rich_source = _rich(segment.source)
        unit.setid(segment.id)
        unit.addnote(_note(segment), origin="developer")
        entry = catalogue.addsourceunit(segment.source)
        entry.setcontext(segment.id)
        entry.addnote(_note(segment), origin="developer")
    paths = [stem.with_suffix(".xlf"), stem.with_suffix(".po")]
    paths[0].write_bytes(bytes(store))
    paths[1].write_bytes(bytes(catalogue))
    return paths


def read_returned(path: Path) -> tuple[str | None, dict[str, tuple[str, str]]]:
    """Return the target language and {segment id: (source, target)} of a returned file."""
    if path.suffix in (".xlf", ".xliff"):
        store = xliff.xlifffile.parsefile(str(path))
        lang = store.gettargetlanguage()
        units = {
            unit.xmlelement.get("id"): (str(unit.source), str(unit.target or ""))
            for unit in store.units
        }
        return lang, units
    if path.suffix == ".po":
        store = po.pofile.parsefile(str(path))
        header = store.parseheader()
        units = {
            unit.getcontext(): (str(unit.source), str(unit.target or ""))
            for unit in store.units
            if not unit.isheader() and unit.getcontext()
        }
        return header.get("Language"), units
    raise PortalError(path, "not an XLIFF (.xlf) or PO (.po) file; import what export wrote")


def differences(source: str, target: str) -> str | None:
    """Return what differs between the protected pieces of `source` and `target`, or None."""
    wanted, found = Counter(PROTECTED.findall(source)), Counter(PROTECTED.findall(target))
    if wanted == found:
        return None
    missing = sorted((wanted - found).elements())
    extra = sorted((found - wanted).elements())
    parts = []
    if missing:
        parts.append("missing " + ", ".join(repr(piece) for piece in missing))
    if extra:
        parts.append("not in the English " + ", ".join(repr(piece) for piece in extra))
    return "; ".join(parts)


def import_file(exchange: Exchange, path: Path, machine: bool = False) -> list[str]:
    """Merge a returned XLIFF or PO file; return what was written. Nothing is written on error."""
    path = Path(path)
    lang, units = read_returned(path)
    exchange.check_language(lang or "(none)", str(path))
    shown = str(path)
    problems: list[PortalError] = []
    pages: dict[str, dict[str, str]] = {}
    strings: dict[str, str] = {}
    records: dict[str, tuple[str, str]] = {}
    layouts: dict[str, PageLayout] = {}
    for unit_id, (source, target) in units.items():
        kind, _, name = unit_id.partition(":")
        if kind == "record" and exchange.records is not None:
            records[unit_id] = (source, target)
        elif kind == "page":
            page = name.split("#", 1)[0]
            english = exchange.content / exchange.source_lang / f"{page}.md"
            if not english.is_file():
                problems.append(PortalError(shown, f"{unit_id}: there is no English page {page}"))
                continue
            if page not in layouts:
                layouts[page] = page_layout(page, exchange.english_page(page))
            current = {s.id: s.source for s in layouts[page].segments()}
            if current.get(unit_id) != source:
                problems.append(
                    PortalError(
                        shown,
                        f"{unit_id}: the English text changed since this file was exported "
                        f"(`make l10n-export LANG={lang}` writes the current one)",
                    )
                )
                continue
        elif kind != "string":
            problems.append(PortalError(shown, f"{unit_id}: not a segment export wrote"))
            continue
        if not target.strip():
            continue
        why = differences(source, target)
        if why:
            problems.append(
                PortalError(shown, f"{unit_id}: keep links, placeholders and markup: {why}")
            )
            continue
        if kind == "page":
            pages.setdefault(page, {})[unit_id] = target.strip()
        elif kind == "string":
            strings[name] = target.strip()
    method = "machine" if machine else "human"
    merged = None
    if records:  # checked even when pages have problems, so that all are reported
        merged = exchange.records.merge(lang, records, method, shown)
        problems += merged.problems
    if problems:
        raise PortalErrors(problems)
    written = []
    for page, targets in sorted(pages.items()):
        layout = layouts[page]
        missing = [s.id for s in layout.segments() if s.id not in targets]
        if missing:
            written.append(f"{page}: not written, {len(missing)} segments untranslated")
            continue
        text = compose_page(layout, targets, method, source_hash(exchange.english_page(page)))
        target_file = exchange.content / lang / f"{page}.md"
        target_file.parent.mkdir(parents=True, exist_ok=True)
        target_file.write_text(text, encoding="utf-8")
        written.append(f"{target_file}: written ({METHOD_KEY}: {method})")
    if strings:
        catalogue_path = exchange.catalogue_path(lang)
        catalogue = read_catalogue(catalogue_path, lang)
        for msgid, text in strings.items():
            message = catalogue.get(msgid)
            if message is None:
                continue
            message.string = text
            message.flags.discard("fuzzy")
            if machine:
                message.user_comments = ["machine translation, not yet checked by a translator"]
        write_catalogue(catalogue, catalogue_path)
        written.append(f"{catalogue_path}: {len(strings)} strings")
    if merged is not None:
        written += merged.write()
    return written


def english_changes(
    english: Path,
    recorded: str,
    translation: str,
    hash_of: Callable[[str], str | None] = full_source_hash,
    shown_of: Callable[[str], str] | None = None,
) -> str:
    """Return a unified diff of the English from the version `recorded` hashes to now.

    The version is looked up in the git history of the English file (newest first).
    `hash_of` gives the whole source hash of a version of the file (None: not readable);
    `shown_of` what the diff shows of it (default: the file as it is). A page's defaults are
    the page's; a data record gives its English fields (portal.l10n).
    """
    english = Path(english).resolve()
    current = english.read_text(encoding="utf-8")
    shown_of = shown_of or (lambda text: text)
    if not recorded:
        raise PortalError(
            translation, f"no {HASH_KEY}: it does not say which English it translates"
        )
    now = hash_of(current) or ""
    if translates(now, recorded):
        return f"{translation}: the English has not changed since this translation ({recorded})\n"

    def git(*args: str, cwd: Path = english.parent) -> str:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
        if result.returncode != 0:
            raise PortalError(english, f"git {args[0]} failed: {result.stderr.strip()}")
        return result.stdout

    root = Path(git("rev-parse", "--show-toplevel").strip())
    relative = english.relative_to(root).as_posix()
    for commit in git("log", "--format=%H", "--follow", "--", relative, cwd=root).split():
        try:
            old = git("show", f"{commit}:{relative}", cwd=root)
        except PortalError:
            continue
        if translates(hash_of(old) or "", recorded):
            lines = difflib.unified_diff(
                shown_of(old).splitlines(keepends=True),
                shown_of(current).splitlines(keepends=True),
                f"{relative} ({commit[:12]}, {HASH_KEY} {recorded})",
                f"{relative} (now, {HASH_KEY} {now[: len(recorded)]})",
            )
            return "".join(lines)
    raise PortalError(
        translation,
        f"no version of {relative} in the git history has {HASH_KEY} {recorded}; compare the "
        "translation with the English as it is now, then `make l10n-reviewed`",
    )
