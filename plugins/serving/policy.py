"""What every web server must do for the portal, defined once; each server's files follow it.

`serving_policy(settings)` gathers it from the Pelican settings: the language folders and the
default language (for negotiation at ``/``), the old portal's addresses and where they moved,
the security headers, which files may be cached for a year, and the 404 page of each language.
The generators in nginx.py, apache.py and static_hosts.py only translate it into their syntax.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from portal_core.errors import PortalError
from portal_core.page_tree import page_url

#: The cookie that holds a language the visitor picked by hand. Netlify's ``Language``
#: redirect condition reads a cookie of this name too, so one choice works on every host.
LANGUAGE_COOKIE = "nf_lang"

#: Where fingerprinted theme assets are written (``assets/portal.<hash>.css``).
ASSET_DIR = "assets"

#: URL prefixes whose files have a content hash in their name, so they never change:
#: the theme's fingerprinted assets and Pagefind's index chunks.
IMMUTABLE_PREFIXES = (
    f"/{ASSET_DIR}/",
    "/pagefind/fragment/",
    "/pagefind/index/",
    "/pagefind/filter/",
)
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
REVALIDATE_CACHE = "no-cache"

#: Content-Security-Policy: nothing but the site itself. 'wasm-unsafe-eval' lets Pagefind
#: compile its WebAssembly search engine (it does not allow eval() of JavaScript); data: images
#: are the icons inside Pagefind's stylesheet.
CONTENT_SECURITY_POLICY = (
    ("default-src", "'self'"),
    ("script-src", "'self' 'wasm-unsafe-eval'"),
    ("img-src", "'self' data:"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
)
#: Directives a <meta> element cannot carry (browsers ignore them there, with a warning).
HEADER_ONLY_DIRECTIVES = frozenset({"frame-ancestors", "report-uri", "sandbox"})

#: File types the servers must label correctly, by the file's last extension: pages, styles
#: and scripts, data (JSON, XML, iCalendar), Pagefind's WebAssembly, images and web fonts.
MEDIA_TYPES = (
    ("text/html", ("html",)),
    ("text/css", ("css",)),
    ("application/javascript", ("js",)),
    ("application/json", ("json",)),
    ("application/manifest+json", ("webmanifest",)),
    ("application/xml", ("xml",)),
    ("application/rss+xml", ("rss",)),
    ("application/atom+xml", ("atom",)),
    ("text/calendar", ("ics",)),
    ("text/plain", ("txt",)),
    ("text/yaml", ("yml", "yaml")),
    ("application/wasm", ("wasm",)),
    ("image/svg+xml", ("svg",)),
    ("image/png", ("png",)),
    ("image/jpeg", ("jpg", "jpeg")),
    ("image/webp", ("webp",)),
    ("image/x-icon", ("ico",)),
    ("application/pdf", ("pdf",)),
    ("font/woff2", ("woff2",)),
    ("font/woff", ("woff",)),
    ("font/ttf", ("ttf",)),
    ("font/otf", ("otf",)),
)

#: Files whose type their last extension does not tell: the feeds are ``<name>.rss.xml`` and
#: ``<name>.atom.xml`` (XML to any tool, a feed to readers that look at the type).
SUFFIX_MEDIA_TYPES = (
    (".rss.xml", "application/rss+xml"),
    (".atom.xml", "application/atom+xml"),
)

#: Text types sent with "; charset=utf-8" (every text file the build writes is UTF-8).
TEXT_MEDIA_TYPES = (
    "text/css",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "text/calendar",
    "text/plain",
    "text/yaml",
    "image/svg+xml",
)


def media_type(url_path: str) -> str | None:
    """Return the media type a server must send for a URL path, or None if the policy has none."""
    for suffix, media in SUFFIX_MEDIA_TYPES:
        if url_path.endswith(suffix):
            return media
    extension = url_path.rsplit("/", 1)[-1].rpartition(".")[2]
    return next((media for media, extensions in MEDIA_TYPES if extension in extensions), None)


def content_security_policy(for_meta: bool = False) -> str:
    """Return the Content-Security-Policy value; `for_meta` drops header-only directives."""
    return "; ".join(
        f"{name} {value}"
        for name, value in CONTENT_SECURITY_POLICY
        if not (for_meta and name in HEADER_ONLY_DIRECTIVES)
    )


SECURITY_HEADERS = (
    ("Content-Security-Policy", content_security_policy()),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Strict-Transport-Security", "max-age=31536000"),
)

#: Where the browser editor is served (plugins/editor): it has a policy of its own.
EDITOR_PREFIX = "/admin/"
#: The editor's Content-Security-Policy. Its code is the site's own copy of Decap CMS; it
#: styles itself with inline styles (emotion), shows pictures being uploaded and reads the
#: drafts it keeps (blob:, data:) and talks to the git host's API, the only other origin it
#: reaches (connect-src); nothing runs from another origin. 'unsafe-eval': Decap checks its
#: configuration and entries with ajv, which compiles each schema into a function (refused
#: without it: "Error loading the CMS configuration"). Visitor pages keep
#: CONTENT_SECURITY_POLICY.
EDITOR_CONTENT_SECURITY_POLICY = (
    ("default-src", "'self'"),
    ("script-src", "'self' 'unsafe-eval'"),
    ("style-src", "'self' 'unsafe-inline'"),
    ("img-src", "'self' data: blob:"),
    ("connect-src", "'self' blob: https://api.github.com https://gitlab.com"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
)


def editor_content_security_policy(for_meta: bool = False) -> str:
    """Return the editor's Content-Security-Policy; `for_meta` drops header-only directives."""
    return "; ".join(
        f"{name} {value}"
        for name, value in EDITOR_CONTENT_SECURITY_POLICY
        if not (for_meta and name in HEADER_ONLY_DIRECTIVES)
    )


EDITOR_SECURITY_HEADERS = tuple(
    (name, editor_content_security_policy() if name == "Content-Security-Policy" else value)
    for name, value in SECURITY_HEADERS
)


def security_headers(url_path: str) -> tuple[tuple[str, str], ...]:
    """Return the security headers of a URL path: the editor's below EDITOR_PREFIX."""
    return EDITOR_SECURITY_HEADERS if url_path.startswith(EDITOR_PREFIX) else SECURITY_HEADERS


@dataclass(frozen=True)
class Redirect:
    """A permanent move of one old address to its new page."""

    source: str  # URL path with leading slash
    target: str  # URL path with leading slash
    lang: str
    path: str  # the page's identity in the page tree ("supporters")


@dataclass(frozen=True)
class ServingPolicy:
    """Everything a server configuration is generated from."""

    languages: tuple[str, ...]
    default_lang: str
    redirects: tuple[Redirect, ...]
    language_cookie: str = LANGUAGE_COOKIE
    security_headers: tuple[tuple[str, str], ...] = SECURITY_HEADERS
    immutable_prefixes: tuple[str, ...] = IMMUTABLE_PREFIXES
    #: Below it the browser editor is served, with its own security headers (its CSP).
    editor_prefix: str = EDITOR_PREFIX
    editor_security_headers: tuple[tuple[str, str], ...] = EDITOR_SECURITY_HEADERS

    def visitor_folders(self) -> tuple[str, ...]:
        """Return the URL prefixes that hold the visitor site's pages below the top folder.

        The language folders, and the folders of the old addresses (their redirect pages).
        Static hosts send the site's CSP to these (and to the top folder's pages) only: they
        join the values of every rule that matches, so the editor's folder must match none.
        """
        old = sorted({r.source.split("/")[1] for r in self.redirects if r.source.count("/") > 1})
        return tuple(f"/{folder}/" for folder in (*self.languages, *old))

    def not_found_page(self, lang: str | None) -> str:
        """Return the 404 page of a language folder, or the multilingual one for `None`."""
        return f"/{lang}/404.html" if lang else "/404.html"


def moved_pages(moves: Mapping[str, str], languages: tuple[str, ...]) -> tuple[Redirect, ...]:
    """Expand ``MOVED_PAGES`` (old address with ``{lang}`` -> page path) over every language.

    A pattern without ``{lang}``, or one that does not start with ``/``, is a PortalError
    naming pelicanconf.py.
    """
    redirects = []
    for pattern, path in moves.items():
        if "{lang}" not in pattern or not pattern.startswith("/"):
            raise PortalError(
                "pelicanconf.py",
                f"MOVED_PAGES key {pattern!r} must be an absolute path containing {{lang}}, "
                "e.g. '/participation/page_{lang}.html'",
            )
        for lang in languages:
            page = path.strip("/")
            redirects.append(
                Redirect(pattern.format(lang=lang), "/" + page_url(page, lang), lang, page)
            )
    return tuple(redirects)


def serving_policy(settings: Mapping) -> ServingPolicy:
    """Return the serving policy of a site from its Pelican settings."""
    languages = tuple(settings["LANGUAGES"])
    return ServingPolicy(
        languages=languages,
        default_lang=settings["DEFAULT_LANG"],
        redirects=moved_pages(settings.get("MOVED_PAGES", {}), languages),
    )


def cache_control(url_path: str, policy: ServingPolicy) -> str:
    """Return the Cache-Control value for a URL path."""
    if url_path.startswith(policy.immutable_prefixes):
        return IMMUTABLE_CACHE
    return REVALIDATE_CACHE
