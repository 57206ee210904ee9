"""Settings for publishing: absolute URLs under the host's SITEURL."""

import os
from urllib.parse import urlsplit

from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("SITEURL", "").rstrip("/")
if not SITEURL:
    raise SystemExit("publishconf.py: set SITEURL, e.g. SITEURL=https://news.example.org")
RELATIVE_URLS = False
FEED_DOMAIN = SITEURL
SITE_ABSOLUTE_URL = SITEURL
SITE_ROOT_PATH = urlsplit(SITEURL).path.rstrip("/")

# Precompressed siblings for hosts that serve them (nginx gzip_static /
# brotli_static): PRECOMPRESS=gz,br invoke publish …
PRECOMPRESS = tuple(f for f in os.environ.get("PRECOMPRESS", "").split(",") if f)
