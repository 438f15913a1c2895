"""Run the quality gates over a built site: ``python -m portal.checks [OUTPUT]`` (``make check``).

Checks: html (Nu Html Checker), links, policy (CSP: no inline script or style, no foreign
assets), hreflang, feeds (RSS, Atom, iCalendar) and accessibility (axe-core in Chromium). Every
problem is printed as ``file:line: what is wrong (what to do)``; the exit status is 1 if there is
any, 2 if the folder cannot be checked at all. A problem the links and policy checks find in the
part of a page made from Markdown names the Markdown file and its line first (``--content``
says where the site's content is: by default ./content), and the built file after it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import accessibility, feeds, hreflang, html_validity, links, page_policy
from .report import Problem, grouped
from .site import BuiltSite

Check = Callable[[BuiltSite], tuple[list[Problem], str]]
CHECKS: dict[str, Check] = {
    "html": html_validity.check,
    "links": links.check,
    "policy": page_policy.check,
    "hreflang": hreflang.check,
    "feeds": feeds.check,
    "accessibility": accessibility.check,
}
#: How many problems of one check are printed; the rest are counted.
SHOWN_PER_CHECK = 100


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m portal.checks", description=__doc__)
    parser.add_argument("output", nargs="?", default="output", help="the built site's folder")
    parser.add_argument(
        "--site-url",
        help="the site's public address (default: read from the root page's canonical link)",
    )
    parser.add_argument(
        "--content",
        help="the content folder the site was built from (default: ./content if it exists)",
    )
    parser.add_argument("--only", help="comma-separated checks to run: " + ", ".join(CHECKS))
    parser.add_argument("--skip", help="comma-separated checks to leave out")
    parser.add_argument(
        "--all-pages",
        action="store_true",
        help="run axe on every page (but the editor's), not a sample",
    )
    parser.add_argument(
        "--axe-page",
        action="append",
        metavar="FILE",
        help="run axe on this page (relative to OUTPUT) instead of the sample; repeatable",
    )
    return parser.parse_args(argv)


def selected(args: argparse.Namespace) -> list[str]:
    """Return the names of the checks to run, in order."""
    names = list(CHECKS)
    for option in (args.only, args.skip):
        for name in (option or "").split(","):
            if name and name not in CHECKS:
                raise SystemExit(f"unknown check {name!r}; known: {', '.join(CHECKS)}")
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    if args.skip:
        names = [n for n in names if n not in args.skip.split(",")]
    return names


def timed(check: Check, site: BuiltSite) -> tuple[list[Problem], str, float]:
    """Run one check and measure it."""
    start = time.monotonic()
    problems, summary = check(site)
    return problems, summary, time.monotonic() - start


def run(argv: list[str] | None = None, stream=None) -> int:
    """Run the checks; print problems and a summary; return the exit status."""
    stream = stream or sys.stdout
    args = parse_arguments(argv)
    root = Path(args.output)
    if not (root / "index.html").is_file():
        print(f"{root}: no built site here (no index.html); run `make html` first", file=stream)
        return 2
    content = Path(args.content) if args.content else Path("content")
    if args.content and not content.is_dir():
        print(f"{content}: no such content folder", file=stream)
        return 2
    site = BuiltSite(root, args.site_url, content if content.is_dir() else None)
    names = selected(args)
    checks = dict(CHECKS)
    if args.all_pages or args.axe_page:
        pages = accessibility.portal_pages(site) if args.all_pages else args.axe_page
        checks["accessibility"] = lambda s: accessibility.check(s, pages=pages)
    results: dict[str, tuple[list[Problem], str, float]] = {}
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=1) as background:
        # the Nu Html Checker is a Java process: let it run while Python checks the rest
        html = background.submit(timed, checks["html"], site) if "html" in names else None
        for name in names:
            if name != "html":
                results[name] = timed(checks[name], site)
        if html is not None:
            results["html"] = html.result()

    total = 0
    for name in names:
        problems = grouped(results[name][0])
        total += len(problems)
        for problem, also in problems[:SHOWN_PER_CHECK]:
            print(problem.format(root, also), file=stream)
        if len(problems) > SHOWN_PER_CHECK:
            hidden = len(problems) - SHOWN_PER_CHECK
            print(f"... and {hidden} more {name} problems", file=stream)
    print(file=stream)
    for name in names:
        problems, summary, seconds = results[name]
        state = f"{len(grouped(problems))} problems" if problems else "ok"
        print(f"{name:>13}: {state:<12} {summary} ({seconds:.1f} s)", file=stream)
    elapsed = time.monotonic() - started
    files = len(site.files)
    if total:
        print(f"checks: {total} problems in {root} ({files} files, {elapsed:.1f} s)", file=stream)
        return 1
    passed = "every check" if names == list(CHECKS) else f"the checks run ({', '.join(names)})"
    print(f"checks: {root} passed {passed} ({files} files, {elapsed:.1f} s)", file=stream)
    return 0


if __name__ == "__main__":
    sys.exit(run())
