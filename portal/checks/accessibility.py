"""axe-core in Chromium: no WCAG 2.0/2.1 A or AA violation on a page of every template and language.

Pages are sampled: one per (language, template, fallback or not), the template read from the
``template-...`` class every page's ``<body>`` carries. ``--all-pages`` checks every page,
``--axe-page FILE`` the named ones. The browser editor's page (/admin/, built when Decap CMS is
installed) is not one of them: its interface is Decap's, drawn by Decap's script, for the
editors who sign in to it, and not made by the portal's templates.
Pages are served to the browser from the output folder through Playwright's request routing, at
the site's own address (so absolute links work); requests to any other origin are blocked.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from serving.policy import EDITOR_PREFIX

from .report import Problem, line_of
from .site import BuiltSite

NAME = "accessibility"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]


def chromium_path() -> str | None:
    """Return Chromium's executable: $CHROMIUM, `chromium` on the PATH, or /usr/bin/chromium."""
    candidates = [os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"]
    return next((c for c in candidates if c and Path(c).exists()), None)


def template_of(site: BuiltSite, name: str) -> str:
    """Return the template that made a page, from its <body class="template-...">."""
    body = site.document(name).find("body")
    classes = (body.get("class") or "").split() if body is not None else []
    return next((c.removeprefix("template-") for c in classes if c.startswith("template-")), "")


def portal_pages(site: BuiltSite) -> list[str]:
    """Return the site's HTML pages but the browser editor's (below EDITOR_PREFIX)."""
    return [name for name in site.html_files if not site.url_of(name).startswith(EDITOR_PREFIX)]


def sample(site: BuiltSite) -> list[str]:
    """Return one page for each language, template and kind (real page or fallback)."""
    chosen: dict[tuple[str, str, bool], str] = {}
    for name in portal_pages(site):
        fallback = site.canonical(name) not in (None, site.url_of(name))
        key = (site.html_lang(name) or "", template_of(site, name), fallback)
        chosen.setdefault(key, name)
    return sorted(chosen.values())


def line_for(text: str, html: str) -> int | None:
    """Find the line of an element axe reports, by the start of its markup."""
    opening = html.split(">", 1)[0] + ">"
    for candidate in (opening, opening[:60], opening[:30]):
        line = line_of(text, candidate)
        if line:
            return line
    return None


def load(page, expected: dict, seconds: float = 30) -> None:
    """Open a page and wait until it has loaded, or until it tried to leave (then check it).

    A page that navigates away while loading (a redirect by script or meta refresh) never
    fires its load event once that navigation is blocked; its document is checked as it is.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(expected["url"], wait_until="commit", timeout=seconds * 1000)
    deadline = time.monotonic() + seconds
    while True:
        try:
            page.wait_for_load_state("load", timeout=500)
            return
        except PlaywrightTimeout:
            if expected["blocked"]:
                page.wait_for_timeout(500)  # let the stylesheets that were asked for arrive
                return
            if time.monotonic() > deadline:
                raise


def violations(site: BuiltSite, names: list[str]) -> list[Problem]:
    """Run axe on each page; return one problem per failing element."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        return [Problem("", None, "Chromium is not installed (run `make system-deps`)", NAME)]

    expected = {"url": "", "blocked": False}

    def serve(route) -> None:
        internal = site.internal_path(route.request.url)
        if internal is None:
            route.abort("blockedbyclient")
            return
        if route.request.is_navigation_request() and route.request.url != expected["url"]:
            # a page that sends the browser on (<meta http-equiv="refresh">, a script) is checked
            # itself, not its target
            expected["blocked"] = True
            route.abort("aborted")
            return
        target, _why = site.file_for(internal[0])
        if target is None:
            route.fulfill(status=404, body="not found")
        else:
            route.fulfill(path=str(site.root / target))

    problems = []
    axe = Axe()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            page.route("**/*", serve)
            for name in names:
                expected.update(url=site.base + site.url_of(name), blocked=False)
                try:
                    load(page, expected)
                    results = axe.run(page, options=AXE_OPTIONS).response
                except PlaywrightError as error:
                    message = str(error).splitlines()[0]
                    problems.append(Problem(name, None, f"axe could not run: {message}", NAME))
                    continue
                for violation in results.get("violations", []):
                    for node in violation.get("nodes", []):
                        target = " ".join(str(t) for t in node.get("target", []))
                        summary = (node.get("failureSummary") or "").splitlines()
                        detail = summary[1].strip() if len(summary) > 1 else ""
                        problems.append(
                            Problem(
                                name,
                                line_for(site.text(name), node.get("html", "")),
                                f"accessibility: {violation['help']} [{violation['id']}, "
                                f"{violation.get('impact')}] at {target}"
                                + (f": {detail}" if detail else "")
                                + f" (see {violation.get('helpUrl', '').split('?')[0]})",
                                NAME,
                            )
                        )
        finally:
            browser.close()
    return problems


def check(site: BuiltSite, pages: list[str] | None = None) -> tuple[list[Problem], str]:
    """Run axe on a sample of pages (or on the given ones)."""
    names = list(pages) if pages is not None else sample(site)
    languages = {site.html_lang(name) for name in names}
    templates = {template_of(site, name) for name in names}
    problems = violations(site, names)
    return problems, (
        f"axe on {len(names)} pages ({len(languages)} languages, {len(templates)} templates)"
    )
