"""Importing digest pages (plain text or e-paper HTML) into articles.

A digest page is one printed newspaper page about 营口 holding several
stories.  The pipeline is:

1. :mod:`.decode` reads the bytes (BOM, declared charset, UTF-8, GBK family);
2. :mod:`.text_page` or :mod:`.epaper` turns the page into :class:`Story`
   objects, with :mod:`.repair` undoing extraction damage;
3. :mod:`.tagging` picks topics, districts and agencies from the vocabulary
   and records why;
4. :mod:`.writer` renders Markdown and writes it without ever clobbering an
   editor's work; :mod:`.importer` drives files and folders and returns a
   report that :mod:`.cli` prints.

Plain Python: nothing here imports Pelican.
"""

from .importer import ImportOptions, ImportReport, import_paths
from .model import Block, DigestError, Page, Story

__all__ = [
    "Block", "DigestError", "Page", "Story",
    "ImportOptions", "ImportReport", "import_paths",
]
