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

# The browser editor proposes changes to the repository the site is built from: GitLab CI and
# GitHub Actions name it. GitLab signs editors in with an OAuth application (PKCE, its id in
# the CI variable EDITOR_GITLAB_APP_ID); GitHub needs an OAuth proxy (EDITOR_OAUTH_URL).
if os.environ.get("GITLAB_CI"):
    EDITOR = {
        **EDITOR,  # noqa: F405
        "backend": "gitlab",
        "repo": os.environ.get("CI_PROJECT_PATH", ""),
        "branch": os.environ.get("CI_DEFAULT_BRANCH", "main"),
        "base_url": os.environ.get("CI_SERVER_URL", ""),
        "app_id": os.environ.get("EDITOR_GITLAB_APP_ID", ""),
    }
elif os.environ.get("GITHUB_REPOSITORY"):
    EDITOR = {
        **EDITOR,
        "backend": "github",
        "repo": os.environ["GITHUB_REPOSITORY"],
        "base_url": os.environ.get("EDITOR_OAUTH_URL", ""),
    }
