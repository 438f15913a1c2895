"""Raw HTML in pages, read as a browser reads it and held against an allow-list.

Python-Markdown passes raw HTML through unchanged into the page, so the policy must see that HTML
exactly as a browser will. It is parsed with lexbor (through selectolax), an implementation of
the WHATWG HTML parsing algorithm, inside a skeleton of the page it is written into (``<html>``,
``<body>``, ``<main>``, ``<article>``, ``<div class="page-body">``): parsing it as a fragment
would drop a ``<body onload=...>`` that a real page merges into its own ``<body>``. A marker
element after the content shows whether the content leaves the parser inside an unfinished tag,
attribute value or comment, which would swallow the rest of the real page.

Then everything is compared with what is allowed, and anything else is a finding:

- elements: ``ALLOWED_ELEMENTS`` (text, lists, tables, headings, figures, links, images);
- attributes: ``GLOBAL_ATTRIBUTES`` on any of them, plus the element's own;
- URLs, resolved with ada (a WHATWG URL parser) against the page's own address, so that entity
  references, control characters and spaces around it, tabs and newlines inside it, backslashes
  and the scheme's case mean what they mean to a browser: links (``href``, ``cite``) use
  ``LINK_SCHEMES``; images (``src``) come from the site's own origin;
- characters that hide what text says (``FORBIDDEN_CHARACTERS``), written as references.

Each finding carries regular expressions that find it in the Markdown source, for its line.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass

from ada_url import URL
from selectolax.lexbor import LexborHTMLParser

from .page_text import describe_character, first_forbidden

#: The address a fragment is judged at when the caller has no page (feeds, unit tests).
DEFAULT_PAGE_URL = "https://site.invalid/page/"

#: Attributes any allowed element may carry.
GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "translate"})
_CITED = frozenset({"cite"})
_CELL = frozenset({"colspan", "rowspan", "headers"})
#: Elements content may use, each with the attributes of its own it may carry.
ALLOWED_ELEMENTS: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        (
            "p", "div", "span", "br", "hr", "wbr", "h1", "h2", "h3", "h4", "h5", "h6",
            "em", "strong", "b", "i", "u", "s", "small", "mark", "abbr", "dfn", "cite",
            "code", "kbd", "samp", "var", "sub", "sup", "pre", "ul", "dl", "dt", "dd",
            "table", "caption", "thead", "tbody", "tfoot", "tr", "figure", "figcaption",
            "summary",
        ),
        frozenset(),
    ),
    "a": frozenset({"href", "hreflang"}),
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "td": _CELL,
    "th": _CELL | {"scope", "abbr"},
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "blockquote": _CITED,
    "q": _CITED,
    "del": _CITED | {"datetime"},
    "ins": _CITED | {"datetime"},
    "time": frozenset({"datetime"}),
    "details": frozenset({"open"}),
}  # fmt: skip
#: Attributes holding a link the reader may follow.
LINK_ATTRIBUTES = frozenset({("a", "href"), ("blockquote", "cite"), ("q", "cite"),
                             ("del", "cite"), ("ins", "cite")})  # fmt: skip
#: Attributes holding something the browser loads into the page.
ASSET_ATTRIBUTES = frozenset({("img", "src")})
LINK_SCHEMES = ("http:", "https:", "mailto:", "tel:")

NO_SCRIPT = ("content runs no scripts", "remove it")
NO_STYLE = ("styles belong in theme/static/css/, not in content", "remove it")
NO_EMBED = ("content embeds nothing from other pages or sites", "link to it instead")
NO_FORM = ("a static site cannot receive forms", "link to the form instead")
NO_PAGE = ("the page's own <html>, <head> and <body> belong to the theme", "remove it")
#: Why well-known elements are refused, and what to do instead.
REFUSED_ELEMENTS = {
    "script": NO_SCRIPT,
    "noscript": NO_SCRIPT,
    "template": NO_SCRIPT,
    "style": NO_STYLE,
    "link": ("content loads no stylesheets or other resources", "remove it"),
    "meta": ("page metadata goes in `Key: value` lines at the top of the file", "move it there"),
    "base": ("content cannot change the page's base address", "remove it"),
    "title": ("the page's title is its `Title:` line", "remove it"),
    "iframe": NO_EMBED,
    "frame": NO_EMBED,
    "frameset": NO_EMBED,
    "object": NO_EMBED,
    "embed": NO_EMBED,
    "applet": NO_EMBED,
    "video": NO_EMBED,
    "audio": NO_EMBED,
    "picture": ("images are written ![what it shows](/path/to/image.png)", "use one image"),
    "svg": ("inline SVG can run script and load things", "store it as an .svg file and use <img>"),
    "math": ("MathML is not among the allowed elements", "write the formula as text or an image"),
    "form": NO_FORM,
    "input": NO_FORM,
    "button": NO_FORM,
    "select": NO_FORM,
    "textarea": NO_FORM,
    "html": NO_PAGE,
    "head": NO_PAGE,
    "body": NO_PAGE,
}
#: Why well-known attributes are refused, and what to do instead.
REFUSED_ATTRIBUTES = {
    "style": NO_STYLE,
    "srcdoc": NO_EMBED,
    "formaction": NO_FORM,
    "srcset": ("an image has one file", "use src= with an image stored in the site"),
    "ping": ("a link sends nothing to anyone when it is followed", "remove it"),
}
#: Markdown writes a table column's alignment (``|:---|``) as this style attribute.
ALIGNMENT_STYLE = re.compile(r"^text-align: (left|right|center);$")

PAGE_START = (
    "<!DOCTYPE html><html><head><title>page</title></head>"
    '<body><main><article><div class="page-body">'
)
PAGE_END = "</div></article></main></body></html>"
SKELETON_TAGS = ("main", "article", "div")
#: What the skeleton's <head> holds when content has not changed it.
SKELETON_HEAD = "<head><title>page</title></head>"

ALLOWED_LIST = "see README.md, 'Writing content', for the elements and attributes content may use"


@dataclass(frozen=True)
class Finding:
    """One thing the policy refuses in a page's HTML, and how to find it in the source."""

    message: str
    needles: tuple[str, ...]  # regular expressions that find it in the Markdown source, in turn
    kind: str = "html"  # "character": an invisible character in the text or a value


def shown(value: str, limit: int = 60) -> str:
    """Return `value` quoted for a message: invisible characters escaped, long values cut."""
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


def tag_needles(tag: str) -> tuple[str, ...]:
    """Return patterns that find a start tag in the source."""
    return (rf"<\s*{re.escape(tag)}(?![\w-])",)


def attribute_needles(tag: str, name: str) -> tuple[str, ...]:
    """Return patterns that find an attribute in the source (raw HTML or Markdown's {: })."""
    named = re.escape(name)
    return (
        rf"<\s*{re.escape(tag)}(?![\w-])[^>]*?(?<![\w-]){named}\s*=",
        rf"(?<![\w-]){named}\s*=",
        rf"<[^>]*(?<![\w-]){named}(?![\w-])",
    )


def value_needles(tag: str, name: str, value: str) -> tuple[str, ...]:
    """Return patterns that find an attribute value in the source, as written or encoded."""
    needles = []
    written = value.strip()
    if written:
        needles.append(re.escape(written[:80]))
    letters = [c for c in value if c.isalnum()][:12]
    if letters:
        # the same letters with anything between them: spaces, controls, character references
        needles.append(r"(?:[^\w\n&]|&#?\w{1,8};?)*?".join(re.escape(c) for c in letters))
    return (*needles, *attribute_needles(tag, name))


def reference_needles(character: str) -> tuple[str, ...]:
    """Return patterns that find a character written as a character reference."""
    code = ord(character)
    return (rf"&#(?:[xX]0*{code:x}|0*{code});?", r"&#")


class PolicyCheck:
    """Walk one parsed page and collect the findings of the content in it."""

    def __init__(self, page_url: str) -> None:
        self.page_url = page_url
        self.end_marker = ""
        self.findings: list[Finding] = []

    def add(self, message: str, needles: tuple[str, ...], kind: str = "html") -> None:
        """Record one finding."""
        self.findings.append(Finding(message, needles, kind))

    def check(self, html: str) -> list[Finding]:
        """Return the findings of one HTML fragment."""
        document, self.end_marker = parse_in_page(html)
        skeleton = self.check_skeleton(document)
        refused: set[int] = set()
        finished = False
        for node in document.root.traverse(include_text=True):
            if node.mem_id in skeleton:
                continue
            parent = node.parent
            if parent is not None and parent.mem_id in refused:
                refused.add(node.mem_id)  # inside a refused element: reported with it
                continue
            if node.is_text_node:
                self.check_text(node.text_content or "")
            elif node.is_element_node:
                attributes = node.attributes
                if node.tag == "p" and attributes == {self.end_marker: None}:
                    finished = True
                elif not self.check_element(node.tag, attributes):
                    refused.add(node.mem_id)
        if not finished:
            start = unfinished_start(html)
            snippet = html[start:].split("\n", 1)[0][:60]
            self.add(
                f"the HTML at the end of the text is unfinished: {shown(snippet)} (a tag, "
                "attribute value or comment) is not closed and would swallow the rest of the "
                "page; close it",
                (re.escape(snippet), r"<(?![\s\S]*<)"),
            )
        return self.findings

    def check_skeleton(self, document: LexborHTMLParser) -> set[int]:
        """Return the skeleton's nodes; report content that changed <html>, <head> or <body>."""
        root, head, body = document.root, document.head, document.body
        nodes = {root.mem_id, head.mem_id, body.mem_id}
        nodes.update(node.mem_id for node in head.traverse(include_text=True))
        for tag, node in (("html", root), ("body", body)):
            if node.attributes:
                why, fix = NO_PAGE
                self.add(f"raw HTML <{tag}> is not allowed ({why}); {fix}", tag_needles(tag))
        if head.html != SKELETON_HEAD:
            why, fix = NO_PAGE
            self.add(f"raw HTML <head> is not allowed ({why}); {fix}", tag_needles("head"))
        node = body.child
        for tag in SKELETON_TAGS:
            if node is None or node.tag != tag:
                break
            nodes.add(node.mem_id)
            node = node.child
        return nodes

    def check_text(self, text: str) -> None:
        """Refuse invisible characters in text or a value (in pages, written as references)."""
        found = first_forbidden(text)
        if found is not None:
            self.add(
                f"invisible character {describe_character(found)} is not allowed (it changes "
                "how the text displays or hides part of it); remove it, or the character "
                f"reference that writes it (&#x{ord(found):x};)",
                reference_needles(found),
                "character",
            )

    def check_element(self, tag: str, attributes: dict[str, str | None]) -> bool:
        """Check one element and its attributes; return False when the element is refused."""
        allowed = ALLOWED_ELEMENTS.get(tag)
        if allowed is None:
            why, fix = REFUSED_ELEMENTS.get(tag, (ALLOWED_LIST, "remove it"))
            self.add(f"raw HTML <{tag}> is not allowed ({why}); {fix}", tag_needles(tag))
            return False
        for name, value in attributes.items():
            if name == self.end_marker:
                continue  # the marker, swallowed by an unfinished tag: reported as such
            if name not in allowed and name not in GLOBAL_ATTRIBUTES:
                self.refuse_attribute(tag, name, value or "", allowed)
                continue
            if value and first_forbidden(value) is not None:
                self.check_text(value)
            if (tag, name) in LINK_ATTRIBUTES:
                self.check_link(tag, name, value or "")
            elif (tag, name) in ASSET_ATTRIBUTES:
                self.check_asset(tag, name, value or "")
        if tag == "img" and not (attributes.get("alt") or "").strip():
            source = attributes.get("src") or ""
            self.add(
                f"image {posixpath.basename(source) or shown(source)} has no alternative text; "
                "write what it shows between its square brackets: "
                "![what the image shows](...)",
                value_needles(tag, "src", source) if source else tag_needles(tag),
            )
        return True

    def refuse_attribute(self, tag: str, name: str, value: str, allowed: frozenset[str]) -> None:
        """Report an attribute that is not on the element's list."""
        if any(c in name for c in "<\"'"):
            self.add(
                f"the tag <{tag}> is not closed before {shown(name)}, which became one of its "
                "attributes; add the missing > or quote",
                (rf"<\s*{re.escape(tag)}(?![\w-])[^>]*?{re.escape(name[:1])}",),
            )
        elif name.startswith("on"):
            why, fix = NO_SCRIPT
            message = f"event-handler attribute {name}= on <{tag}> is not allowed ({why}); {fix}"
            self.add(message, attribute_needles(tag, name))
        elif name == "style" and tag in ("th", "td") and ALIGNMENT_STYLE.match(value):
            self.add(
                f"attribute style= on <{tag}> is not allowed ({NO_STYLE[0]}); Markdown writes "
                "a table column's alignment (`:---`, `---:`, `:---:`) that way: remove the colons "
                "from the line under the table's header",
                (r"^\s*\|?\s*:?-+:?\s*\|.*:", *attribute_needles(tag, name)),
            )
        elif name in REFUSED_ATTRIBUTES:
            why, fix = REFUSED_ATTRIBUTES[name]
            message = f"attribute {name}= on <{tag}> is not allowed ({why}); {fix}"
            self.add(message, attribute_needles(tag, name))
        else:
            own = ", ".join(sorted(allowed | GLOBAL_ATTRIBUTES))
            self.add(
                f"attribute {name}= on <{tag}> is not allowed (<{tag}> may carry {own}); remove it",
                attribute_needles(tag, name),
            )

    def resolve(self, tag: str, name: str, value: str, base: str = "") -> URL | None:
        """Return the URL a browser makes of an attribute value, or report it as invalid."""
        try:
            return URL(value, base or self.page_url)
        except ValueError:
            self.add(
                f"{name}= on <{tag}> is not a valid address ({shown(value)}); correct it",
                value_needles(tag, name, value),
            )
            return None

    def reads_as(self, value: str, url: URL) -> str:
        """Say how a browser reads a value that does not show its meaning plainly."""
        plain = value.strip(" ").lower()
        special = url.protocol in ("http:", "https:")
        if plain == url.href.lower() or plain.startswith(url.protocol + ("//" if special else "")):
            return ""
        return f"; a browser reads {shown(value)} as {shown(url.href)}"

    def check_link(self, tag: str, name: str, value: str) -> None:
        """Allow links to web pages, e-mail addresses and telephone numbers."""
        url = self.resolve(tag, name, value)
        if url is None or url.protocol in LINK_SCHEMES:
            return
        self.add(
            f"{url.protocol} URL in {name}= on <{tag}> is not allowed (links go to web pages, "
            f"e-mail addresses or telephone numbers{self.reads_as(value, url)}); link to a page "
            "or a file instead",
            value_needles(tag, name, value),
        )

    def check_asset(self, tag: str, name: str, value: str) -> None:
        """Allow images from the site itself only, whether it is served over https or http.

        `make serve` serves the site over http: there ``https:evil.example/x.png`` names
        another website, while over https it is a relative address.
        """
        page = URL(self.page_url)
        other = "http:" if page.protocol == "https:" else "https:"
        for base in (self.page_url, other + self.page_url.split(":", 1)[1]):
            url = self.resolve(tag, name, value, base)
            if url is None:
                return
            if url.protocol not in ("http:", "https:") or url.origin != URL(base).origin:
                break
        else:
            return
        written = shown(value.strip(" \t\n\r\f"))
        store = (
            "every image must be stored in the site itself: put the file in content/media/ "
            "and write ![what it shows]({media}name.png)"
        )
        reads_as = self.reads_as(value, url)
        if reads_as and base != self.page_url:
            reads_as += f" when the site is served over {url_scheme(base)} (as by `make serve`)"
        if url.protocol not in ("http:", "https:"):
            message = f"{url.protocol} URL in {name}= on <{tag}> is not allowed{reads_as}; {store}"
        elif url.host == page.host:
            message = (
                f"<{tag}> names this site by its full address ({written}); write the address "
                "from the site's root instead, e.g. /theme/images/logo.png (the site is also "
                "served at other addresses, such as `make serve`'s)"
            )
        else:
            message = f"<{tag}> loads {written} from another website{reads_as}; {store}"
        self.add(message, value_needles(tag, name, value))


def url_scheme(url: str) -> str:
    """Return the scheme of an absolute URL, without its colon."""
    return url.split(":", 1)[0]


def parse_in_page(html: str) -> tuple[LexborHTMLParser, str]:
    """Parse `html` where a page holds it, with a marker after it; return both.

    The marker's name is a digest of the content, so that the content cannot forge it.
    """
    digest = hashlib.blake2b(html.encode("utf-8", "surrogatepass")).hexdigest()
    marker = f"data-end-{digest}"
    page = f"{PAGE_START}{html}<p {marker}></p>{PAGE_END}"
    return LexborHTMLParser(page, scripting=True), marker


def has_end_marker(document: LexborHTMLParser, marker: str) -> bool:
    """Tell whether the end marker came out of the parse as an element of its own."""
    return any(
        node.tag == "p" and node.attributes == {marker: None}
        for node in document.css(f"[{marker}]")
    )


def unfinished_start(html: str, tries: int = 200) -> int:
    """Return where the construct that leaves `html` unfinished starts (best effort).

    It is the last ``<`` before which the HTML is finished: each candidate is parsed again,
    from the end backwards, `tries` of them at most.
    """
    starts = [match.start() for match in re.finditer("<", html)]
    for start in reversed(starts[-tries:]):
        document, marker = parse_in_page(html[:start])
        if has_end_marker(document, marker):
            return start
    return starts[-1] if starts else 0


def html_findings(html: str, page_url: str = DEFAULT_PAGE_URL) -> list[Finding]:
    """Return everything the policy refuses in HTML that a page at `page_url` would contain."""
    return PolicyCheck(page_url).check(html)
