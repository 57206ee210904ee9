"""Writing the index of a built site (``output/search/``).

The build calls :func:`write_search_index` on the freshly written site
folder with every article page and its render key: it reads the pages
whose key changed (search/extract.py), numbers all documents oldest first,
cuts them into segments (search/segments.py) and writes each segment whose
documents changed as a pack (search/segment.py); the others keep their
files.  Beside the packs: ``manifest.json`` (the segments, facets, years,
format numbers), ``t2s.json`` and its pieces in ``t2s.bin``.

What was read from each page is kept in ``.archive-state/search-docs.json``
inside the site folder (it travels with the generation, so it always
describes the pages beside it).
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import hashlib
import json
import os
import time
from pathlib import Path

from fileutil import replace_if_changed
from yingkou_archive.kinds import TAXONOMY_KINDS

from . import format as fmt
from . import segments
from . import tokens as st
from .extract import ArticlePage, article_page_names, order_key, read_pages, record_digest
from .format import FORMAT_VERSION, MANIFEST_NAME, SEARCH_DIR, SEGMENT_DIR, T2S_NAME, T2S_PACK, frame, gzip_bytes
from .segment import write_segment
from .segments import segment_ranges

STATE_FILE = ".archive-state/search-docs.json"
# The pages of the last segment as read for it: a daily build rewrites that
# segment, and reading its pages again took 0.25 s at 50,000 articles.
TAIL_FILE = ".archive-state/search-tail.json"
INLINE_KEY = "shardTableBody"  # a segment's shard table (its member's payload, base64), when small enough
# A segment is kept only when the code that wrote it is the same too.
_CODE = hashlib.sha1(b"".join((Path(__file__).parent / name).read_bytes() for name in sorted(
    os.listdir(Path(__file__).parent)) if name.endswith(".py"))).hexdigest()


class IndexFiles:
    """The files of one index folder, each replaced only when its bytes
    change (the folder may share its files with the live site)."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.produced: set[str] = set()
        self.changed: set[str] = set()
        self._folders: set[str] = set()

    def write(self, rel: str, data: bytes) -> None:
        folder = os.path.dirname(rel)
        if folder not in self._folders:
            (self.out / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        if replace_if_changed(os.path.join(self.out, rel), data):
            self.changed.add(rel)
        self.produced.add(rel)

    def keep(self, rel: str) -> bool:
        """Keep a file of the last index as it is; False when it is missing."""
        if not os.path.isfile(os.path.join(self.out, rel)):
            return False
        self.produced.add(rel)
        return True

    def remove_others(self) -> None:
        """Index files of an earlier index in this folder that this one has not."""
        for folder in (SEGMENT_DIR, *fmt.OLD_DIRS):
            for path in (self.out / folder).glob("*") if (self.out / folder).is_dir() else ():
                rel = f"{folder}/{path.name}"
                if rel not in self.produced:
                    path.unlink()
                    self.changed.add(rel)
        for rel in fmt.OLD_FILES:
            if (self.out / rel).exists():
                (self.out / rel).unlink()
                self.changed.add(rel)


def t2s_blocks() -> dict[int, str]:
    """The t2s map cut by code point >> 8: block -> pairs string (as t2s.json)."""
    blocks: dict[int, str] = {}
    for a, b in sorted(st.t2s_map().items()):
        blocks[ord(a) >> 8] = blocks.get(ord(a) >> 8, "") + a + b
    return blocks


def t2s_pack() -> tuple[bytes, list[list[int]]]:
    """The blocks as members of one file, and [block, offset, bytes] of each.

    The search page fetches by range only the blocks of a query's
    characters (~0.3 KB each) instead of the whole map (29 KB); one file,
    not 200.
    """
    data, listing = bytearray(), []
    for block, pairs in sorted(t2s_blocks().items()):
        member = gzip_bytes(frame(fmt.MEMBER_T2S, block, 0, pairs.encode("utf-8")))
        listing.append([block, len(data), len(member)])
        data += member
    return bytes(data), listing


def year_ranges(dates: list[str]) -> list[list[int]]:
    """[year, first id, end id) for each year: ids are in date order."""
    ranges: list[list[int]] = []
    for i, date in enumerate(dates):
        year = int(date[:4]) if date[:4].isdigit() else 0
        if ranges and ranges[-1][0] == year:
            ranges[-1][2] = i + 1
        else:
            ranges.append([year, i, i + 1])
    return [r for r in ranges if r[0]]


def segment_source(digests: list[str]) -> str:
    """What a segment is made of: its documents' record digests and the code."""
    return hashlib.sha256((_CODE + "".join(digests)).encode()).hexdigest()[:16]


def _previous_segments(out: Path) -> dict[str, dict]:
    try:
        manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if manifest.get("version") != FORMAT_VERSION:
        return {}
    return {seg["name"]: seg for seg in manifest.get("segments", [])}


def with_inline_shard_tables(segments: list[dict], out: Path) -> list[dict]:
    """The manifest's segment entries, each with its shard table (the
    member's payload, base64) when all the tables together are at most
    ``SHARD_TABLES_INLINE`` bytes: the search page then has them with the
    manifest, and a first lookup goes straight to its shard.  Not gzipped:
    the varints hardly shrink (10.3 KB to 8.4 KB at 5,000 articles), and
    inflating in the browser cost more time than the bytes."""
    if sum(spec["shardTable"][1] for spec in segments) > fmt.SHARD_TABLES_INLINE:
        return segments
    inlined = []
    for spec in segments:
        offset, size = spec["shardTable"]
        name = fmt.part_name(spec["name"], offset >> fmt.PART_BITS)
        with open(out / name, "rb") as part:
            part.seek(offset & ((1 << fmt.PART_BITS) - 1))
            body = fmt.unframe(gzip.decompress(part.read(size)), fmt.MEMBER_SHARD_TABLE, 0, spec["tag"], name)
        inlined.append(spec | {INLINE_KEY: base64.b64encode(body).decode("ascii")})
    return inlined


def write_index(pages: list[ArticlePage], out: Path, workers: int | None = None) -> dict:
    """Write the index of ``pages`` (any order) into ``out``, keeping the
    segments of an index already there whose documents are the same."""
    ordered = sorted(pages, key=order_key)
    return _write(ordered, [record_digest(p) for p in ordered], lambda ids: [ordered[i] for i in ids],
                  Path(out), workers or os.cpu_count() or 1)


def _write(order: list, digests: list[str], records_of, out: Path, workers: int) -> dict:
    """The index files: ``order`` (id order; anything with .date) and each
    document's digest; ``records_of(ids)`` gives the pages of a segment
    that must be written."""
    files = IndexFiles(out)
    previous = _previous_segments(out)
    segments, written, stats = [], 0, []
    for start, end in segment_ranges(len(order)):
        name = f"{start}-{end}"
        source = segment_source(digests[start:end])
        entry = previous.get(name)
        if entry and entry.get("source") == source and all(
                files.keep(fmt.part_name(name, p)) for p in range(entry["parts"])):
            entry = {k: v for k, v in entry.items() if k not in ("stats", INLINE_KEY)}
        else:
            parts, made = write_segment(records_of(range(start, end)), int(source[:8], 16), workers)
            for number, data in enumerate(parts):
                files.write(fmt.part_name(name, number), data)
            stats.append(made.pop("stats"))
            entry = {"name": name, "start": start, "docs": end - start, "source": source,
                     "tag": int(source[:8], 16), **made}
            written += 1
        segments.append(entry)
    build = hashlib.sha256("".join(s["source"] for s in segments).encode()).hexdigest()[:12]
    t2s_data, t2s_listing = t2s_pack()
    manifest = {
        "version": FORMAT_VERSION, "build": build, "docs": len(order),
        "format": fmt.manifest_format(),
        "facets": [{"name": kind.name, "label": kind.label} for kind in TAXONOMY_KINDS],
        "segments": with_inline_shard_tables(segments, out),
        "years": year_ranges([page.date for page in order]),
        "t2sFile": T2S_NAME, "t2sPack": T2S_PACK, "t2sBlocks": t2s_listing,
        "tradBase": st.TRAD_BITMAP_RANGE[0], "tradBits": st.trad_bitmap(),
    }
    files.write(MANIFEST_NAME, json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    files.write(T2S_NAME, st.t2s_json().encode("utf-8"))
    files.write(T2S_PACK, t2s_data)
    files.remove_others()
    return {
        "records": len(order),
        "segments": len(segments),
        "segments_written": written,
        "bytes": sum(os.path.getsize(os.path.join(out, p)) for p in files.produced),
        "files": len(files.produced),
        "produced": sorted(files.produced),
        "changed": sorted(files.changed),
        "written": {k: sum(s[k] for s in stats) for k in ("grams", "chars", "bytes", "attrs_bytes", "doc_bytes")},
        "shard_max": max((s["shard_max"] for s in stats), default=0),
    }


class _Doc:
    """A document as the state file remembers it."""

    __slots__ = ("path", "date", "url", "digest")

    def __init__(self, path, date, url, digest):
        self.path, self.date, self.url, self.digest = path, date, url, digest


def _load_state(site_dir: Path) -> dict:
    try:
        state = json.loads((site_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state.get("pages", {}) if state.get("code") == _CODE else {}


def _load_tail(site_dir: Path, pages: dict[str, str | None]) -> dict[str, ArticlePage]:
    """The last segment's pages the last build read whose render key is the
    same now (a page without a key is always read)."""
    try:
        kept = json.loads((site_dir / TAIL_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(kept, dict) or kept.get("code") != _CODE:
        return {}
    return {path: ArticlePage(**fields) for path, (key, fields) in kept.get("pages", {}).items()
            if key is not None and pages.get(path) == key}


def _save_tail(site_dir: Path, docs: list, pages: dict[str, str | None],
               known: dict[str, ArticlePage]) -> tuple[bool, bool]:
    """Keep the pages of the last segment when it is a tail (under one
    unit: a full segment is not rewritten by the next day's articles) and
    all of them are known.  Returns (the file belongs to this index, it
    was written)."""
    start, end = segment_ranges(len(docs))[-1] if docs else (0, 0)
    if not 0 < end - start < segments.SEGMENT_UNIT:
        return False, False  # no tail: the build removes a last one
    paths = [docs[i].path for i in range(start, end)]
    if not all(known.get(path) is not None for path in paths):
        # the segment was kept: the last file still holds its pages
        return (site_dir / TAIL_FILE).exists(), False
    data = {"code": _CODE, "pages": {path: [pages[path], dataclasses.asdict(known[path])] for path in paths}}
    return True, replace_if_changed(str(site_dir / TAIL_FILE),
                                    json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def write_search_index(site_dir: Path, pages: dict[str, str | None] | None = None,
                       workers: int | None = None) -> dict:
    """Index the article pages of ``site_dir`` into ``site_dir/search/``.

    ``pages``: every article page (relative path) with its render key (None:
    no key, always read); by default every article page there, all read.
    Returns stats, and the files it ``produced`` and ``changed`` (relative
    to ``site_dir``).  ``workers`` (default: one per core) share the
    reading and the postings; the files do not depend on it.
    """
    started = time.perf_counter()
    site_dir = Path(site_dir)
    workers = workers or os.cpu_count() or 1
    if pages is None:
        pages = dict.fromkeys(article_page_names(site_dir))
    known = _load_state(site_dir)
    fresh = [path for path, key in pages.items()
             if key is None or path not in known or known[path][0] != key]
    read = read_pages(site_dir, fresh, workers)
    state, docs = {}, []
    for path, key in pages.items():
        if path in read:
            page = read[path]
            remembered = [key, None] if page is None else [key, page.date, page.url, record_digest(page)]
        else:
            remembered = known.get(path)
            if remembered is None:  # not an article page
                continue
        state[path] = remembered
        if remembered[1] is not None:
            docs.append(_Doc(path, *remembered[1:]))
    docs.sort(key=order_key)
    tail = _load_tail(site_dir, pages)
    read_seconds = time.perf_counter() - started

    def records_of(ids):
        wanted = [docs[i].path for i in ids]
        missing = [path for path in wanted if path not in read and path not in tail]
        read.update(read_pages(site_dir, missing, workers))
        return [read[path] if path in read else tail[path] for path in wanted]

    stats = _write(docs, [d.digest for d in docs], records_of, site_dir / SEARCH_DIR, workers)
    produced = [f"{SEARCH_DIR}/{p}" for p in stats["produced"]]
    changed = [f"{SEARCH_DIR}/{p}" for p in stats["changed"]]
    state_path = site_dir / STATE_FILE
    state_path.parent.mkdir(parents=True, exist_ok=True)
    tail_kept, tail_changed = _save_tail(site_dir, docs, pages, {**tail, **read})
    if tail_kept:
        produced.append(TAIL_FILE)
    if tail_changed:
        changed.append(TAIL_FILE)
    data = json.dumps({"code": _CODE, "pages": state}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")
    if replace_if_changed(str(state_path), data):
        changed.append(STATE_FILE)
    produced.append(STATE_FILE)
    stats.update(seconds=round(time.perf_counter() - started, 3), read_seconds=round(read_seconds, 3),
                 pages_read=len(read), produced=produced, changed=changed)
    return stats
