"""Facts in prose stay aligned across languages: the same lists, and the named facts in each.

Two checks over every page of the tree, each problem at its file and line:

- **lists**: a translation whose Source-Hash is current (up to date, or machine-translated from
  the current English) has as many top-level lists as the English page, in the same order, each
  numbered or not as there, with as many items. An outdated translation is left alone: the
  translation status already says it lags behind.
- **named facts** (``content/data/facts-in-prose.yaml``): a fact such as the two-year reporting
  rule names its page, optionally its list and item, and per language a regular expression
  the text there must match. The English page is always checked, translations when current.

Lists are read from the Markdown source (where the lines are): a top-level item is a line
starting with ``-``, ``*``, ``+`` or ``1.`` indented at most three spaces; indented lines and
lines running on belong to the item before them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from portal_core.errors import PortalError
from portal_core.page_metadata import parse_page
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .translation_status import Status, display_path

FACTS_FILE = Path("data") / "facts-in-prose.yaml"
ITEM = re.compile(r"^ {0,3}([-*+]|\d+[.)])\s+(.*)$")
CURRENT = (Status.SOURCE, Status.UP_TO_DATE, Status.MACHINE)


@dataclass(frozen=True)
class Item:
    """One top-level list item: the line it starts on and its text."""

    line: int
    text: str


@dataclass(frozen=True)
class TextList:
    """One top-level list of a page."""

    line: int
    numbered: bool
    items: tuple[Item, ...]

    @property
    def kind(self) -> str:
        """Return "numbered" or "bulleted"."""
        return "numbered" if self.numbered else "bulleted"


@dataclass(frozen=True)
class NamedFact:
    """A fact pages state in prose, where it stands and how each language says it."""

    name: str
    page: str
    list: int | None
    item: int | None
    says: dict[str, re.Pattern]


def page_lists(text: str) -> tuple[list[TextList], list[str], int]:
    """Return the page's top-level lists, its lines and the first line of its body (1-based)."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    start = parse_page(text).last_header_line
    lists: list[TextList] = []
    current: list[Item] = []
    numbered = False
    list_line = 0
    blank = False

    def close() -> None:
        nonlocal current
        if current:
            lists.append(TextList(list_line, numbered, tuple(current)))
        current = []

    for index in range(start, len(lines)):
        line = lines[index]
        match = ITEM.match(line)
        if match:
            is_numbered = match.group(1)[0].isdigit()
            if current and (is_numbered != numbered):
                close()
            if not current:
                list_line, numbered = index + 1, is_numbered
            current.append(Item(index + 1, match.group(2)))
            blank = False
        elif not line.strip():
            blank = True
        elif current and (line.startswith(("  ", "\t")) or not blank):
            last = current[-1]
            current[-1] = Item(last.line, f"{last.text} {line.strip()}")
            blank = False
        else:
            close()
            blank = False
    close()
    return lists, lines, start + 1


def load_named_facts(content_root: Path) -> list[NamedFact]:
    """Read ``content/data/facts-in-prose.yaml`` (no file: no named facts)."""
    path = Path(content_root) / FACTS_FILE
    if not path.is_file():
        return []
    shown = display_path(path)
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise PortalError(shown, f"not valid YAML: {error}", line) from None
    facts = []
    for name, spec in data.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("says"), dict):
            raise PortalError(shown, f"{name}: give page, says (and optionally list, item)")
        unknown = set(spec) - {"page", "list", "item", "says"}
        if unknown:
            raise PortalError(shown, f"{name}: unknown key {sorted(unknown)[0]!r}; remove it")
        says = {}
        for lang, expression in spec["says"].items():
            try:
                says[str(lang)] = re.compile(str(expression), re.IGNORECASE)
            except re.error as error:
                raise PortalError(
                    shown, f"{name}: {lang}: not a regular expression ({error}); correct it"
                ) from None
        facts.append(
            NamedFact(str(name), str(spec["page"]), spec.get("list"), spec.get("item"), says)
        )
    return facts


def list_problems(file: str, lists: list[TextList], source: str, english: list[TextList]):
    """Return how a translation's lists differ from the English page's."""
    problems = []
    for number, (mine, theirs) in enumerate(zip(lists, english, strict=False), 1):
        where = f"the English page ({source}:{theirs.line})"
        if mine.numbered != theirs.numbered:
            problems.append(
                PortalError(
                    file,
                    f"list {number} is {mine.kind} but {where} is {theirs.kind}; write it as "
                    "the English page does",
                    mine.line,
                )
            )
        elif len(mine.items) != len(theirs.items):
            problems.append(
                PortalError(
                    file,
                    f"list {number} has {len(mine.items)} items but {where} has "
                    f"{len(theirs.items)}; translate item for item, in the same order",
                    mine.line,
                )
            )
    if len(lists) != len(english):
        line = lists[len(english)].line if len(lists) > len(english) else None
        problems.append(
            PortalError(
                file,
                f"the page has {len(lists)} lists but the English page ({source}) has "
                f"{len(english)}; translate list for list",
                line,
            )
        )
    return problems


def fact_problem(fact: NamedFact, file: str, lang: str, text: str) -> PortalError | None:
    """Return the problem of a page in `lang` that does not state `fact`, if it does not."""
    pattern = fact.says.get(lang)
    if pattern is None:
        return None
    lists, lines, body_line = page_lists(text)
    told = "content/data/facts-in-prose.yaml says how each language states it"
    named = fact.name.replace("-", " ")
    if fact.list is None:
        body = "\n".join(lines[body_line - 1 :])
        if pattern.search(body):
            return None
        return PortalError(
            file,
            f"the page does not state the {named} (text matching {pattern.pattern!r}); "
            f"restore it as the English page has it ({told})",
            body_line,
        )
    if fact.list > len(lists) or (fact.item or 1) > len(lists[fact.list - 1].items):
        return PortalError(
            file,
            f"the {named} belongs in list {fact.list}, item {fact.item or 1}, which the "
            f"page does not have; restore the list as the English page has it ({told})",
            lists[-1].line if lists else body_line,
        )
    chosen = lists[fact.list - 1]
    items = chosen.items if fact.item is None else (chosen.items[fact.item - 1],)
    if any(pattern.search(item.text) for item in items):
        return None
    where = f"list {fact.list}" + (f", item {fact.item}" if fact.item else "")
    return PortalError(
        file,
        f"{where} does not state the {named} (text matching {pattern.pattern!r}); "
        f"restore it as the English page has it ({told})",
        items[0].line,
    )


def check_prose(tree, report, content_root: Path) -> list[PortalError]:
    """Return every list and named-fact problem of the tree's pages (see the module docs)."""
    facts = load_named_facts(content_root)
    problems: list[PortalError] = []
    texts: dict[tuple[str, str], tuple[str, str]] = {}
    for path in tree.paths():
        source = tree.get(path, tree.source_lang)
        source_file = display_path(source.page.source_path)
        english_text = Path(source.page.source_path).read_text(encoding="utf-8")
        english, _, _ = page_lists(english_text)
        for variant in tree.real_variants(path):
            if report.entry(path, variant.lang).status not in CURRENT:
                continue
            file = display_path(variant.page.source_path)
            if variant.lang == tree.source_lang:
                text = english_text
            else:
                text = Path(variant.page.source_path).read_text(encoding="utf-8")
                problems += list_problems(file, page_lists(text)[0], source_file, english)
            texts[(path, variant.lang)] = (file, text)
    for fact in facts:
        for lang in tree.languages:
            if (fact.page, lang) in texts:
                file, text = texts[(fact.page, lang)]
                problem = fact_problem(fact, file, lang, text)
                if problem is not None:
                    problems.append(problem)
    return problems
