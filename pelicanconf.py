"""Pelican settings for the Covenant Portal (development build).

`publishconf.py` imports everything from here and changes only what production needs.
"""

import sys
from pathlib import Path

import jinja2

PROJECT_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(PROJECT_DIR / "plugins"))

from portal_core.facts import confirmed, unconfirmed  # noqa: E402
from portal_core.languages import EU_LANGUAGES  # noqa: E402

AUTHOR = "Covenant of Mayors Office"
SITENAME = "Covenant of Mayors for Climate & Energy"
SITEURL = ""
TIMEZONE = "Europe/Brussels"

# Languages: the 24 official EU languages in the order of the Interinstitutional Style Guide
# (7.2.1). English is the source language; every other language mirrors content/en/.
DEFAULT_LANG = "en"
LANGUAGES = EU_LANGUAGES

# Content: content/<lang>/<path>.md is the page <path> in <lang>.
PATH = "content"
PAGE_PATHS = [""]
PAGE_EXCLUDES = ["data", "media"]  # media: images and documents (portal_core/media.py)
ARTICLE_PATHS = []
STATIC_PATHS = []
PATH_METADATA = r"(?P<lang>[a-z]{2})/(?P<slug>.+)\.md"
PAGE_URL = PAGE_LANG_URL = "{lang}/{slug}/"
# Pelican writes no page itself: the multilingual plugin writes every page in every language
# (translation or English fallback) through the same template context.
PAGE_SAVE_AS = PAGE_LANG_SAVE_AS = ""
PAGE_TRANSLATION_ID = "slug"
SLUGIFY_SOURCE = "basename"

# Nothing of Pelican's blog machinery: no articles, tags, categories, authors or archives.
DIRECT_TEMPLATES = []
ARTICLE_SAVE_AS = ARTICLE_LANG_SAVE_AS = ""
DRAFT_SAVE_AS = DRAFT_LANG_SAVE_AS = DRAFT_PAGE_SAVE_AS = DRAFT_PAGE_LANG_SAVE_AS = ""
TAG_SAVE_AS = TAGS_SAVE_AS = CATEGORY_SAVE_AS = CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_SAVE_AS = DAY_ARCHIVE_SAVE_AS = ""
FEED_ALL_ATOM = FEED_ALL_RSS = FEED_ATOM = FEED_RSS = None
CATEGORY_FEED_ATOM = CATEGORY_FEED_RSS = TRANSLATION_FEED_ATOM = TRANSLATION_FEED_RSS = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = TAG_FEED_ATOM = TAG_FEED_RSS = None

THEME = "theme"
# The theme's static files are written by the serving plugin (fingerprinted under assets/, and
# as they are under theme/), through the build engine like every other file.
THEME_STATIC_PATHS = []
RELATIVE_URLS = False
# The build engine owns the output folder: it removes what a build no longer makes, and
# `make html` builds next to output/ and swaps the result in.
DELETE_OUTPUT_DIRECTORY = False
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

PLUGIN_PATHS = ["plugins"]
# build_engine: every file reaches the output through it (plugins/build_engine/front_door.py).
# The features after it write their generators' outputs in this order, which is the order in
# which pages reach the search index.
PLUGINS = [
    "build_engine",
    "multilingual",
    "directory",
    "serving",
    "sitemap",
    "search",
    "sharing",
    "content_policy",
]

# The site's public address. Feeds and iCalendar files need absolute links: they use SITEURL
# when it is set (publishconf.py sets it), else this address, so that a development build's
# feeds still point at the published site.
SITE_PUBLIC_URL = "https://supporters.eumayors.example"

# Supporter directory, news and calendar from content/data/ (plugins/directory). Keys and
# defaults: DEFAULT_SETTINGS in plugins/directory/directory.py.
DIRECTORY_SETTINGS = {
    "feed_items": 20,
    "home_news": 3,
    "home_events": 3,
}

JINJA_ENVIRONMENT = {
    "autoescape": True,
    "undefined": jinja2.StrictUndefined,
    "trim_blocks": True,
    "lstrip_blocks": True,
    # memo: parts shared by many pages rendered once per build (plugins/build_engine/memo.py)
    "extensions": ["jinja2.ext.i18n", "build_engine.memo.MemoExtension"],
    # Every build makes a new environment, so checking template files for changes before each
    # render (thousands of stat calls per build) buys nothing.
    "auto_reload": False,
}

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.toc": {},
    },
    "output_format": "html5",
}

# Metadata a page may carry (lower case). The content_policy plugin rejects any other key, so
# that a typo such as "Titel:" stops the build instead of vanishing.
PAGE_METADATA = (
    "title",
    "summary",
    "template",
    "translation-method",
    "modified",
    "source-hash",
)

# Interface strings: translations/<lang>/LC_MESSAGES/messages.po, compiled by the build.
TRANSLATIONS_PATH = str(PROJECT_DIR / "translations")

# Facts that are the same in every language: content uses them as {{name}} placeholders,
# templates as FACTS.name. Change them here, once. Every address on another site records where
# it was confirmed and when (confirmed), or why it is not (unconfirmed): the build names the
# unconfirmed ones on every run, and `make check-external` checks them all when online.
# "{lang}" in a value is the language of the page it is written in.
FACTS = {
    "helpdesk_email": confirmed(
        "supporters@eumayors.eu",
        source="https://eu-mayors.ec.europa.eu/cs/join/supporter (public copy; also "
        "/sk/join/supporter and the published Finnish page)",
        checked="2026-12-02",
    ),
    "join_page_url": confirmed(
        "https://eu-mayors.ec.europa.eu/{lang}/join/supporter",
        source="public copies of https://eu-mayors.ec.europa.eu/en/join/supporter, "
        "/cs/join/supporter and /sk/join/supporter (the portal serves its pages in the 24 "
        "languages under /<lang>/)",
        checked="2026-12-02",
        note="its steps: the registration form, then the commitment statement from the Office",
    ),
    "twitter_url": unconfirmed(
        "https://twitter.com/eumayors",
        why="no public copy of the portal links it; the published page names Twitter only",
    ),
    "facebook_url": unconfirmed(
        "https://www.facebook.com/EUmayors",
        why="no public copy of the portal links it; the published page names Facebook only",
    ),
    "newsletter_url": unconfirmed(
        "https://eu-mayors.ec.europa.eu/en/newsletter",
        why="no public copy of this page was found",
    ),
    "office_url": confirmed(
        "https://eu-mayors.ec.europa.eu/",
        source="public copies of https://eu-mayors.ec.europa.eu/en/join/supporter and "
        "https://eu-mayors.ec.europa.eu/en/FAQs",
        checked="2026-12-02",
    ),
}

# The main menu and the footer links are content: content/data/navigation.yaml (read and
# checked by plugins/directory, editable in the browser editor at /admin/).

# The browser editor at /admin/ (Decap CMS, plugins/serving/editor.py; keys and defaults:
# DEFAULT_EDITOR there). A change made in it becomes a branch and a pull or merge request on
# this repository, never a commit on `branch`. publishconf.py takes the repository from CI.
EDITOR = {
    "backend": "github",
    "repo": "eumayors/covenant-portal",
    "branch": "main",
}

# Addresses of the old portal (/<section>/<page>_<lang>.html) and the page (path below the
# language folder) each now lives at, in every language. plugins/serving turns this into
# redirect pages and the 301 rules of the nginx, Apache and static-host configurations.
MOVED_PAGES = {
    "/participation/as-a-network-of-local-authorities_{lang}.html": "supporters",
}
