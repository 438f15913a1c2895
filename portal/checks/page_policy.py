"""Pages keep the site's strict Content-Security-Policy (``default-src 'self'``) true.

No inline script, no <style> element, no style= or on...= attribute, no javascript: URL, and no
asset (stylesheet, script, image, media, font, frame) loaded from another origin, in pages or
stylesheets. The policy allows ``data:`` images (``img-src 'self' data:``), nothing else from
``data:``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .report import Problem
from .site import BuiltSite
from .sources import markdown_part

NAME = "policy"
#: <script type> values that run (anything else is a data block, which never runs).
SCRIPT_TYPES = {
    "", "module", "importmap", "speculationrules", "text/javascript", "application/javascript",
    "application/ecmascript", "text/ecmascript", "application/x-javascript",
    "application/x-ecmascript", "text/jscript", "text/livescript", "text/x-javascript",
    "text/x-ecmascript",
}  # fmt: skip
#: (element, attribute) pairs that load something into the page.
ASSET_ATTRIBUTES = {
    ("script", "src"), ("img", "src"), ("img", "srcset"), ("source", "src"),
    ("source", "srcset"), ("video", "src"), ("video", "poster"), ("audio", "src"),
    ("track", "src"), ("iframe", "src"), ("frame", "src"), ("embed", "src"),
    ("object", "data"), ("input", "src"), ("use", "href"), ("use", "xlink:href"),
    ("image", "href"), ("image", "xlink:href"),
}  # fmt: skip
#: <link rel> values whose target the browser fetches by itself.
FETCHED_LINK_RELS = {
    "stylesheet", "icon", "shortcut", "apple-touch-icon", "mask-icon", "manifest", "preload",
    "modulepreload", "prefetch", "preconnect", "dns-prefetch", "prerender",
}  # fmt: skip
SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript)\s*:", re.IGNORECASE)
CSS_REFERENCE = re.compile(
    r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE
)
TEMPLATES = "in theme/templates/"
REMOVE = "remove it from the page's Markdown text"
#: What to do about each kind of problem: (in the page's Markdown part, in a template).
FIX_SCRIPT = (
    f"content runs no scripts; {REMOVE}",
    f"move it to a file under theme/static/; {TEMPLATES}",
)
FIX_STYLE_ELEMENT = (
    f"styles belong in theme/static/css/; {REMOVE}",
    f"move the rules to theme/static/css/; {TEMPLATES}",
)
FIX_STYLE = (
    f"styles belong in theme/static/css/; {REMOVE}",
    f"move it to theme/static/css/; {TEMPLATES}",
)
FIX_HANDLER = (f"no inline script; {REMOVE}", f"no inline script; {TEMPLATES}")
FIX_URL = (REMOVE, TEMPLATES)
FIX_ASSET = (
    "copy it under theme/static/ and change the page's Markdown text to use that copy",
    f"copy it under theme/static/; {TEMPLATES}",
)


def blocked_data_url(url: str) -> bool:
    """Tell whether a URL is a data: URL other than an image (the CSP allows data: images)."""
    url = url.strip().lower()
    return url.startswith("data:") and not url.startswith("data:image/")


def foreign(site: BuiltSite, url: str, name: str) -> bool:
    """Tell whether a URL found in file `name` points at another origin."""
    url = url.strip()
    if not url or url.startswith("#"):
        return False
    absolute = site.absolute(url, name)
    return site.internal_path(absolute) is None and urlsplit(absolute).scheme not in ("", "data")


def page_problems(site: BuiltSite, name: str) -> list[Problem]:
    """Return the policy problems of one HTML page.

    A problem in the page's Markdown part names the Markdown file and says to fix the text;
    one in the rest of the page says to fix the templates.
    """
    problems = []

    def add(element, what: str, fix: tuple[str, str], needle: str, attribute: str | None) -> None:
        """Record `what` is wrong with `element`; `fix` is (in Markdown, in a template)."""
        source = site.source_of(name, element, needle, attribute)
        in_markdown = source is not None or markdown_part(element) is not None
        message = f"{what} ({fix[0] if in_markdown else fix[1]})"
        problems.append(Problem.found(name, element.sourceline, message, NAME, source))

    for element in site.document(name).iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        runs = (element.get("type") or "").strip().lower() in SCRIPT_TYPES
        if tag == "script" and element.get("src") is None and runs:
            add(element, "inline <script>", FIX_SCRIPT, "<script", None)
        if tag == "style":
            add(element, "<style> element", FIX_STYLE_ELEMENT, "<style", None)
        for attribute, value in element.attrib.items():
            attribute = attribute.lower()
            if attribute.startswith("on"):
                what = f"event-handler attribute {attribute}= on <{tag}>"
                add(element, what, FIX_HANDLER, f"{attribute}=", attribute)
            elif attribute == "style":
                add(element, f"style= attribute on <{tag}>", FIX_STYLE, "style=", attribute)
            elif SCRIPT_URL.match(value or ""):
                what = f"{attribute}= on <{tag}> holds a script URL ({value[:40]!r})"
                add(element, what, FIX_URL, value.strip(), attribute)
        rels = set((element.get("rel") or "").lower().split())
        loads = [
            attribute
            for (element_tag, attribute) in ASSET_ATTRIBUTES
            if element_tag == tag and element.get(attribute)
        ]
        if tag == "link" and rels & FETCHED_LINK_RELS and element.get("href"):
            loads.append("href")
        for attribute in loads:
            value = element.get(attribute)
            urls = [c.split()[0] for c in value.split(",") if c.strip()]
            if "srcset" not in attribute:
                urls = [value]
            for url in urls:
                if foreign(site, url, name):
                    what = (
                        f"<{tag}> loads {url.strip()!r} from another origin; every asset must "
                        "be self-hosted"
                    )
                    add(element, what, FIX_ASSET, url.strip(), attribute)
                elif blocked_data_url(url):
                    what = f"<{tag}> uses a data: URL other than an image (CSP blocks it)"
                    add(element, what, FIX_URL, url.strip()[:40], attribute)
    return problems


def stylesheet_problems(site: BuiltSite, name: str) -> list[Problem]:
    """Return the policy problems of one stylesheet."""
    problems = []
    text = site.text(name)
    for match in CSS_REFERENCE.finditer(text):
        reference = match.group(2) if match.group(2) is not None else match.group(4)
        line = text.count("\n", 0, match.start()) + 1
        if blocked_data_url(reference):
            problems.append(
                Problem(name, line, "data: URL that is not an image (the CSP blocks it)", NAME)
            )
        elif foreign(site, reference, name):
            problems.append(
                Problem(
                    name,
                    line,
                    f"loads {reference!r} from another origin; every asset must be self-hosted",
                    NAME,
                )
            )
    return problems


def check(site: BuiltSite) -> tuple[list[Problem], str]:
    """Check every page and stylesheet against the content security policy."""
    problems = []
    for name in site.html_files:
        problems.extend(page_problems(site, name))
    for name in site.with_suffix(".css"):
        problems.extend(stylesheet_problems(site, name))
    sheets = len(site.with_suffix(".css"))
    return problems, f"{len(site.html_files)} pages and {sheets} stylesheets"
