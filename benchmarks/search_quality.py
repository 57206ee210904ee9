"""Search benchmark: quality, bandwidth and speed in a real browser.

    invoke bench-search --articles 10000

1. writes N synthetic articles (yingkou_archive.synthetic) and builds them
   with the real build (Pelican + search index);
2. makes a query set of three kinds from the built pages -- whole words,
   two-word phrases, 2-5 character substrings -- plus traditional-form
   versions of some of them;
3. truth: a page is relevant when the text of its <article> element (read
   with BeautifulSoup, independently of the indexer) contains the query,
   normalized as search normalizes (search_tokens.matches);
4. runs every query in headless Chromium on the built search page and
   reports recall, precision and precision of the top 10 per kind, bytes
   downloaded by the first query and by later ones, query latency and the
   indexing time.

Results go to stdout and, with ``write_docs``, into the "## Search" section
of docs/benchmarks.md.
"""

from __future__ import annotations

import datetime
import gzip
import json
import os
import random
import re
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from benchmarks.search_throttled import CPU_SLOWDOWN, THROTTLING, measure_throttled
from search import tokens as st
from tests.browser import launch_chromium, serve
from tests.search_truth import article_texts, doc_urls, relevant
from yingkou_archive.synthetic import generate_archive, lexicon

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("word", "phrase", "substring", "traditional")
DOCS_FILE = ROOT / "docs" / "benchmarks.md"


# ------------------------------------------------------------- queries --

def _segment(run: str, words: set[str], longest: int) -> list[str]:
    """Forward maximum matching over the generator's lexicon."""
    out, i = [], 0
    while i < len(run):
        for size in range(min(longest, len(run) - i), 0, -1):
            piece = run[i:i + size]
            if size == 1 or piece in words:
                out.append(piece)
                i += size
                break
    return out


def make_queries(texts: dict[str, str], per_kind: int, seed: int = 7) -> list[tuple[str, str]]:
    """(kind, query) pairs drawn from the built pages' text."""
    import opencc

    rng = random.Random(seed)
    urls = sorted(texts)
    words = {w for w in lexicon() if re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9.]+", w)}
    longest = max(map(len, words))
    runs = [r for url in rng.sample(urls, min(len(urls), 400)) for r in st.runs(texts[url])]
    segmented = [_segment(r, words, longest) for r in runs]
    found_words = sorted({w for seg in segmented for w in seg if w in words})
    pairs = sorted({a + b for seg in segmented for a, b in pairwise(seg)
                    if a in words and b in words})
    if not pairs:  # fall back to neighbouring segments of any kind
        pairs = sorted({a + b for seg in segmented for a, b in pairwise(seg)
                        if len(a) + len(b) >= 3})
    queries = [("word", w) for w in rng.sample(found_words, min(per_kind, len(found_words)))]
    queries += [("phrase", p) for p in rng.sample(pairs, min(per_kind, len(pairs)))]
    substrings = set()
    long_runs = [r for r in runs if len(r) >= 2]
    while len(substrings) < per_kind:
        run = rng.choice(long_runs)
        size = rng.randint(2, min(5, len(run)))
        start = rng.randint(0, len(run) - size)
        substrings.add(run[start:start + size])
    queries += [("substring", s) for s in sorted(substrings)]
    to_trad = opencc.OpenCC("s2t")
    trad = []
    for _, q in queries:
        t = to_trad.convert(q)
        if t != q:
            trad.append(t)
    queries += [("traditional", t) for t in rng.sample(trad, min(per_kind, len(trad)))]
    return queries


# ------------------------------------------------------------- browser --

@dataclass
class KindStats:
    recall: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)
    top10: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)


def _wait_done(page, timeout=60000):
    page.wait_for_function(
        "() => { const a = document.getElementById('search-app');"
        " return a && ['done','message','error'].includes(a.dataset.state)"
        " && (a.dataset.state !== 'done' || ['ready','deferred'].includes(a.dataset.facets)); }",
        timeout=timeout)


def measure(site_dir: Path, queries: list[tuple[str, str]], texts: dict[str, str],
            ui_samples: int = 20) -> dict:
    """Run the query set in Chromium; quality, bytes and latency figures."""

    from playwright.sync_api import sync_playwright

    id_to_url = doc_urls(site_dir)
    runs_cache: dict = {}
    stats = {kind: KindStats() for kind in KINDS}
    bytes_first: list[int] = []
    bytes_phone: list[int] = []
    # on a phone, the bytes of opening 筛选 after a first query (its facet counts)
    bytes_opened: list[int] = []
    bytes_later: list[int] = []
    requests_first: list[int] = []
    ui_ms: list[float] = []
    search_ms: list[float] = []
    first_by_query: list[tuple[int, str]] = []
    ms_by_query: list[tuple[float, str]] = []
    server = serve(site_dir)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            # Bytes of a first query: for every query a fresh browser context
            # (empty cache) opens the search page, searches, and waits for
            # results + facets.
            later_every = max(1, len(queries) // 8)
            for number, (_, query) in enumerate(queries):
                context = browser.new_context()
                page = context.new_page()
                seen: list[tuple[float, int]] = []  # (request start, ms since the epoch; bytes)
                page.on("response", lambda r, seen=seen: seen.append(_sent(r)))
                page.goto(base + "search/")
                page.wait_for_function("document.getElementById('search-app').dataset.state === 'idle'")
                seen.clear()  # the page itself is not part of the query
                page.fill("#search-q", query)
                page.press("#search-q", "Enter")
                _wait_done(page)
                own = _own_responses(page, seen, since=0.0)
                bytes_first.append(sum(own))
                requests_first.append(len(own))
                first_by_query.append((sum(own), query))
                # for 8 of them, later queries in the same page: bytes and
                # time until results are shown
                if number % later_every == 0 and len(bytes_later) < ui_samples + 4:
                    for _, later in queries[1::max(1, len(queries) // ui_samples)][:ui_samples // 8 + 1]:
                        seen.clear()
                        started, since = time.perf_counter(), time.time() * 1000
                        page.fill("#search-q", later)
                        page.press("#search-q", "Enter")
                        _wait_done(page)
                        ui_ms.append(page.evaluate(
                            "() => window.__lastSearchMs || 0") or (time.perf_counter() - started) * 1000)
                        bytes_later.append(sum(_own_responses(page, seen, since)))
                context.close()
                phone, opened = _phone_first_query(browser, base, query)
                bytes_phone.append(phone)
                bytes_opened.append(opened)
            # Quality: every query through the page's own search function.
            context = browser.new_context()
            page = context.new_page()
            page.goto(base + "search/")
            page.wait_for_function("document.getElementById('search-app').dataset.state === 'idle'")
            for kind, query in queries:
                outcome = page.evaluate("q => window.yingkouSearch(q)", query)
                search_ms.append(outcome["ms"])
                ms_by_query.append((outcome["ms"], query))
                got = [id_to_url.get(i, i) for i in outcome["ids"]]
                truth = relevant(query, texts, runs_cache)
                hit = truth.intersection(got)
                s = stats[kind]
                s.recall.append(len(hit) / len(truth) if truth else 1.0)
                s.precision.append(len(hit) / len(got) if got else (1.0 if not truth else 0.0))
                top = got[:10]
                s.top10.append(sum(u in truth for u in top) / len(top) if top else
                               (1.0 if not truth else 0.0))
                if truth != set(got):
                    s.misses.append(f"{query}: 漏 {len(truth - set(got))} 多 {len(set(got) - truth)}")
            context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return {
        "kinds": {k: {"queries": len(v.recall),
                      "recall": _mean(v.recall), "precision": _mean(v.precision),
                      "top10": _mean(v.top10), "misses": v.misses[:5]}
                  for k, v in stats.items() if v.recall},
        "first_query_bytes": _summary(bytes_first),
        "later_query_bytes": _summary(bytes_later),
        "first_query_requests": _summary(requests_first),
        "phone_first_bytes": _summary(bytes_phone),
        "phone_opened_bytes": _summary(bytes_opened),
        "phone_over": {kb: sum(b > kb * 1024 for b in bytes_phone) for kb in (200, 300)},
        "search_ms": _summary(search_ms),
        "ui_ms": _summary(ui_ms),
        "largest_first": sorted(first_by_query, reverse=True)[:3],
        # issue 3's budgets: 200 KB at 10,000 articles, 300 KB at 50,000
        "first_over": {kb: sum(b > kb * 1024 for b in bytes_first) for kb in (200, 300)},
        "slowest": sorted(ms_by_query, reverse=True)[:3],
    }


def _phone_first_query(browser, base: str, query: str) -> tuple[int, int]:
    """Bytes of a first query at 390 px, where the facets are collapsed,
    until the results are shown; then the bytes of opening 筛选 (the
    facet counts), until they are shown."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    seen: list[tuple[float, int]] = []
    page.on("response", lambda r, seen=seen: seen.append(_sent(r)))
    page.goto(base + "search/")
    page.wait_for_function("document.getElementById('search-app').dataset.state === 'idle'")
    seen.clear()
    page.fill("#search-q", query)
    page.press("#search-q", "Enter")
    _wait_done(page)
    first = sum(_own_responses(page, seen, since=0.0))
    opened = 0
    if page.is_visible("#search-filters > summary"):
        page.wait_for_load_state("networkidle")  # the shard tables the page warms, not the counts
        since = time.time() * 1000
        seen.clear()
        page.click("#search-filters > summary")
        page.wait_for_function("document.getElementById('search-app').dataset.facets === 'ready'")
        opened = sum(size for start, size in seen if start >= since)
    context.close()
    return first, opened


def _sent(response) -> tuple[float, int]:
    return response.request.timing["startTime"], _transfer_size(response)


def _own_responses(page, seen: list[tuple[float, int]], since: float) -> list[int]:
    """The sizes of the responses a search asked for: requested after
    ``since`` (ms since the epoch) and before the page began fetching the
    shard tables in the background (search.js ``warmIndex`` marks it),
    which the search does not wait for and which would otherwise count
    as much of them as had arrived when the harness looked."""
    warm = page.evaluate("() => { const m = performance.getEntriesByName('search:warm').pop();"
                         " return m ? performance.timeOrigin + m.startTime : null; }")
    if warm is not None and warm < since:  # an earlier search's: this one did not fetch any
        warm = None
    return [size for start, size in seen if start >= since and (warm is None or start < warm)]


def _transfer_size(response) -> int:
    """Bytes on the wire for one response (body as sent, gzip included)."""
    try:
        sizes = response.request.sizes()
        return int(sizes.get("responseBodySize", 0)) + int(sizes.get("responseHeadersSize", 0))
    except Exception:  # pragma: no cover - a failed or aborted request
        return 0


def _mean(values):
    return round(sum(values) / len(values), 4) if values else None


def _summary(values):
    if not values:
        return None
    values = sorted(values)
    return {"n": len(values), "median": round(statistics.median(values), 1),
            "p90": round(values[int(0.9 * (len(values) - 1))], 1), "max": round(values[-1], 1)}


# ------------------------------------------------------------ driver --

def run_benchmark(articles: int, per_kind: int = 40, seed: int = 1,
                  work_dir: Path | None = None, keep: bool = False) -> dict:
    """Generate, build, measure.  Returns the figures (also printed)."""
    from sitebuild.build import build_site

    work = Path(work_dir or tempfile.mkdtemp(prefix="bench-search-"))
    content, output = work / "content", work / "output"
    try:
        started = time.perf_counter()
        generate_archive(content, articles, seed=seed)
        generated = time.perf_counter() - started
        result = build_site(content, output)
        figures = measure_site(output, per_kind)
        figures.update({
            "articles": articles,
            "generate_seconds": round(generated, 1),
            "build_seconds": round(result.seconds, 1),
            "index_seconds": (result.search or {}).get("seconds"),
            "index": {**(result.search or {}), "manifest_gzip": built_index_figures(output)["manifest_gzip"]},
        })
        return figures
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def measure_site(output: Path, per_kind: int = 40) -> dict:
    """Quality, bytes and speed of the search of a site already built in
    ``output``: queries made from its pages, then the throttled sample."""
    texts = article_texts(output)
    queries = make_queries(texts, per_kind)
    figures = measure(output, queries, texts)
    # a sample of every kind, in pairs: one opened, one typed after it
    sample = [q for i, (_, q) in enumerate(queries) if i % 4 == 0][:40]
    throttled = measure_throttled(output, sample)
    figures["throttled"] = {name: _summary(values) for name, values in throttled.items()}
    figures["articles"] = len(texts)
    return figures


def built_index_figures(output: Path) -> dict:
    """What ``report`` says about the index of a site built elsewhere (by
    ``invoke bench --keep``): files, bytes and segments under search/."""
    folder = output / "search"
    files = [p for p in folder.rglob("*") if p.is_file()]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files),
            # loaded with the page (it carries it: search/page_manifest.py), so
            # not in the first query's bytes: reported beside them
            "manifest_gzip": len(gzip.compress((folder / "manifest.json").read_bytes(), 9)),
            "segments": len(manifest["segments"]),
            "segment_docs": [s["docs"] for s in manifest["segments"]]}


def report(figures: dict) -> str:
    """Markdown table of one run."""
    lines = [f"### {figures['articles']:,} articles", ""]
    if figures.get("measured"):
        m = figures["measured"]
        lines += [f"Run of {m['date']}: 1-minute load average {m['load_before']:.2f} before, "
                  f"{m['load_after']:.2f} after.", ""]
    lines += ["| kind | queries | recall | precision | top-10 precision |",
             "| --- | ---: | ---: | ---: | ---: |"]
    names = {"word": "whole words", "phrase": "two-word phrases",
             "substring": "2–5 character substrings", "traditional": "traditional-form queries"}
    for kind, row in figures["kinds"].items():
        lines.append(f"| {names[kind]} | {row['queries']} | {row['recall']:.4f} | "
                     f"{row['precision']:.4f} | {row['top10']:.4f} |")
    fb, lb = figures["first_query_bytes"], figures["later_query_bytes"]
    sm, um = figures["search_ms"], figures["ui_ms"]
    ix = figures.get("index", {})
    lines += [
        "",
        f"- first query, bytes on the wire (fresh cache, gzip for text files as hosts serve them; "
        f"search page HTML/CSS excluded, and with them the manifest the page carries, "
        f"{ix.get('manifest_gzip', 0) / 1024:.1f} KB gzipped): median {fb['median'] / 1024:.1f} KB, "
        f"p90 {fb['p90'] / 1024:.1f} KB, max {fb['max'] / 1024:.1f} KB (n={fb['n']})"
        + "".join(f"; over {kb} KB: {n}" for kb, n in figures.get("first_over", {}).items())
        + (f"; requests median {figures['first_query_requests']['median']}, "
           f"max {figures['first_query_requests']['max']}" if figures.get("first_query_requests") else ""),
        *_phone_lines(figures),
        f"- later queries, bytes: median {lb['median'] / 1024:.1f} KB, p90 {lb['p90'] / 1024:.1f} KB, "
        f"max {lb['max'] / 1024:.1f} KB (n={lb['n']})",
        f"- later queries, time in Chromium (fetching from a local server the files not loaded yet, "
        f"lookups, intersections, ranking, facet counts): "
        f"median {sm['median']} ms, "
        f"p90 {sm['p90']} ms, max {sm['max']} ms (n={sm['n']})",
        (f"- indexing: {figures['index_seconds']} s for {figures['articles']:,} articles "
         f"(of which reading pages {ix.get('read_seconds')} s; whole build {figures['build_seconds']} s)"
         if figures.get("index_seconds") is not None else
         f"- the site was built beforehand and given with `--site`; "
         f"segments of {', '.join(f'{n:,}' for n in ix.get('segment_docs', []))} documents"),
        f"- index: {ix.get('files', 0):,} files, {ix.get('bytes', 0) / 1e6:.1f} MB in "
        f"{ix.get('segments', 0)} segments"
        + (f"; largest shard with its positions {ix.get('shard_max', 0) / 1024:.1f} KB; facet members "
           f"{ix.get('written', {}).get('attrs_bytes', 0) / 1024:.1f} KB; "
           f"{ix.get('written', {}).get('grams', 0):,} grams" if ix.get("written") else ""),
    ]
    if figures.get("largest_first"):
        lines.append("- largest first queries: " + ", ".join(
            f"{q} {b / 1024:.1f} KB" for b, q in figures["largest_first"])
            + "; slowest later queries: " + ", ".join(
            f"{q} {ms:.1f} ms" for ms, q in figures["slowest"]))
    throttled = figures.get("throttled") or {}
    if throttled.get("opened"):
        opened, typed = throttled["opened"], throttled.get("typed") or {}
        first = throttled.get("opened_first") or {}
        lines.append(
            f"- first results on a phone-like connection ({THROTTLING['latency']} ms round trip, "
            f"{THROTTLING['downloadThroughput'] * 8 / 1e6:.1f} Mbit/s, CPU {CPU_SLOWDOWN}× slower; "
            f"benchmarks/search_throttled.py): opening search/?q= median {opened['median']:.0f} ms, "
            f"p90 {opened['p90']:.0f} ms, max {opened['max']:.0f} ms (n={opened['n']}), the first result "
            f"of those median {first.get('median', 0):.0f} ms, p90 {first.get('p90', 0):.0f} ms; a query typed on "
            f"the open page: median {typed.get('median', 0):.0f} ms, p90 {typed.get('p90', 0):.0f} ms, "
            f"max {typed.get('max', 0):.0f} ms")
    if um:
        lines.append(f"- later queries through the UI (type + Enter until results and facets shown): "
                     f"median {um['median']} ms, p90 {um['p90']} ms (n={um['n']})")
    misses = [m for row in figures["kinds"].values() for m in row["misses"]]
    if misses:
        lines.append("- queries whose result set differs from the truth: " + "; ".join(misses[:8]))
    return "\n".join(lines)


def _phone_lines(figures: dict) -> list[str]:
    phone, opened = figures.get("phone_first_bytes"), figures.get("phone_opened_bytes")
    if not phone:
        return []
    return [f"- first query on a phone (390 px: the facets collapsed under 筛选, their counts fetched "
            f"when it is opened), bytes until the results are shown: median {phone['median'] / 1024:.1f} KB, "
            f"p90 {phone['p90'] / 1024:.1f} KB, max {phone['max'] / 1024:.1f} KB (n={phone['n']})"
            + "".join(f"; over {kb} KB: {n}" for kb, n in figures.get("phone_over", {}).items())
            + f"; then opening 筛选: median {opened['median'] / 1024:.1f} KB, p90 {opened['p90'] / 1024:.1f} KB, "
            f"max {opened['max'] / 1024:.1f} KB"]


SECTION_INTRO = (
    "Produced by `invoke bench-search --articles N` (benchmarks/search_quality.py) on this "
    "machine: synthetic archive from yingkou_archive/synthetic.py (seed 1), built with the "
    "real build, queries run in headless Debian Chromium through the search page's own "
    "search function; truth = pages whose `<article>` text contains the query "
    "(normalized as search normalizes). First-query bytes count everything the search "
    "downloads after the page has loaded (per segment the directory entries, shards, "
    "positions and facet values it needs; the 10 displayed results' documents; the t2s "
    "pieces when needed), response headers included, until the page starts fetching the "
    "shard tables in the background (search.js `warmIndex`; later queries' bytes likewise "
    "stop there; from the sixteenth session on). Each first query is also run at 390 px "
    "(a phone: the facets are collapsed under 筛选 and their counts are fetched only when "
    "it is opened, from the twentieth session on): the bytes until its results are shown, "
    "then the bytes of opening 筛选. The scripts and the manifest load "
    "with the page and are not counted (the manifest is in the search page since the "
    "eighth session; its gzipped size is given beside the figure). Each run's figures go "
    "first under their size, with the date and load average; earlier runs stay below. "
    "The engine is our own static index (docs/search.md); the Pagefind figures it replaced "
    "are in docs/search.md.\n")


def update_docs(figures: dict, path: Path = DOCS_FILE) -> None:
    """Put one run's table into the "## Search" section of docs/benchmarks.md.

    The section's introduction is rewritten each time (it describes the
    method of this script).

    Only that section is touched; inside it, the run goes first in the
    subsection for the same number of articles, above the earlier runs.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    section_re = re.compile(r"^## Search\n.*?(?=^## |\Z)", re.S | re.M)
    match = section_re.search(text)
    section = match.group(0) if match else "## Search\n\n" + SECTION_INTRO
    first_sub = section.find("\n### ")
    section = "## Search\n\n" + SECTION_INTRO + (section[first_sub:] if first_sub >= 0 else "")
    heading = f"### {figures['articles']:,} articles"
    sub_re = re.compile(rf"^{re.escape(heading)}\n.*?(?=^### |\Z)", re.S | re.M)
    table = report(figures).rstrip("\n") + "\n\n"
    # the new run goes first; what was under the heading (earlier runs, and
    # the notes written about them) stays below it
    section = sub_re.sub(lambda old: table + old.group(0)[len(heading):].lstrip("\n"), section) \
        if sub_re.search(section) else section.rstrip("\n") + "\n\n" + table
    if match:
        text = text[:match.start()] + section + text[match.end():]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main(articles: int = 5000, per_kind: int = 40, seed: int = 1, write: bool = True,
         site: Path | None = None) -> dict:
    """What ``invoke bench-search --articles N`` runs: measure, print, record.
    With ``site`` (an output folder, e.g. the one ``invoke bench --keep``
    leaves), measure that site instead of building one."""
    load_before = os.getloadavg()[0]
    if site:
        output = Path(site)
        figures = measure_site(output, per_kind)
        figures.update({"index": built_index_figures(output), "index_seconds": None})
    else:
        figures = run_benchmark(articles, per_kind=per_kind, seed=seed)
    figures["measured"] = {"date": datetime.date.today().isoformat(),
                           "load_before": load_before, "load_after": os.getloadavg()[0]}
    print(report(figures))
    if write:
        update_docs(figures)
    return figures
