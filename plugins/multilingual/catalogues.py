"""Interface strings: gettext catalogues read from .po files and compiled in memory by the build."""

from __future__ import annotations

import gettext
import io
import os
import re
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations

from .errors import PortalError, PortalErrors

_STRING = r'"(?:[^"\\]|\\.)*"'
_PO_LINE = re.compile(
    rf"^(?:#.*|(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+{_STRING}|{_STRING})\s*$"
)


def check_po_syntax(po_path: Path) -> list[PortalError]:
    """Check every line of a .po file against the gettext syntax (Babel's reader is lenient)."""
    problems = []
    try:
        text = Path(po_path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        return [PortalError(po_path, f"not valid UTF-8 (byte {error.start}); save it as UTF-8")]
    for number, line in enumerate(text.splitlines(), start=1):
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


def catalogue_path(translations_dir: Path, lang: str) -> Path:
    """Return where the catalogue of `lang` lives."""
    return Path(translations_dir) / lang / "LC_MESSAGES" / "messages.po"


_COMPILED: dict[tuple, gettext.NullTranslations] = {}


def compile_catalogue(po_path: Path, lang: str) -> gettext.NullTranslations:
    """Read one .po file, check it, and return its compiled translations.

    Raises PortalErrors naming the file and line of every syntax error or placeholder mismatch.
    A catalogue that compiled is kept for the process, by its file's path, size and time (the
    dev server's builds then skip the 24 unchanged ones).
    """
    try:
        stat = os.stat(po_path)
    except OSError:
        return _compile_catalogue(po_path, lang)  # which names the problem
    key = (os.path.abspath(po_path), lang, stat.st_mtime_ns, stat.st_size)
    if key not in _COMPILED:
        _COMPILED[key] = _compile_catalogue(po_path, lang)
    return _COMPILED[key]


def _compile_catalogue(po_path: Path, lang: str) -> gettext.NullTranslations:
    syntax = check_po_syntax(po_path)
    if syntax:
        raise PortalErrors(syntax)
    try:
        with open(po_path, "rb") as handle:
            catalogue = read_po(handle, locale=lang, abort_invalid=True)
    except PoFileError as error:
        line = getattr(error, "lineno", None)
        raise PortalErrors(
            [
                PortalError(
                    po_path,
                    f"{error} (fix the .po syntax; `make l10n-compile` shows the same error)",
                    line,
                )
            ]
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise PortalErrors([PortalError(po_path, f"cannot read catalogue: {error}")]) from None

    problems = []
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
        raise PortalErrors(problems)

    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")


def load_catalogues(translations_dir: Path, languages: tuple[str, ...]) -> dict:
    """Compile the catalogue of every language; a language without one gets the English strings.

    Every broken catalogue is reported in one PortalErrors.
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
            result[lang] = compile_catalogue(path, lang)
        except PortalErrors as errors:
            problems.extend(errors.errors)
    if problems:
        raise PortalErrors(problems)
    return result
