"""Production settings: everything from pelicanconf.py, with the public site URL."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("SITEURL", SITE_PUBLIC_URL).rstrip("/")  # noqa: F405
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
