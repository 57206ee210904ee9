"""Pelican settings for the Yingkou news archive (local builds).

publishconf.py imports these and switches to absolute URLs for a host.
"""

import copy
import os
from urllib.parse import urlsplit as _urlsplit

from jinja2 import pass_context as _pass_context

from yingkou_archive.assets import asset_version as _theme_asset_version
from yingkou_archive.body import MARKDOWN_CONFIG as _MARKDOWN_CONFIG
from yingkou_archive.content_check import ARTICLE_SAVE_AS as _ARTICLE_SAVE_AS
from yingkou_archive.content_check import ARTICLE_URL as _ARTICLE_URL
from yingkou_archive.content_check import PAGE_SAVE_AS as _PAGE_SAVE_AS
from yingkou_archive.content_check import PAGE_URL as _PAGE_URL
from yingkou_archive.kinds import TAXONOMY_KINDS as _TAXONOMY_KINDS
from yingkou_archive.links import ARTICLE_PATHS as _ARTICLE_PATHS
from yingkou_archive.links import IGNORE_FILES as _IGNORE_FILES
from yingkou_archive.links import PAGE_PATHS as _PAGE_PATHS
from yingkou_archive.links import STATIC_PATHS as _STATIC_PATHS

SITENAME = "营口新闻档案"
SITESUBTITLE = "按专题、地区、部门和日期浏览营口地方新闻"
AUTHOR = "营口新闻档案编辑部"
# Links inside the site are relative, so the output works from any folder
# of any host; SITEURL is only used where an absolute URL is required
# (canonical links, OpenGraph, JSON-LD, sitemap, feeds).
SITEURL = os.environ.get("SITEURL", "http://localhost:8000").rstrip("/")
RELATIVE_URLS = True

PATH = "content"
# The check (yingkou_archive) reads the same folders and rules.
ARTICLE_PATHS = list(_ARTICLE_PATHS)
PAGE_PATHS = list(_PAGE_PATHS)
STATIC_PATHS = list(_STATIC_PATHS)
IGNORE_FILES = list(_IGNORE_FILES)
# Copy a static file only when its source is newer, and the theme's static
# files through plugins/archive_static, which never writes into a file the
# live output shares (Pelican's own copy would).
STATIC_CHECK_IF_MODIFIED = True
THEME_STATIC_PATHS = []
ARCHIVE_THEME_STATIC_PATHS = ["static"]
# Modules published with a bundle beside them (theme/js/search.bundle.js):
# the search page loads its six modules as one file (yingkou_archive/bundle.py).
ARCHIVE_JS_BUNDLES = ["js/search.js"]

TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh_cn"
DEFAULT_DATE_FORMAT = "%Y年%-m月%-d日"
LOCALE = ("C.UTF-8",)

THEME = "theme"
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}
# Rendered by yingkou_archive.body (check and build alike) with this
# configuration, which the reader plugin reads from there.
MARKDOWN = copy.deepcopy(_MARKDOWN_CONFIG)  # Pelican adds to it

# Dotted names, imported from the project root like every other module, so
# each plugin is loaded once under one name (tests patch the same module the
# build uses).  The writer comes first: its ``finalized`` receiver renders
# the queued pages before the sitemap's runs.
PLUGIN_PATHS = []
PLUGINS = [
    "plugins.archive_writer",
    "plugins.archive_templates",
    "plugins.archive_content",
    "plugins.archive_taxonomy",
    "plugins.archive_redirects",
    "plugins.archive_issues",
    "plugins.archive_dates",
    "plugins.archive_static",
    "plugins.archive_images",
    "plugins.archive_photos",  # after archive_images: uses its copies
    "plugins.archive_sitemap",
]

# URLs. Articles: /YYYY/MM/<slug>/ (the slug is the file name or Slug field).
ARTICLE_URL = _ARTICLE_URL
ARTICLE_SAVE_AS = _ARTICLE_SAVE_AS
PAGE_URL = _PAGE_URL
PAGE_SAVE_AS = _PAGE_SAVE_AS
# Year and month archives come from the archive_dates plugin (Pelican's own
# are quadratic in the number of articles, so they are switched off).
ARCHIVE_YEAR_URL = "{date:%Y}/"
ARCHIVE_YEAR_SAVE_AS = "{date:%Y}/index.html"
ARCHIVE_MONTH_URL = "{date:%Y}/{date:%m}/"
ARCHIVE_MONTH_SAVE_AS = "{date:%Y}/{date:%m}/index.html"
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
SEARCH_URL = "search/"
SEARCH_SAVE_AS = "search/index.html"
INDEX_SAVE_AS = "index.html"
DIRECT_TEMPLATES = ["index", "archives", "search"]
TEMPLATE_PAGES = {"robots.txt": "robots.txt", "404.html": "404.html"}

# Pelican's own taxonomies are replaced by topics/districts/agencies.
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
USE_FOLDER_AS_CATEGORY = False

# No translations: same-slug articles are a collision, not a translation
# (and process_translations is quadratic).
ARTICLE_TRANSLATION_ID = None
PAGE_TRANSLATION_ID = None



def _newest_first(article):
    """Newest first; articles of the same moment by slug, so every build
    lists them in the same order (file system order is not stable).
    Kept in the article's dict: Pelican sorts the archive several times a
    build, and timestamp() of an aware date is the slow part."""
    key = article.__dict__.get("_newest_first")
    if key is None:
        key = article.__dict__["_newest_first"] = (-article.date.timestamp(), article.slug)
    return key


ARTICLE_ORDER_BY = _newest_first

DEFAULT_PAGINATION = 20
# Term and date lists are cut into stable pages by plugins/list_pages.py
# (numbered from the oldest), not by Pelican's paginator.
PAGINATED_TEMPLATES = {}
TERM_PAGE_SIZE = 20
PERIOD_PAGE_SIZE = 50

# Feeds: one site-wide Atom feed plus one per term (written by the plugin).
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
FEED_MAX_ITEMS = 50

# The sitemap: an index of one sitemap per year of articles and one for the
# other pages (plugins/archive_sitemap; search engines read 50,000 URLs a file).
SITEMAP = {
    "exclude": [r"^404\.html$", r"^search/$", r"/page/\d+/$"],
    "priorities": {"articles": 0.7, "indexes": 0.5, "pages": 0.3},
    "changefreqs": {"articles": "monthly", "indexes": "daily", "pages": "monthly"},
}

# Dates come from each article's required Date: line; Pelican's default
# also parsed the file name's date with dateutil (0.5 s per 10,000 articles).
FILENAME_METADATA = ""

# Articles are kept between builds by plugins/archive_content/store.py (a
# record and the rendered HTML of each, in CACHE_PATH); Pelican's own cache
# of whole Article objects is not used.
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
CACHE_PATH = "cache"

# Precompressed .gz/.br siblings of text files, e.g. ("gz", "br"); off for
# local builds, see publishconf.py.
PRECOMPRESS = ()

DELETE_OUTPUT_DIRECTORY = False
OUTPUT_PATH = "output"

# Absolute site address for canonical links, OpenGraph and JSON-LD (page
# links stay relative).  publishconf.py sets it from the environment.
SITE_ABSOLUTE_URL = SITEURL
# The site's path on its host ("" at the root, "/news" under a folder): the
# 404 page links from there, because a host serves it at any depth.
SITE_ROOT_PATH = _urlsplit(SITEURL).path.rstrip("/")


def _jsonld_person(name):
    return {"@type": "Person", "name": str(name)}


_THEME_STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), THEME, "static")


# pass_context: Jinja computes a filter of a constant when it compiles the
# template ("'js/search.js' | asset_version" is one), and compiled
# templates are kept between builds (plugins/archive_templates), so a
# changed script kept the hash its file had when the template was first
# compiled: hosts then served the old script to the new index.  A filter
# that takes the context is always called when the page is rendered.
@_pass_context
def _asset_version(_context, path):
    """Content hash of a theme file, appended as ?v= so hosts may cache the
    file for a year: a changed file gets a new URL (a module's hash covers
    the modules it imports, yingkou_archive/assets.py)."""
    return _theme_asset_version(_THEME_STATIC, path)


JINJA_FILTERS = {"jsonld_person": _jsonld_person, "asset_version": _asset_version}
# The kinds of terms (topic, district, agency) every template loops over.
JINJA_GLOBALS = {"taxonomy_kinds": _TAXONOMY_KINDS}
