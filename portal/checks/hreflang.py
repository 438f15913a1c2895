"""The hreflang graph: every version lists every version, itself and x-default, and nothing else.

For every page with ``<link rel="alternate" hreflang>`` links:

- the page lists itself, and ``x-default``;
- each language version it lists exists, says ``<html lang>`` of that language, is its own
  canonical page (not an English fallback pointing elsewhere), and lists exactly the same
  versions (which makes the graph reciprocal);
- no language is listed twice.

Every page says ``<html lang>``; a page in a language folder (``/fi/...``) says that language.
"""

from __future__ import annotations

import re

from portal_core.languages import EU_LANGUAGES

from .report import Problem
from .site import BuiltSite

NAME = "hreflang"
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
FIX = "fix the hreflang links in theme/templates/base.html or the page tree"


def alternates(site: BuiltSite, name: str) -> list[tuple[str, str | None, int | None]]:
    """Return a page's (hreflang, internal path or None, line) alternate links, in order."""
    found = []
    for link in site.document(name).xpath('//head/link[@rel="alternate"][@hreflang]'):
        internal = site.internal_path(site.absolute((link.get("href") or "").strip(), name))
        found.append((link.get("hreflang"), internal[0] if internal else None, link.sourceline))
    return found


def language_problems(site: BuiltSite, name: str) -> list[Problem]:
    """Check a page's <html lang> against its language folder."""
    lang = site.html_lang(name)
    folder = name.split("/", 1)[0] if "/" in name else None
    if not lang:
        return [Problem(name, 1, "<html> has no lang attribute (fix the template)", NAME)]
    if not LANGUAGE_TAG.match(lang):
        return [Problem(name, 1, f'<html lang="{lang}"> is not a language tag', NAME)]
    if folder in EU_LANGUAGES and lang != folder:
        return [
            Problem(
                name,
                1,
                f'<html lang="{lang}"> in the {folder}/ folder; a page in {folder}/ must say '
                f'lang="{folder}" (mark foreign-language text inside it with its own lang)',
                NAME,
            )
        ]
    return []


def graph_problems(site: BuiltSite, name: str, graph: dict) -> list[Problem]:
    """Check one page's alternate links against the rest of the graph."""
    links = graph[name]
    if not links:
        return []
    problems = []
    here = site.url_of(name)

    def add(line: int | None, message: str) -> None:
        problems.append(Problem(name, line, f"{message} ({FIX})", NAME))

    codes = [code for code, _path, _line in links]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        add(None, f"hreflang {code!r} is listed more than once")
    mapping = {code: path for code, path, _line in links}
    if "x-default" not in mapping:
        add(links[0][2], "the alternates have no hreflang x-default")
    if here not in mapping.values():
        add(links[0][2], f"the alternates do not list the page itself ({here})")
    for code, path, line in links:
        if code != "x-default" and not LANGUAGE_TAG.match(code or ""):
            add(line, f"hreflang {code!r} is not a language tag")
            continue
        if path is None:
            add(line, f"hreflang {code} points outside the site")
            continue
        target, _why = site.file_for(path)
        if target is None:
            continue  # reported as a broken link
        if code == "x-default":
            continue
        if site.html_lang(target) != code:
            said = site.html_lang(target)
            add(line, f'hreflang {code} points at {path}, whose <html lang> is "{said}"')
        canonical = site.canonical(target)
        if canonical is not None and canonical != path:
            add(
                line,
                f"hreflang {code} points at {path}, a fallback page whose canonical is "
                f"{canonical}; list only real translations",
            )
            continue
        theirs = {c: p for c, p, _l in graph.get(target, [])}
        if theirs != mapping:
            missing = sorted(c for c in mapping if theirs.get(c) != mapping[c])
            extra = sorted(c for c in theirs if c not in mapping)
            detail = []
            if missing:
                detail.append(f"lacks or differs on {', '.join(missing)}")
            if extra:
                detail.append(f"adds {', '.join(extra)}")
            add(
                line,
                f"hreflang {code} points at {path}, which does not list the same versions "
                f"({'; '.join(detail)}); every version must list every version",
            )
    return problems


def check(site: BuiltSite) -> tuple[list[Problem], str]:
    """Check the language of every page and the hreflang graph."""
    graph = {name: alternates(site, name) for name in site.html_files}
    problems = []
    for name in site.html_files:
        problems.extend(language_problems(site, name))
        problems.extend(graph_problems(site, name, graph))
    linked = sum(1 for links in graph.values() if links)
    return problems, f"{linked} pages with language alternates"
