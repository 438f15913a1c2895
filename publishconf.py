"""Production settings: everything from pelicanconf.py, with the public address of the site.

The address comes from the environment, so each forge's workflow sets its own (GitHub Pages:
the configure-pages step's base_url; GitLab Pages: CI_PAGES_URL). Every link, canonical,
hreflang, sitemap and feed entry is then absolute. A bad address (not https://, no host, a
quote or a space in it...) stops the build with one line (portal/site_address.py).
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403
from portal.site_address import checked_site_url

SITEURL = checked_site_url(SITE_PUBLIC_URL)  # noqa: F405
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
