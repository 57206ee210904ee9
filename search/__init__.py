"""The archive's own static search: exact substring search in Chinese.

No Pelican here.  The modules follow the data:

* :mod:`search.tokens` — what a token is (shared with the browser);
* :mod:`search.format` — file names, gram keys, shards, query covers;
* :mod:`search.extract` — built article pages to text and facets;
* :mod:`search.arrays`, :mod:`search.grams`, :mod:`search.postings` — the
  grams of the corpus and their postings, vectorised with numpy;
* :mod:`search.write` — the index files and the manifest;
* :mod:`search.reader` — a reference reader, the same as the browser's
  ``theme/static/js/search-engine.js``, for tests.
"""
