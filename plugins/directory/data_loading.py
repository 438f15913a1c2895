"""YAML records under content/data/: read with line numbers, validated, every problem reported.

The loader is ruamel.yaml in YAML 1.2 mode (so ``country: NO`` is the string "NO", not False)
with duplicate keys rejected. Timestamps are kept as text so that an impossible date such as
2026-02-30 is reported by validation with its field and line, instead of crashing the parser.
"""

from __future__ import annotations

import logging
import os
import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from portal_core.errors import PortalError
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode
from ruamel.yaml.reader import ReaderError

from . import record_translations
from .record_fields import SOURCE_LANG

logger = logging.getLogger(__name__)
#: Fewest files worth parsing in worker processes.
PARALLEL_FROM = 16
#: How to compute a function over many items, results in order (the build engine's workers).
Mapper = Callable[[Callable[[Any], Any], list], Iterator[Any]]


def in_process(func: Callable[[Any], Any], items: list) -> Iterator[Any]:
    """Compute `func` over `items` here, one after the other."""
    return (func(item) for item in items)


Record = TypeVar("Record", bound=BaseModel)
Location = tuple[str | int, ...]

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
YAML_SUFFIXES = (".yaml", ".yml")
DOCS_HINT = "see content/data/README.md"
#: A record file larger than this is refused unread (a record in 24 languages is some 50 kB).
MAX_FILE_BYTES = 500_000
#: The only explicit tag accepted: !!str (quoting does the same).
PLAIN_TAGS = {None, "tag:yaml.org,2002:str"}
#: A UTF-16 surrogate pair, as "\\ud83d\\ude00" escapes in a quoted YAML string give it.
SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")
#: Longest field name shown as it is in a message.
NAME_SHOWN = 60


class _TextTimestampConstructor(RoundTripConstructor):
    """Round-trip constructor that leaves timestamps as text, for validation to parse."""


_TextTimestampConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str
)


@dataclass
class Source:
    """Where a record came from: its file and the line of every field."""

    path: str
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, location: Location) -> int:
        """Return the line of the deepest known part of `location` (1 for the whole file)."""
        for end in range(len(location), -1, -1):
            line = self.lines.get(tuple(location[:end]))
            if line is not None:
                return line
        return 1

    def error(self, location: Location, message: str) -> PortalError:
        """Return a PortalError ``file:line: field: message`` for a field of this record."""
        return PortalError(self.path, f"{field_name(location)}: {message}", self.line_of(location))


def display_path(path: Path) -> str:
    """Return `path` relative to the working directory when it is inside it."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def shown_name(name: object) -> str:
    """Return a field name as a message shows it: quoted and cut short when it is not plain.

    A key can hold anything (control characters, bidirectional overrides, lone surrogates,
    thousands of characters); the message must still print plainly on any terminal.
    """
    text = str(name)
    if text.isprintable() and len(text) <= NAME_SHOWN:
        return text
    shown = repr(text)
    return shown if len(shown) <= NAME_SHOWN else shown[: NAME_SHOWN - 4] + "...'"


def field_name(location: Location) -> str:
    """Return ``contact.email`` or ``working_languages[2]`` for a location tuple."""
    name = ""
    for part in location:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{shown_name(part)}" if name else shown_name(part)
    return name or "(file)"


def _pair_surrogates(text: str) -> str:
    """Return `text` with each UTF-16 surrogate pair made the one character it stands for."""
    return SURROGATE_PAIR.sub(
        lambda pair: pair.group().encode("utf-16-le", "surrogatepass").decode("utf-16-le"), text
    )


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Composer = _CheckingComposer
    yaml.Constructor = _TextTimestampConstructor
    # Duplicates are found on the composed nodes (all of them, with lines) by _duplicate_keys.
    yaml.allow_duplicate_keys = True
    return yaml


def _duplicate_keys(root: Node | None, shown: str) -> list[PortalError]:
    """Return a problem for every key given twice in the same mapping, anywhere in the file."""
    problems = []
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            first_line: dict[str, int] = {}
            for key, value in node.value:
                name = shown_name(key.value)
                line = key.start_mark.line + 1
                if name in first_line:
                    problems.append(
                        PortalError(
                            shown,
                            f"{name}: duplicate key (first given on line {first_line[name]}); "
                            "keep one",
                            line,
                        )
                    )
                else:
                    first_line[name] = line
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return sorted(problems, key=lambda problem: problem.line or 0)


class _CheckingComposer(Composer):
    """The composer, noting each alias and explicit tag it meets (records are plain values).

    Composing takes an alias as a reference to the node it names, so even a few nested ones
    ("billion laughs") cost nothing here; they are refused (see `refused`) before anything
    walks the nodes. Noting them while composing spares a second parse of every file, which
    took 40 % of the time a record took to read.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aliases: list[tuple[int | None, str]] = []
        self.tags: list[tuple[int | None, Any]] = []

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, AliasEvent):
            self.aliases.append((line, event.anchor))
        elif getattr(event, "tag", None) not in PLAIN_TAGS:
            self.tags.append((line, event.tag))
        return super().compose_node(parent, index)

    def refused(self, shown: str) -> list[PortalError]:
        """Return the aliases and explicit tags met, as problems (aliases first)."""
        problems = [
            PortalError(
                shown, f"(syntax): YAML tag {shown_name(tag)} is not supported; remove it", line
            )
            for line, tag in self.tags
        ]
        if self.aliases:
            line, anchor = self.aliases[0]
            more = f" (and {len(self.aliases) - 1} more)" if len(self.aliases) > 1 else ""
            problems.insert(
                0,
                PortalError(
                    shown,
                    f"(syntax): YAML alias *{shown_name(anchor)}{more} is not supported; "
                    "write the value out",
                    line,
                ),
            )
        return problems


def _plain(node: Any, where: Location, source: Source, problems: list[PortalError]) -> Any:
    """Turn ruamel's round-trip nodes into plain Python values, recording each field's line."""
    if isinstance(node, CommentedMap):
        result = {}
        for key, value in node.items():
            source.lines[(*where, key)] = node.lc.key(key)[0] + 1
            if not isinstance(key, str):
                problems.append(
                    source.error((*where, str(key)), "field names must be text; quote the name")
                )
                continue
            if not key.isprintable():
                problems.append(
                    source.error(
                        (*where, key),
                        "the field name holds invisible or control characters; retype it "
                        f"({DOCS_HINT} for the fields)",
                    )
                )
                continue
            result[key] = _plain(value, (*where, key), source, problems)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            position = node.lc.item(index)
            if position is not None:
                source.lines[(*where, index)] = position[0] + 1
            items.append(_plain(value, (*where, index), source, problems))
        return items
    if isinstance(node, TaggedScalar):
        problems.append(
            source.error(where, f"YAML tag {shown_name(node.tag)} is not supported; remove it")
        )
        return None
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return _pair_surrogates(str(node))
    problems.append(source.error(where, f"unsupported YAML value {node!r}"))
    return None


def read_yaml(path: Path) -> tuple[Any, Source, list[PortalError]]:
    """Read one YAML file into plain data and the line of every field.

    Returns the data, its Source and the problems found (syntax, duplicate keys, tags).
    """
    shown = display_path(path)
    source = Source(shown)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return (
            None,
            source,
            [
                PortalError(
                    shown,
                    f"(file): {size / 1_000_000:.1f} MB is too big for one record (at most "
                    f"{MAX_FILE_BYTES // 1000} kB); check that this is the right file",
                )
            ],
        )
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        return None, source, [PortalError(shown, f"(file): not valid UTF-8 (byte {error.start})")]
    yaml = _yaml()
    try:
        root = yaml.compose(text)
        refused = yaml.composer.refused(shown)
        if refused:
            return None, source, refused
        problems = _duplicate_keys(root, shown)
        node = yaml.constructor.construct_document(root) if root is not None else None
    except ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        column = error.position - text.rfind("\n", 0, error.position)
        return (
            None,
            source,
            [
                PortalError(
                    shown,
                    f"(syntax): the character U+{ord(text[error.position]):04X} (column "
                    f"{column}) is not allowed in a YAML file (a control character or "
                    "noncharacter); remove it",
                    line,
                )
            ],
        )
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        what = " ".join(str(part) for part in (error.context, error.problem) if part)
        return None, source, [PortalError(shown, f"(syntax): {what}; fix the YAML syntax", line)]
    except YAMLError as error:
        return None, source, [PortalError(shown, f"(syntax): {error}")]
    if isinstance(node, CommentedMap):
        source.lines[()] = node.lc.line + 1
    data = _plain(node, (), source, problems)
    return data, source, problems


def _message(error: dict) -> str:
    """Return an editor-friendly message for one pydantic error."""
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown field; check the spelling ({DOCS_HINT} for the fields)"
    if kind == "missing":
        return "required field is missing"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind not in {"value_error", "assertion_error"} and "input" in error:
        shown = repr(error["input"])
        if len(shown) > 60:
            shown = shown[:57] + "..."
        message += f" (got {shown})"
    if message[:1].isupper() and message[1:2].islower():
        message = message[:1].lower() + message[1:]
    return message


def _blank(value: object) -> bool:
    return isinstance(value, str) and not value.strip()


def _model_in(hint: Any) -> type[BaseModel] | None:
    """Return the model a field's type is (or is optionally), or None."""
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return hint
    models = [arg for arg in typing.get_args(hint) if isinstance(arg, type)]
    models = [arg for arg in models if issubclass(arg, BaseModel)]
    return models[0] if len(models) == 1 and type(None) in typing.get_args(hint) else None


def without_empty_optional(model: type[BaseModel], data: dict) -> dict:
    """Return `data` without the empty values ("") of fields `model` does not require.

    The browser editor writes a field an editor cleared as "" (Decap CMS has no option to leave
    it out), and a text by language as {en: ..., fi: ""} once a box was touched: an empty
    optional value means "none", as a missing one does. Required fields and the English text
    stay as they are, so an empty one is still refused with its own message.
    """
    result = {}
    for name, value in data.items():
        info = model.model_fields.get(name)
        if info is None:
            result[name] = value
            continue
        if _blank(value) and not info.is_required():
            continue
        nested = _model_in(info.annotation)
        if nested is not None and isinstance(value, dict):
            value = without_empty_optional(nested, value)
        elif typing.get_origin(info.annotation) is dict and isinstance(value, dict):
            (_, item) = typing.get_args(info.annotation)
            item_model = _model_in(item)
            kept = {}
            for key, text in value.items():
                if isinstance(text, dict) and item_model is not None:
                    if all(_blank(part) for part in text.values()):
                        continue  # an optional entry (a translation note) left empty
                    text = without_empty_optional(item_model, text)
                elif _blank(text) and key != SOURCE_LANG:
                    continue
                kept[key] = text
            if not kept and not info.is_required():
                continue
            value = kept
        result[name] = value
    return result


def validate(
    model: type[Record], data: Any, source: Source, extra: dict[str, Any]
) -> tuple[Record | None, list[PortalError]]:
    """Validate one file's data into `model`; return the record or every problem found."""
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        return None, [
            source.error((), f"the file must be a mapping of field: value (it is {kind})")
        ]
    problems = [
        source.error((name,), f"set by the file name, remove this field ({DOCS_HINT})")
        for name in extra
        if name in data
    ]
    if problems:
        return None, problems
    try:
        record = model.model_validate({**without_empty_optional(model, data), **extra})
    except ValidationError as error:
        for item in error.errors(include_url=False):
            location = tuple(part for part in item["loc"] if part != "[key]")
            if item["type"] == "missing":
                problems.append(
                    PortalError(
                        source.path,
                        f"{field_name(location)}: {_message(item)}",
                        source.line_of(location[:-1]),
                    )
                )
            else:
                problems.append(source.error(location, _message(item)))
        return None, problems
    return record, []


def read_record(
    path: Path, model: type[Record], id_field: str, record_id: str, notes: bool = True
) -> tuple[Record | None, Source | None, list[PortalError]]:
    """Read and validate one record file; return the record (or None), its Source, problems.

    With `notes` (the build), its translation notes are checked against its texts too
    (record_translations.check); the commands that write those notes read without.
    """
    data, source, read_problems = read_yaml(path)
    if data is None and read_problems:
        return None, None, read_problems
    record, record_problems = validate(model, data, source, {id_field: record_id})
    if notes and record is not None and hasattr(record, "translations"):
        record_problems = record_translations.check(record, source)
        if record_problems:
            record = None
    problems = sorted([*read_problems, *record_problems], key=lambda problem: problem.line or 0)
    return record, source, problems


def _read_record(
    item: tuple[Path, type[Record], str, str],
) -> tuple[Record | None, Source | None, list[PortalError]]:
    """Read and validate one record file (in a worker process when there are many)."""
    return read_record(*item)


def load_folder(
    folder: Path, model: type[Record], id_field: str, cache=None, mapper: Mapper = in_process
) -> tuple[list[tuple[Record, Source]], list[PortalError]]:
    """Load every YAML file in `folder` as one record whose `id_field` is the file name.

    Returns the records (sorted by id) with their sources, and every problem in every file.
    `cache` (the build engine's, or None) keeps records read without a problem, by the file's
    bytes, so that an unchanged file is not parsed again. Files the cache does not have are
    parsed through `mapper`, from PARALLEL_FROM files on (the engine's worker processes:
    parsing is most of the time, ruamel.yaml reads about 200 files a second), the results
    taken in file order, so nothing else changes.
    """
    records: list[tuple[Record, Source]] = []
    problems: list[PortalError] = []
    if not folder.is_dir():
        return records, problems
    seen: dict[str, str] = {}
    # In file order: a record from the cache, or a file to read (with its cache key).
    found: list[tuple[Record, Source] | tuple[Path, str, bytes | None]] = []
    for path in sorted(folder.iterdir()):
        shown = display_path(path)
        if path.name.startswith(".") or path.is_dir():
            continue
        if path.suffix not in YAML_SUFFIXES:
            problems.append(
                PortalError(shown, "(file): only .yaml files belong here; rename or move it")
            )
            continue
        record_id = path.stem
        if not ID_PATTERN.match(record_id):
            problems.append(
                PortalError(
                    shown,
                    f"{id_field}: the file name {record_id!r} is the {id_field}; use lower-case "
                    "letters, digits and single hyphens (for example kuntaliitto-fi.yaml)",
                )
            )
            continue
        if record_id in seen:
            problems.append(
                PortalError(
                    shown, f"{id_field}: duplicate {id_field} {record_id!r}, also {seen[record_id]}"
                )
            )
            continue
        seen[record_id] = shown
        key = None
        if cache is not None:
            key = cache.digest(
                f"{shown}\0{model.__name__}\0{record_id}\0".encode() + path.read_bytes()
            )
            if (hit := cache.get(key)) is not None:
                found.append(hit)
                continue
        found.append((path, record_id, key))
    to_read = [item for item in found if isinstance(item[0], Path)]
    items = [(path, model, id_field, record_id) for path, record_id, _ in to_read]
    read = (mapper if len(items) >= PARALLEL_FROM else in_process)(_read_record, items)
    try:
        for item in found:
            if not isinstance(item[0], Path):
                records.append(item)
                continue
            record, source, record_problems = next(read)
            problems.extend(record_problems)
            if record is not None:
                records.append((record, source))
                if cache is not None and not record_problems:
                    cache.put(item[2], (record, source))
    finally:
        read.close()
    logger.debug("loaded %r records from %r", len(records), str(folder))
    return records, problems
