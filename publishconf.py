"""Production settings: everything from pelicanconf.py, with the public address of the site.

The address comes from the environment, so each forge's workflow sets its own (GitHub Pages:
the configure-pages step's base_url; GitLab Pages: CI_PAGES_URL). Every link, canonical,
hreflang, sitemap and feed entry is then absolute.
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("SITEURL", SITE_PUBLIC_URL).rstrip("/")  # noqa: F405
if not SITEURL.startswith(("https://", "http://")) or SITEURL.count("/") < 2:
    sys.exit(f"publishconf.py: SITEURL={SITEURL!r} is not an absolute http(s) address")
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
