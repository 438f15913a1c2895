"""Interface strings: gettext catalogues read from .po files, checked, and compiled in memory.

Interface strings are text. A catalogue entry may not carry markup, control characters or
text out of all proportion to its English string; each catalogue's plural formula must be
CLDR's for its language; no msgid may appear twice. Every refusal names the file, the line,
the msgid and the fix. How a translation goes into HTML (escaped, with only the markup that
the template passes in through placeholders) is `strings.interface_text`.
"""

from __future__ import annotations

import gettext
import html
import io
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po, unescape
from babel.support import Translations

from .errors import PortalError, PortalErrors
from .languages import format_locale

_STRING = r'"(?:[^"\\]|\\.)*"'
_PO_LINE = re.compile(
    rf"^(?:#.*|(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+{_STRING}|{_STRING})\s*$"
)
_KEYWORD_LINE = re.compile(rf"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+({_STRING})")

#: A translation may be as long as 4 times its English string plus this many characters...
SIZE_ALLOWANCE = 100
#: ...and never longer than this (CONTRIBUTING.md, "Interface strings", says why).
SIZE_CAP = 2000

#: `<` starts a tag, an end tag, a comment, a doctype or a processing instruction when one of
#: these follows it (the HTML tokenizer's "tag open" state); before anything else it is text.
_MARKUP_OPEN = re.compile(r"<[A-Za-z!?/]")
#: What could be a character reference; html.unescape (the HTML rules) decides which are.
_REFERENCE = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9A-Fa-f]+;?|[A-Za-z][A-Za-z0-9]*;?)")
#: Characters an interface string may not contain: the C0 and C1 control characters (NUL
#: included), surrogates (a lone one cannot be encoded), noncharacters, and the bidirectional
#: embedding, override and isolate controls U+202A-U+202E and U+2066-U+2069, which reorder
#: the text around them so that it reads differently than it is stored.
_FORBIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef"
    + "".join(chr(plane + 0xFFFE) + chr(plane + 0xFFFF) for plane in range(0, 0x110000, 0x10000))
    + "]"
)

#: The numbers two plural formulas are compared on: every n below 3,000 (each pattern of
#: n % 10 and n % 100 with the small numbers' exceptions) and round numbers up to 10^12, where
#: CLDR's "many" of Spanish, French, Italian and Portuguese (n % 1000000 == 0) shows.
PLURAL_SAMPLE = tuple(range(3000)) + tuple(
    base * 10**power + offset
    for power in range(3, 13)
    for base in (1, 2, 5)
    for offset in (0, 1, 2, 5, 11, 21)
)


def check_po_syntax(po_path: Path) -> list[PortalError]:
    """Check every line of a .po file against the gettext syntax (Babel's reader is lenient)."""
    problems = []
    data = Path(po_path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return [
            PortalError(po_path, f"not valid UTF-8 (byte {error.start}); save it as UTF-8", line)
        ]
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped and not _PO_LINE.match(stripped):
            problems.append(
                PortalError(
                    po_path,
                    f"not valid .po syntax: {stripped[:60]!r} (every line is a #comment, a "
                    'keyword with a "quoted string", or a "quoted" continuation)',
                    number,
                )
            )
    return problems


@dataclass
class PoEntry:
    """One entry of a .po file as written: each keyword's line and text (obsolete ones left out).

    `parts` maps "msgctxt", "msgid", "msgid_plural", "msgstr" or "msgstr[i]" to [line, text].
    """

    parts: dict[str, list] = field(default_factory=dict)

    @property
    def context(self) -> str | None:
        """Return the msgctxt, or None."""
        return self.parts["msgctxt"][1] if "msgctxt" in self.parts else None

    @property
    def msgid(self) -> str:
        """Return the msgid ("" for the header)."""
        return self.parts.get("msgid", [0, ""])[1]

    @property
    def line(self) -> int:
        """Return the line of the msgid (of the msgctxt when there is no msgid)."""
        first = self.parts.get("msgid") or next(iter(self.parts.values()))
        return first[0]

    def english(self) -> str:
        """Return the longer of the msgid and the msgid_plural."""
        return max(self.msgid, self.parts.get("msgid_plural", [0, ""])[1], key=len)

    def translations(self) -> list[tuple[int, str]]:
        """Return the line and text of every msgstr, in file order."""
        return [(line, text) for key, (line, text) in self.parts.items() if key[:6] == "msgstr"]

    def name(self) -> str:
        """Return how messages name the entry: msgid, with msgctxt if it has one."""
        name = f"msgid {_excerpt(self.msgid)}"
        if self.context is not None:
            name = f"msgctxt {_excerpt(self.context)} {name}"
        return name


def _excerpt(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def read_entries(text: str) -> list[PoEntry]:
    """Return the entries of a .po file's text (one that passed check_po_syntax), in file order.

    Babel's reader keeps only the last of two entries with one msgid and not the lines of the
    translations; the checks need both.
    """
    entries: list[PoEntry] = []
    part: list | None = None  # [line, text] of the keyword that continuation lines extend
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _KEYWORD_LINE.match(stripped)
        if match is None:  # a "quoted" continuation of the last keyword's string
            if part is not None:
                part[1] += unescape(stripped)
            continue
        keyword, string = match.groups()
        entry = entries[-1] if entries else None
        if (
            entry is None
            or keyword == "msgctxt"
            or (keyword == "msgid" and "msgid" in entry.parts)
            or keyword in entry.parts
        ):
            entry = PoEntry()
            entries.append(entry)
        part = [number, unescape(string)]
        entry.parts[keyword] = part
    return entries


def markup_in(text: str) -> str | None:
    """Return the first piece of `text` an HTML parser would read as markup, or None.

    Markup is a tag, end tag, comment, doctype or processing instruction, or a character
    reference (named, with or without its semicolon, or numeric). `&` before a space, `<`
    before a space or digit and quotes are text.
    """
    tag = _MARKUP_OPEN.search(text)
    for reference in _REFERENCE.finditer(text, 0, tag.start() if tag else len(text)):
        if html.unescape(reference.group()) != reference.group():
            return reference.group()
    if tag is None:
        return None
    piece = text[tag.start() : tag.start() + 60]
    end = piece.find(">")
    return piece[: end + 1] if end >= 0 else piece


def forbidden_character(text: str, allowed: str = "") -> str | None:
    """Return the first character of `text` not allowed in an interface string, or None.

    See _FORBIDDEN; a line break or tab is allowed where `allowed` has one.
    """
    for match in _FORBIDDEN.finditer(text):
        if match.group() not in allowed:
            return match.group()
    return None


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    if not name and char in "\t\n\r":
        name = {"\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN"}[char]
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def size_limit(english: str) -> int:
    """Return how many characters the translation of `english` may have."""
    return min(SIZE_CAP, SIZE_ALLOWANCE + 4 * len(english))


def check_entries(po_path: Path, entries: list[PoEntry]) -> list[PortalError]:
    """Return a problem for each repeated msgid and each translation the site cannot show.

    A repeated msgid has the same msgctxt (or none) as an earlier entry. Fuzzy entries are
    checked too (a translation platform may clear the flag); the header (msgid "") only for
    repetition, as its text is never shown.
    """
    problems = []
    seen: dict[tuple[str | None, str], int] = {}
    for entry in entries:
        key = (entry.context, entry.msgid)
        if key in seen:
            problems.append(
                PortalError(
                    po_path,
                    f"{entry.name()} appears twice, on lines {seen[key]} and {entry.line}; "
                    "keep one of the two entries (msgfmt refuses such a file, and the build "
                    "would use only one of them)",
                    entry.line,
                )
            )
        seen.setdefault(key, entry.line)
        if entry.msgid == "" and entry.context is None:
            continue
        english = entry.english()
        allowed = "".join(char for char in "\t\n" if char in english)
        for line, text in entry.translations():
            problem = _check_translation(text, english, allowed)
            if problem:
                problems.append(PortalError(po_path, f"{entry.name()}: {problem}", line))
    return problems


def _check_translation(text: str, english: str, allowed: str) -> str | None:
    limit = size_limit(english)
    if len(text) > limit:
        return (
            f"the translation has {len(text):,} characters, more than this string's limit of "
            f"{limit:,} (4 times the English text plus {SIZE_ALLOWANCE}, at most {SIZE_CAP:,}); "
            "shorten it (longer text belongs in the pages under content/)"
        )
    char = forbidden_character(text, allowed)
    if char is not None:
        return (
            f"the translation contains the invisible character {_describe(char)}; "
            "delete it (interface strings are plain text: no control characters, and no "
            "bidirectional overrides, which can make text read differently than it is stored)"
        )
    markup = markup_in(text)
    if markup is not None:
        return (
            f"the translation contains markup {markup!r}; interface strings are plain text, "
            "shown as typed: write characters as themselves (& not &amp;, © not &copy;) and "
            "leave tags and comments out (a link or emphasis comes from the template, through "
            "a %(name)s placeholder that the English string has too)"
        )
    return None


def _header_line(text: str, name: str) -> int | None:
    for number, line in enumerate(text.split("\n"), start=1):
        if re.match(rf'^(?:msgstr\s+)?"{name}:', line.strip()):
            return number
    return None


def check_plural_forms(
    po_path: Path, text: str, entries: list[PoEntry], lang: str
) -> list[PortalError]:
    """Return a problem when the catalogue's Plural-Forms do not give CLDR's plural forms.

    The formulas are compared by the form they select for each n of PLURAL_SAMPLE, not by
    their text. CLDR's formula is Babel's (babel.messages.plurals is generated from CLDR), for
    the locale the site formats `lang` with (European Portuguese for "pt"). Checked before
    Babel reads the file, which stops at the first plural entry that has more forms than the
    header says, without naming the header.
    """
    expected = get_plural(format_locale(lang))
    use = (
        f'put "Plural-Forms: {expected.plural_forms}\\n" in the header and order the '
        f"msgstr[0]..msgstr[{expected.num_plurals - 1}] of each plural entry as that formula "
        "numbers the forms"
    )
    line = _header_line(text, "Plural-Forms")
    header = next((e for e in entries if e.msgid == "" and e.context is None), None)
    value = None
    if header is not None:
        value = re.search(r"^Plural-Forms:(.*)$", header.translations()[0][1], re.MULTILINE)
    if line is None or value is None:
        if not any("msgid_plural" in entry.parts for entry in entries):
            return []  # nothing to select: gettext then needs no formula
        return [
            PortalError(
                po_path,
                f'the header (msgid "") has no Plural-Forms line; {use}',
                _header_line(text, "Language") or (header.line if header else 1),
            )
        ]
    nplurals = re.search(r"\bnplurals\s*=\s*(\d+)\s*(?:;|$)", value.group(1))
    expression = re.search(r"\bplural\s*=\s*([^;]+)", value.group(1))
    try:
        if nplurals is None or expression is None:
            raise ValueError("it needs nplurals=<number>; plural=<formula>;")
        formula = gettext.c2py(expression.group(1).strip())
        found = [formula(n) for n in PLURAL_SAMPLE]
    except (ValueError, ArithmeticError, RecursionError) as error:
        return [
            PortalError(
                po_path,
                f"Plural-Forms {value.group(1).strip()!r} cannot be read ({error}); {use}",
                line,
            )
        ]
    if int(nplurals.group(1)) != expected.num_plurals:
        return [
            PortalError(
                po_path,
                f"nplurals={nplurals.group(1)}, but {lang!r} has {expected.num_plurals} "
                f"plural forms in CLDR; {use}",
                line,
            )
        ]
    reference = gettext.c2py(expected.plural_expr)
    for n, index in zip(PLURAL_SAMPLE, found, strict=True):
        if index != reference(n):
            return [
                PortalError(
                    po_path,
                    f"the plural formula {expression.group(1).strip()!r} is not CLDR's for "
                    f"{lang!r}: for n = {n} it selects msgstr[{index}], CLDR's selects "
                    f"msgstr[{reference(n)}]; {use}",
                    line,
                )
            ]
    return []


def catalogue_path(translations_dir: Path, lang: str) -> Path:
    """Return where the catalogue of `lang` lives."""
    return Path(translations_dir) / lang / "LC_MESSAGES" / "messages.po"


def compile_catalogue(
    po_path: Path, lang: str, compiled: dict | None = None
) -> gettext.NullTranslations:
    """Read one .po file, check it, and return its compiled translations.

    Raises PortalErrors naming the file and line of every syntax error, placeholder mismatch,
    repeated msgid, translation the site cannot show, and plural formula that is not CLDR's.
    `compiled` (the build engine's memory, kept between the builds of one Pelican instance)
    holds catalogues that compiled, by their file's path, size and time: the dev server's
    builds then skip the 24 unchanged ones.
    """
    try:
        stat = os.stat(po_path)
    except OSError:
        return _compile_catalogue(po_path, lang)  # which names the problem
    if compiled is None:
        return _compile_catalogue(po_path, lang)
    key = (os.path.abspath(po_path), lang, stat.st_mtime_ns, stat.st_size)
    if key not in compiled:
        compiled[key] = _compile_catalogue(po_path, lang)
    return compiled[key]


def _compile_catalogue(po_path: Path, lang: str) -> gettext.NullTranslations:
    syntax = check_po_syntax(po_path)
    if syntax:
        raise PortalErrors(syntax)
    text = Path(po_path).read_text(encoding="utf-8")
    entries = read_entries(text)
    problems = check_entries(po_path, entries)
    plural_forms = check_plural_forms(po_path, text, entries, lang)
    if plural_forms:
        # Babel would stop at the first entry with more forms than a wrong header allows
        raise PortalErrors(sorted(problems + plural_forms, key=lambda problem: problem.line or 0))
    try:
        with open(po_path, "rb") as handle:
            catalogue = read_po(handle, locale=lang, abort_invalid=True)
    except PoFileError as error:
        # Babel counts lines from 0 and appends " on <that number>" to its message
        line = getattr(error, "lineno", None)
        message = str(error).removesuffix(f" on {line}")
        problems.append(
            PortalError(
                po_path,
                f"{message} (fix the .po syntax; `make l10n-compile` shows the same error)",
                None if line is None else line + 1,
            )
        )
        raise PortalErrors(sorted(problems, key=lambda problem: problem.line or 0)) from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise PortalErrors([PortalError(po_path, f"cannot read catalogue: {error}")]) from None

    for message, errors in catalogue.check():
        for error in errors:
            problems.append(
                PortalError(
                    po_path,
                    f"msgid {message.id!r}: {error} (make the translation use the same "
                    "placeholders as the English string)",
                    message.lineno,
                )
            )
    if problems:
        raise PortalErrors(sorted(problems, key=lambda problem: problem.line or 0))

    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")


def load_catalogues(
    translations_dir: Path, languages: tuple[str, ...], compiled: dict | None = None
) -> dict:
    """Compile the catalogue of every language; a language without one gets the English strings.

    Every broken catalogue is reported in one PortalErrors; `compiled`: see compile_catalogue.
    """
    result: dict[str, gettext.NullTranslations] = {}
    problems: list[PortalError] = []
    known = set(languages)
    translations_dir = Path(translations_dir)
    if translations_dir.is_dir():
        for child in sorted(translations_dir.iterdir()):
            if child.is_dir() and child.name not in known:
                problems.append(
                    PortalError(
                        child,
                        f"{child.name!r} is not one of the 24 EU language codes; "
                        "rename or remove the folder",
                    )
                )
    for lang in languages:
        path = catalogue_path(translations_dir, lang)
        if not path.exists():
            result[lang] = gettext.NullTranslations()
            continue
        try:
            result[lang] = compile_catalogue(path, lang, compiled)
        except PortalErrors as errors:
            problems.extend(errors.errors)
    if problems:
        raise PortalErrors(problems)
    return result
