"""Data records in translators' files: their segments, and returned text merged into them.

`segments` gives what a language lacks in the records: every field of a record whose
translation is missing or whose English changed since its note's source hash, and the
fields without text in that language of a record otherwise up to date. Each paragraph of a
field is a segment, ``record:news/<slug>#title`` (``#body.2``: the second paragraph).
multilingual.exchange writes them into the same XLIFF and PO files as pages and strings, with
the same protected pieces.

`merge` checks returned segments against the records as they are now (the record exists, its
English is the one translated, every paragraph of a field is there, the record still
validates with the text in it) and gives every problem, or the new text of each file, written
only when the caller has found no problem anywhere. A file is rewritten with ruamel.yaml's
round trip (comments, quotes, line width and indentation as they were), the new language
placed where the records keep it (en, fi, then alphabetical), and its translation note
(method, current English hash) in the ``translations:`` block.

`diff_basis` tells ``make l10n-diff`` how to find and show, in a record file's history, the
English a translation note's hash was made from.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from portal_core.errors import PortalError
from portal_core.translations import text_hash, translates
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from .data_loading import display_path, read_record
from .record_fields import SOURCE_LANG, TranslatedRecord
from .record_translations import fields_source_text, full_source_hash, paragraphs, source_hash
from .site_data import KINDS
from .translation_notes import Note, RecordFile, read_files, with_block

PREFIX = "record:"
#: Where a language's text goes in a field: English, Finnish, then the others alphabetically.
FIRST = (SOURCE_LANG, "fi")
#: ruamel.yaml's round trip as the record files are written (checked on every shipped record:
#: loading and dumping one gives the same bytes).
LINE_WIDTH = 100
SEGMENT_ID = re.compile(r"^record:([a-z]+)/([a-z0-9-]+)#([a-z_]+)(?:\.(\d+))?$")


def _order(lang: str) -> tuple[int, str]:
    return (FIRST.index(lang), "") if lang in FIRST else (len(FIRST), lang)


def wanted_fields(record: TranslatedRecord, lang: str) -> tuple[str, ...]:
    """Return the fields of `record` that `lang` lacks: all of them when its note is missing
    or its English changed since, else those without `lang` text."""
    note = record.translations.get(lang)
    if note is None or not translates(full_source_hash(record), note.source):
        return tuple(name for name in record.TRANSLATED if getattr(record, name))
    return record.untranslated(lang)


def field_segments(kind: str, key: str, record: TranslatedRecord, name: str) -> list[tuple]:
    """Return (segment id, English paragraph) of one field of a record."""
    parts = paragraphs(getattr(record, name)[SOURCE_LANG])
    base = f"{PREFIX}{kind}/{key}#{name}"
    if len(parts) == 1:
        return [(base, parts[0])]
    return [(f"{base}.{number}", part) for number, part in enumerate(parts, start=1)]


def segments(data_dir: Path, lang: str) -> list[tuple[str, str]]:
    """Return (segment id, English text) of everything `lang` lacks in the data records."""
    found = []
    for file in read_files(data_dir):
        key = file.path.stem
        for name in wanted_fields(file.record, lang):
            found += field_segments(file.kind, key, file.record, name)
    return found


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = LINE_WIDTH
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _dump(data, original: str) -> str:
    stream = io.StringIO()
    _yaml().dump(data, stream)
    text = stream.getvalue()
    # ruamel.yaml leaves a space where it folds a long line; the files have none
    if not re.search(r"[ \t]\n", original):
        text = re.sub(r"[ \t]+\n", "\n", text)
    return text


def _value(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return LiteralScalarString("\n\n".join(parts) + "\n")


def _put(mapping: CommentedMap, lang: str, value: str) -> None:
    """Set `lang` in a field's mapping, where the records keep it when it is new."""
    if lang in mapping:
        mapping[lang] = value
        return
    position = sum(1 for key in mapping if _order(str(key)) < _order(lang))
    mapping.insert(position, lang, value)


@dataclass
class RecordMerge:
    """Returned segments checked against the records: the problems, or the files to write."""

    problems: list[PortalError] = field(default_factory=list)
    texts: dict[Path, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    def write(self) -> list[str]:
        """Write every merged file; return what was written (and what was not, and why)."""
        for path, text in self.texts.items():
            path.write_bytes(text.encode("utf-8"))
        return self.messages


def _validated(file: RecordFile, text: str, shown: str) -> list[PortalError]:
    """Return the problems of a file's new text, read as the build reads it."""
    model, id_field = next((m, i) for kind, m, i in KINDS if kind == file.kind)
    with tempfile.TemporaryDirectory(prefix="record-merge-") as folder:
        path = Path(folder) / file.path.name
        path.write_bytes(text.encode("utf-8"))
        _record, _source, problems = read_record(path, model, id_field, file.path.stem)
    return [
        PortalError(
            shown,
            f"{PREFIX}{file.kind}/{file.path.stem}: the record with the imported text "
            f"(its line {problem.line}): {problem.message}",
        )
        for problem in problems
    ]


def merge(
    data_dir: Path, lang: str, units: dict[str, tuple[str, str]], method: str, shown: str
) -> RecordMerge:
    """Check returned record segments ({id: (English, translation)}) and merge them.

    `shown`: the returned file, as messages name it. A record is merged when every paragraph
    of every field it needs (`wanted_fields`) and of every field returned is translated;
    otherwise it is left as it is, and the messages say so.
    """
    result = RecordMerge()
    files = {(file.kind, file.path.stem): file for file in read_files(data_dir)}
    by_record: dict[tuple[str, str], dict[str, str]] = {}
    for unit_id, (source, target) in units.items():
        match = SEGMENT_ID.match(unit_id)
        if not match:
            result.problems.append(PortalError(shown, f"{unit_id}: not a segment export wrote"))
            continue
        kind, key, name = match.group(1), match.group(2), match.group(3)
        file = files.get((kind, key))
        if file is None:
            result.problems.append(
                PortalError(
                    shown,
                    f"{unit_id}: there is no record {kind}/{key} "
                    f"({display_path(Path(data_dir) / kind / key)}.yaml); it was removed or "
                    f"renamed since the export: `make l10n-export LANG={lang}` writes the current "
                    "records",
                )
            )
            continue
        english = (
            dict(field_segments(kind, key, file.record, name))
            if (name in file.record.TRANSLATED and getattr(file.record, name))
            else {}
        )
        if english.get(unit_id) != source:
            result.problems.append(
                PortalError(
                    shown,
                    f"{unit_id}: the English text changed since this file was exported "
                    f"(`make l10n-export LANG={lang}` writes the current one)",
                )
            )
            continue
        if target.strip():
            by_record.setdefault((kind, key), {})[unit_id] = " ".join(target.split())
    if result.problems:
        return result
    for (kind, key), targets in sorted(by_record.items()):
        file = files[(kind, key)]
        returned = {SEGMENT_ID.match(unit_id).group(3) for unit_id in targets}
        needed = wanted_fields(file.record, lang)
        names = [n for n in file.record.TRANSLATED if n in returned or n in needed]
        values, untranslated = {}, 0
        for name in names:
            wanted = field_segments(kind, key, file.record, name)
            untranslated += sum(1 for unit_id, _english in wanted if unit_id not in targets)
            values[name] = [targets.get(unit_id, "") for unit_id, _english in wanted]
        shown_file = display_path(file.path)
        if untranslated:
            result.messages.append(
                f"{shown_file}: not written, {untranslated} segments untranslated"
            )
            continue
        original = file.path.read_bytes().decode("utf-8")
        data = _yaml().load(original)
        for name, parts in values.items():
            _put(data[name], lang, _value(parts))
        notes = file.notes()
        notes[lang] = Note(lang, method, source_hash(file.record))
        text = with_block(_dump(data, original), notes.values())
        problems = _validated(file, text, shown)
        if problems:
            result.problems += problems
            continue
        result.texts[file.path] = text
        result.messages.append(
            f"{shown_file}: {lang} written ({', '.join(values)}; method {method}, "
            f"source {source_hash(file.record)})"
        )
    return result


@dataclass(frozen=True)
class DiffBasis:
    """What ``make l10n-diff`` needs of a record file: its English, and how to read it."""

    file: Path
    recorded: str
    hash_of: Callable[[str], str | None]
    shown_of: Callable[[str], str]


def diff_basis(data_dir: Path, file: str, langs: Iterable[str] | None) -> DiffBasis:
    """Return the diff basis of the translation into one language of a record file."""
    wanted = list(langs or ())
    if len(wanted) != 1:
        raise PortalError(
            "LANG", f"name the one language to compare: make l10n-diff FILE={file} LANG=fi"
        )
    (lang,) = wanted
    (record_file,) = read_files(data_dir, [file])
    note = record_file.notes().get(lang)
    if note is None:
        raise PortalError(
            record_file.shown,
            f"no {lang} translation note: there is no {lang} text to compare (translate it "
            f"first: make l10n-export LANG={lang})",
        )
    names = record_file.record.TRANSLATED

    def shown_of(text: str) -> str:
        try:
            data = YAML(typ="safe").load(text)
        except YAMLError:
            return ""
        return fields_source_text(data if isinstance(data, dict) else {}, names)

    def hash_of(text: str) -> str | None:
        shown = shown_of(text)
        return text_hash(shown) if shown.strip() else None

    return DiffBasis(record_file.path, note.source, hash_of, shown_of)
