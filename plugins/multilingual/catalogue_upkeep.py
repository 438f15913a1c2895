"""Keep the interface catalogues: extract messages.pot, update every .po, start a new one.

Nothing here loses a translator's work:

- `extract` reads the templates and the Python code with the mapping of babel.cfg, which
  parses templates with the site's own Jinja extensions and fails on a template it cannot
  parse (Babel's default is to skip the rest of such a template without a word);
- `update` merges messages.pot into each catalogue; a translated entry whose msgid left
  messages.pot is kept as obsolete (``#~``), and named, unless `prune` is asked for; an
  obsolete translation whose msgid comes back is taken up again;
- `init` starts the catalogue of one of the site's languages and refuses to replace one.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po
from portal_core.errors import PortalError

PROJECT = "Covenant Portal"
COPYRIGHT_HOLDER = "Covenant of Mayors Office"
MSGID_BUGS_ADDRESS = "supporters@eumayors.eu"
#: How many msgids a message names before it says "and N more".
NAMED = 12


def _now() -> datetime:
    """Return the build's "now": SOURCE_DATE_EPOCH when set (reproducible), else the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC)


def _key(message: Message):
    return (message.id, message.context) if message.context else message.id


def _translated(message: Message) -> bool:
    """Tell whether an entry holds a translator's work: translated and not fuzzy.

    A fuzzy entry is a guess (Babel copies the translation of a similar msgid); the build
    does not use it and the status does not count it.
    """
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(message.id) and any(strings) and not message.fuzzy


def fill_source_catalogue(catalogue: Catalog) -> None:
    """Make the source language's catalogue complete: every msgstr is its msgid, none fuzzy."""
    for message in catalogue:
        if message.id:
            message.string = tuple(message.id) if isinstance(message.id, tuple) else message.id
            message.flags.discard("fuzzy")
            message.previous_id = []


def extract(root: Path, mapping: Path | None = None) -> Catalog:
    """Return the catalogue template of every string marked in the code and templates.

    A template that does not parse raises (``silent = false`` in babel.cfg) instead of
    giving only the strings before the error.
    """
    root = Path(root)
    with open(mapping or root / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    template = Catalog(
        project=PROJECT,
        copyright_holder=COPYRIGHT_HOLDER,
        msgid_bugs_address=MSGID_BUGS_ADDRESS,
        creation_date=_now(),
    )
    for filename, lineno, message, comments, context in extract_from_dir(
        root, method_map, options_map, strip_comment_tags=True
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def write_catalogue(catalogue: Catalog, path: Path) -> None:
    """Write a .po or .pot file as the project keeps them (no wrapping, sorted by file)."""
    buffer = io.BytesIO()
    write_po(buffer, catalogue, width=0, sort_by_file=True, include_previous=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def read_catalogue(path: Path, lang: str | None = None) -> Catalog:
    """Read a .po or .pot file with Babel."""
    with open(path, "rb") as handle:
        return read_po(handle, locale=lang)


@dataclass
class UpdateResult:
    """What `update` did to one catalogue."""

    lang: str
    path: Path
    kept: list[str] = field(default_factory=list)  # translated msgids kept as obsolete
    dropped: list[str] = field(default_factory=list)  # translated msgids removed (prune)
    revived: list[str] = field(default_factory=list)  # obsolete translations taken up again

    @staticmethod
    def _names(msgids: list[str]) -> str:
        named = ", ".join(repr(m) for m in msgids[:NAMED])
        return named + (f" and {len(msgids) - NAMED} more" if len(msgids) > NAMED else "")

    def lines(self, root: Path) -> list[str]:
        """Return the messages to print about this catalogue (none when nothing was kept)."""
        shown = os.path.relpath(self.path, root)
        out = []
        if self.kept:
            out.append(
                f"{shown}: kept {len(self.kept)} translated entr"
                f"{'y' if len(self.kept) == 1 else 'ies'} no longer in messages.pot as "
                f"obsolete (#~): {self._names(self.kept)}; "
                "`make l10n-update PRUNE=1` drops them"
            )
        if self.dropped:
            out.append(
                f"{shown}: dropped {len(self.dropped)} translated entr"
                f"{'y' if len(self.dropped) == 1 else 'ies'} (PRUNE): {self._names(self.dropped)}"
            )
        if self.revived:
            out.append(
                f"{shown}: took up again the obsolete translation of {self._names(self.revived)}"
            )
        return out


def _msgid_text(key) -> str:
    return key[0] if isinstance(key, tuple) else key


def update_catalogue(
    template: Catalog, path: Path, lang: str, source_lang: str, prune: bool = False
) -> UpdateResult:
    """Merge `template` into the catalogue at `path`; keep (or with `prune` drop) lost work."""
    catalogue = read_catalogue(path, lang)
    result = UpdateResult(lang, path)
    wanted = {_key(message) for message in template if message.id}
    # An obsolete translation whose msgid is wanted again goes back among the messages.
    for key, message in list(catalogue.obsolete.items()):
        if key in wanted and key not in catalogue and _translated(message):
            del catalogue.obsolete[key]
            catalogue[message.id] = message
            result.revived.append(_msgid_text(key))
    before = {_key(m): m for m in catalogue if _translated(m)}
    before.update({k: m for k, m in catalogue.obsolete.items() if _translated(m)})
    catalogue.update(template, update_header_comment=False)
    for key, message in before.items():
        if key in wanted:
            continue
        if lang == source_lang:  # the source catalogue is made from the msgids: no work lost
            catalogue.obsolete.pop(key, None)
        elif prune:
            catalogue.obsolete.pop(key, None)
            result.dropped.append(_msgid_text(key))
        else:
            message.previous_id = []
            catalogue.obsolete[key] = message
            result.kept.append(_msgid_text(key))
    # an untranslated or fuzzy obsolete entry carries no work
    for key in [k for k, m in catalogue.obsolete.items() if not _translated(m)]:
        del catalogue.obsolete[key]
    if lang == source_lang:
        fill_source_catalogue(catalogue)
    write_catalogue(catalogue, path)
    return result


def update(
    translations: Path, languages: Iterable[str], source_lang: str, prune: bool = False
) -> list[UpdateResult]:
    """Merge messages.pot into the catalogue of every language that has one."""
    translations = Path(translations)
    template = read_catalogue(translations / "messages.pot")
    results = []
    for lang in languages:
        path = translations / lang / "LC_MESSAGES" / "messages.po"
        if path.is_file():
            results.append(update_catalogue(template, path, lang, source_lang, prune))
    return results


def init(translations: Path, lang: str, languages: Iterable[str]) -> Path:
    """Start the catalogue of `lang` from messages.pot; refuse to replace an existing one."""
    translations = Path(translations)
    languages = tuple(languages)
    path = translations / lang / "LC_MESSAGES" / "messages.po"
    if lang not in languages:
        raise PortalError(
            "LANG",
            f"{lang!r} is not one of the site's languages ({' '.join(languages)}); "
            "give one of these codes, e.g. `make l10n-init LANG=fi`",
        )
    if path.exists():
        raise PortalError(
            os.path.relpath(path),
            "this catalogue exists already and would be replaced by an empty one; "
            "`make l10n-update` brings it up to date with messages.pot",
        )
    catalogue = read_catalogue(translations / "messages.pot", lang)
    catalogue.locale = lang
    catalogue.revision_date = _now()
    catalogue.fuzzy = False
    write_catalogue(catalogue, path)
    return path
