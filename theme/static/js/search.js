// The search page: query box, results, facets, sorting and URL state.
//
// search-engine.js reads the static index in search/ (docs/search.md);
// search/tokens.py and its mirror search-tokens.js decide
// what a token is.  Every run of Han characters, letters and digits in the
// query is found exactly as a substring (recall and precision against plain
// substring search).  Nothing from a query or an article is
// ever inserted as HTML: all text goes through textContent, highlights are
// <mark> elements made with createElement.

import { DamagedIndexError, IndexFormatError, SearchIndex } from "./search-engine.js";
import { readMember } from "./search-pack.js";
import { MAX_QUERY_CHARS, findMatches, needsT2S, parseQuery, setT2S } from "./search-tokens.js";

const PAGE_SIZE = 10;
const SITE_NAME = document.title.split(" - ").pop();
// Typing searches after this pause (never while an IME composes): short
// enough that a later query shows within 300 ms of the last key.
const LIVE_DELAY_MS = 150;
const SORTS = ["relevance", "newest", "oldest"];

const app = document.getElementById("search-app");
// [name, label] of each kind of term (yingkou_archive/kinds.py, written into
// the page by the template), then the year.
const KINDS = JSON.parse(app.dataset.kinds || "[]");
const FACETS = [...KINDS, ["year", "年份"]];
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const sortSelect = document.getElementById("search-sort");
const statusBox = document.getElementById("search-status");
const facetsBox = document.getElementById("search-facets");
// The facets live in a <details>: collapsed under a 筛选 button on narrow
// screens (results come first), always open on wide ones.
const filtersBox = document.getElementById("search-filters");
const filtersSummary = filtersBox.querySelector("summary");
const wide = window.matchMedia("(min-width: 48.01rem)");
function fitFilters() {
  if (wide.matches) filtersBox.open = true;
}
wide.addEventListener("change", fitFilters);
fitFilters();
const list = document.getElementById("search-results");
const moreButton = document.getElementById("search-more");

const ownDir = new URL(".", import.meta.url); // .../theme/js/
const siteRoot = new URL(app.dataset.siteRoot || "../../", app.dataset.siteRoot ? location.href : ownDir);
const bundleUrl = new URL(app.dataset.bundle || "search/", app.dataset.bundle ? location.href : siteRoot);

// ---------------------------------------------------------------- engine --

let enginePromise = null;

// The manifest the build wrote into the page (search/page_manifest.py):
// the first search needs no request for it.  Empty (a site built without
// the index) or unreadable, manifest.json is fetched instead.
function pageManifest() {
  const text = document.getElementById("search-manifest")?.textContent.trim();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

// The index manifest, read on the first search; the rest of the index
// comes as the searches need it.
function loadEngine() {
  if (!enginePromise) {
    enginePromise = SearchIndex.open(bundleUrl, pageManifest()).then((index) => (
      { index, config: index.manifest, t2sPairs: "", t2sBlocks: new Set() }));
    enginePromise.catch(() => { enginePromise = null; });
  }
  return enginePromise;
}

// The traditional->simplified pairs the query needs: the pieces of the map
// (by code point >> 8, members of t2s.bin, fetched by range) holding its
// characters.
async function ensureT2S(engine, text) {
  if (!needsT2S(text, engine.config)) return;
  const listed = new Map(engine.config.t2sBlocks.map(([block, offset, length]) => [block, [offset, length]]));
  const blocks = new Set();
  for (const ch of text) {
    const block = ch.codePointAt(0) >> 8;
    if (listed.has(block) && !engine.t2sBlocks.has(block) && needsT2S(ch, engine.config)) blocks.add(block);
  }
  if (!blocks.size) return;
  const { index } = engine;
  const parts = await Promise.all([...blocks].map(async (block) => {
    const [offset, length] = listed.get(block);
    const raw = await index.files.range(engine.config.t2sPack, engine.config.build, offset, length);
    const body = await readMember(raw, index.rules, index.rules.members.t2s, block, 0, `t2s ${block}`);
    return { pairs: new TextDecoder().decode(body) };
  }));
  blocks.forEach((block) => engine.t2sBlocks.add(block));
  engine.t2sPairs += parts.map((part) => part.pairs).join("");
  setT2S(engine.t2sPairs);
}

// ----------------------------------------------------------------- state --

function readState(params = new URLSearchParams(location.search)) {
  const state = { q: params.get("q") || "", sort: params.get("sort") || "relevance", filters: {} };
  if (!SORTS.includes(state.sort)) state.sort = "relevance";
  for (const [key] of FACETS) {
    const value = params.get(key);
    if (value) state.filters[key] = value;
  }
  return state;
}

function stateUrl(state) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  for (const [key] of FACETS) if (state.filters[key]) params.set(key, state.filters[key]);
  if (state.sort !== "relevance") params.set("sort", state.sort);
  const query = params.toString();
  return location.pathname + (query ? `?${query}` : "");
}

let current = readState();
let liveSession = false; // true while typing has already pushed a history entry

function commit(state, { replace = false } = {}) {
  current = state;
  const url = stateUrl(state);
  if (url !== location.pathname + location.search) {
    history[replace ? "replaceState" : "pushState"]({ search: true }, "", url);
  }
  run(state);
}

// ---------------------------------------------------------------- search --

let searchSeq = 0;
let shown = new Int32Array(0); // ordered result ids of the current search
let shownCount = 0;
let phrasesShown = [];

function check(state) {
  const q = state.q.trim();
  if (!q) return { message: "请输入要搜索的词语。" };
  const length = Array.from(q).length;
  if (length > MAX_QUERY_CHARS) {
    return { message: `搜索词太长（${length} 个字），请缩短到 ${MAX_QUERY_CHARS} 个字以内再试。` };
  }
  const phrases = parseQuery(q);
  if (!phrases.length) {
    return { message: "搜索词里没有可以搜索的文字（汉字、字母或数字），请换一个词。" };
  }
  const note = /[<>&]/.test(q) ? "搜索词中的 < > & 等符号会被忽略，只搜索其中的文字。" : "";
  return { phrases, note };
}

async function run(state, { restore = null } = {}) {
  const seq = ++searchSeq;
  performance.clearMarks("search:results");
  performance.clearMarks("search:first");
  performance.mark("search:start"); // for the benchmark: time to first results
  delete app.dataset.facets;
  pendingFacets = null;
  syncControls(state);
  setTitle(state);
  const started = performance.now();
  const checked = check(state);
  if (checked.message) {
    finish(seq, { message: checked.message, state });
    return;
  }
  setStatus("正在搜索…");
  app.dataset.state = "searching";
  try {
    const engine = await loadEngine();
    engine.index.pause();
    await ensureT2S(engine, state.q);
    // The map may have changed how the query normalizes: parse again.
    const phrases = parseQuery(state.q.trim());
    const outcome = await searchPhrases(engine, phrases, state);
    if (seq !== searchSeq) return;
    shown = outcome.ids;
    shownCount = 0;
    phrasesShown = phrases;
    list.replaceChildren();
    // the first results are shown as soon as they are known; the facet
    // counts follow (they need every segment's facet values)
    await showMore(engine, seq, { upTo: restore ? restore.shown : PAGE_SIZE });
    if (seq !== searchSeq) return;
    performance.mark("search:results");
    finish(seq, { state, count: shown.length, note: checked.note, started });
    // the facets' place is taken now (they fill in later), so nothing moves then
    if (shown.length || Object.keys(state.filters).length) filtersBox.hidden = false;
    if (restore) window.scrollTo(0, restore.scroll);
    if (filtersBox.open || Object.keys(state.filters).length) {
      await showFacets(seq, outcome, state);
      if (seq !== searchSeq) return;
    } else {
      deferFacets(seq, outcome, state);
    }
    warmIndex(engine);
  } catch (error) {
    if (seq !== searchSeq) return;
    console.error(error);
    let message = "搜索索引加载失败，请稍后刷新页面重试。";
    if (error instanceof IndexFormatError) {
      message = "搜索索引与本页面的版本不一致（网站可能刚刚更新），请刷新页面；仍然如此，请告知网站管理员重新生成站点。";
    } else if (error instanceof DamagedIndexError) {
      message = "搜索索引已损坏或不完整（网站可能正在更新），请稍后刷新页面；仍然如此，请告知网站管理员重新生成站点。";
    }
    finish(seq, { message, state, error: true });
  }
}

// The facet counts need every segment's facet values for a broad word
// (about 220 KB at 100,000 articles, docs/benchmarks.md): where the facets
// are collapsed under 筛选 (narrow screens) they are fetched when the
// reader opens it, not with every search.  With a filter chosen the
// counts come with the results and are shown at once.
let pendingFacets = null; // { seq, outcome, state } of the search shown, counts not fetched

async function showFacets(seq, outcome, state) {
  const counts = await outcome.counts();
  if (seq !== searchSeq) return;
  renderFacets(counts, state);
  app.dataset.facets = "ready";
}

function deferFacets(seq, outcome, state) {
  pendingFacets = { seq, outcome, state };
  const note = document.createElement("p");
  note.className = "facet-note";
  note.textContent = "正在统计各项的结果数…";
  facetsBox.replaceChildren(note);
  filtersSummary.textContent = "筛选";
  app.dataset.facets = "deferred";
}

filtersBox.addEventListener("toggle", () => {
  if (!filtersBox.open || !pendingFacets) return;
  const { seq, outcome, state } = pendingFacets;
  pendingFacets = null;
  app.dataset.facets = "loading";
  showFacets(seq, outcome, state).catch((error) => {
    if (seq !== searchSeq) return;
    console.error(error);
    facetsBox.firstChild.textContent = "筛选项加载失败，请稍后再打开一次。";
    pendingFacets = { seq, outcome, state };
    app.dataset.facets = "deferred";
  });
});

// Once a search's results (and the counts, where the facets are open) are
// shown: the shard tables, so that
// later searches skip a round trip (docs/search.md), unless the reader's
// browser asks to save data.
function warmIndex(engine) {
  if (navigator.connection && navigator.connection.saveData) return;
  // the benchmark counts a query's bytes up to here (benchmarks/search_quality.py)
  performance.mark("search:warm");
  engine.index.warm();
}

// Ordered result ids (by relevance, unless sorted by date) and a promise of
// the facet counts; every phrase must match.
function searchPhrases(engine, phrases, state) {
  return engine.index.find(phrases, { filters: state.filters, sort: state.sort });
}

// The page title names the query, so history, tabs and bookmarks tell
// searches apart.
function setTitle(state) {
  const q = state.q.trim();
  document.title = q ? `“${q}”的搜索结果 - ${SITE_NAME}` : `搜索 - ${SITE_NAME}`;
}

// ---------------------------------------------------------------- render --

async function showMore(engine, seq, { focus = false, upTo = shownCount + PAGE_SIZE } = {}) {
  const batch = Array.from(shown.subarray(shownCount, Math.max(upTo, shownCount + PAGE_SIZE)));
  // all requested at once, each shown as soon as it and those above it are
  // here (on HTTP/1.1 ten documents need two rounds of six connections, so
  // the first screenful need not wait for the second round); "more" waits
  // until this batch is complete
  const pending = batch.map((id) => engine.index.doc(id));
  pending.forEach((promise) => promise.catch(() => {})); // the first failure is thrown below
  const nodes = [];
  moreButton.disabled = true;
  try {
    for (const promise of pending) {
      const doc = await promise;
      if (seq !== searchSeq) return;
      const node = resultItem(doc, phrasesShown);
      list.append(node);
      nodes.push(node);
      if (!shownCount) performance.mark("search:first"); // for the benchmark: the first result on screen
      shownCount++;
    }
  } finally {
    if (seq === searchSeq) moreButton.disabled = false;
  }
  const left = shown.length - shownCount;
  moreButton.hidden = left <= 0;
  moreButton.textContent = `显示更多结果（还有 ${left} 篇）`;
  remember();
  if (focus && nodes.length) nodes[0].querySelector("a").focus();
}

// How many results are shown and where the reader is, kept in the history
// entry, so Back from an article shows the same list at the same place.
function remember() {
  const saved = history.state || {};
  if (saved.shown === shownCount && saved.scroll === Math.round(window.scrollY)) return;
  history.replaceState({ ...saved, search: true, shown: shownCount, scroll: Math.round(window.scrollY) }, "");
}

// One result line from a document's display data (search-engine.js doc()).
function resultItem(doc, phrases) {
  const item = document.createElement("li");
  item.className = "search-result";

  const heading = document.createElement("h2");
  heading.className = "search-result-title";
  const link = document.createElement("a");
  const url = new URL(String(doc.u || "").replace(/^\/+/, ""), siteRoot);
  url.searchParams.set("highlight", phrases.join(" "));
  link.href = url.href;
  appendHighlighted(link, doc.t || url.pathname, phrases);
  heading.append(link);

  const meta = document.createElement("p");
  meta.className = "search-result-meta";
  const time = document.createElement("time");
  time.dateTime = doc.d || "";
  time.textContent = chineseDate(doc.d);
  meta.append(time);
  const terms = doc.k || {};
  for (const [name, label] of KINDS) {
    const value = terms[name];
    if (!value) continue;
    const span = document.createElement("span");
    span.className = "search-result-term";
    span.textContent = `${label}：${value}`;
    meta.append(" · ", span);
  }

  // The excerpt is always article text: around the first match in the
  // body, else the start of the body.  A phrase found only in the
  // metadata (topic, district, agency, author, source) is named below it.
  const excerpt = document.createElement("p");
  excerpt.className = "search-result-excerpt";
  const body = String(doc.b || "");
  const { text, ranges } = excerptOf(body, phrases);
  appendRanges(excerpt, text, ranges);
  item.append(heading, meta, excerpt);

  const title = String(doc.t || "");
  const elsewhere = phrases.filter((p) => !findMatches(body, [p]).length && !findMatches(title, [p]).length);
  const lines = String(doc.h || "").split("\n").filter((line) => findMatches(line, elsewhere).length);
  if (lines.length) {
    const tags = document.createElement("p");
    tags.className = "search-result-tags";
    tags.append("只在标注中出现：");
    lines.forEach((line, i) => {
      if (i) tags.append("；");
      appendHighlighted(tags, line, elsewhere);
    });
    item.append(tags);
  }
  return item;
}

// A window of the article text around the first match, in original text
// (the build's inserted spaces removed), with match ranges inside it.
function excerptOf(body, phrases, before = 30, length = 110) {
  const chars = Array.from(body);
  const ranges = findMatches(body, phrases);
  let start = 0;
  if (ranges.length) start = Math.max(0, ranges[0][0] - before);
  const end = Math.min(chars.length, start + length);
  const inside = ranges
    .filter(([a, b]) => a < end && b > start)
    .map(([a, b]) => [Math.max(a, start) - start, Math.min(b, end) - start]);
  let text = chars.slice(start, end).join("");
  let shift = 0;
  if (start > 0) { text = "…" + text; shift = 1; }
  if (end < chars.length) text += "…";
  return { text, ranges: inside.map(([a, b]) => [a + shift, b + shift]) };
}

function appendHighlighted(parent, text, phrases) {
  appendRanges(parent, text, findMatches(text, phrases));
}

// Text with [start, end) code point ranges wrapped in <mark>, built as DOM.
function appendRanges(parent, text, ranges) {
  const chars = Array.from(text);
  let at = 0;
  for (const [a, b] of ranges) {
    if (a > at) parent.append(document.createTextNode(chars.slice(at, a).join("")));
    const mark = document.createElement("mark");
    mark.textContent = chars.slice(a, b).join("");
    parent.append(mark);
    at = b;
  }
  if (at < chars.length) parent.append(document.createTextNode(chars.slice(at).join("")));
}

function chineseDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : "";
}

function renderFacets(counts, state) {
  // a facet radio chosen with the arrow keys is redrawn: keep the focus on it
  const focused = facetsBox.contains(document.activeElement) ? document.activeElement : null;
  const keep = focused && focused.name ? [focused.name, focused.value] : null;
  facetsBox.replaceChildren();
  let any = false;
  for (const [key, label] of FACETS) {
    const values = Object.entries(counts[key] || {}).filter(([v, n]) => n > 0 || v === state.filters[key]);
    if (!values.length && !state.filters[key]) continue;
    any = true;
    values.sort((a, b) => (key === "year" ? (a[0] < b[0] ? 1 : -1) : b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
    const fieldset = document.createElement("fieldset");
    fieldset.className = "facet";
    const legend = document.createElement("legend");
    legend.textContent = label;
    fieldset.append(legend);
    const ul = document.createElement("ul");
    ul.append(facetOption(key, "", `全部${label}`, null, !state.filters[key]));
    for (const [value, n] of values) {
      ul.append(facetOption(key, value, value, n, state.filters[key] === value));
    }
    fieldset.append(ul);
    facetsBox.append(fieldset);
  }
  filtersBox.hidden = !any && !Object.keys(state.filters).length;
  const chosen = Object.keys(state.filters).filter((key) => state.filters[key]).length;
  filtersSummary.textContent = chosen ? `筛选（已选 ${chosen} 项）` : "筛选";
  if (keep) {
    const again = [...facetsBox.querySelectorAll("input")].find((r) => r.name === keep[0] && r.value === keep[1]);
    if (again) again.focus();
  }
}

function facetOption(key, value, text, count, checked) {
  const li = document.createElement("li");
  const labelEl = document.createElement("label");
  const radio = document.createElement("input");
  radio.type = "radio";
  radio.name = `facet-${key}`;
  radio.value = value;
  radio.checked = checked;
  radio.addEventListener("change", () => {
    const filters = { ...current.filters };
    if (value) filters[key] = value; else delete filters[key];
    liveSession = false;
    commit({ ...current, filters });
  });
  labelEl.append(radio, document.createTextNode(" " + text));
  if (count !== null) {
    const span = document.createElement("span");
    span.className = "facet-count";
    span.textContent = `（${count}）`;
    labelEl.append(span);
  }
  li.append(labelEl);
  return li;
}

function setStatus(text) {
  statusBox.textContent = text;
}

function finish(seq, { message, state, count, note, started, error }) {
  if (seq !== searchSeq) return;
  if (message) {
    list.replaceChildren();
    facetsBox.replaceChildren();
    filtersBox.hidden = true;
    moreButton.hidden = true;
    setStatus(message);
    app.dataset.state = error ? "error" : "message";
  } else {
    const filtered = Object.keys(state.filters).length ? "（已按筛选条件过滤）" : "";
    const shownQuery = state.q.trim(); // as typed: not reordered or lower-cased
    setStatus(count
      ? `找到 ${count} 篇包含“${shownQuery}”的文章${filtered}。${note}`
      : `没有找到包含“${shownQuery}”的文章${filtered}。可以试试更短的词，或去掉筛选条件。${note}`);
    app.dataset.state = "done";
  }
  const ms = started ? performance.now() - started : 0;
  app.dataset.count = String(count || 0);
  window.__lastSearchMs = ms;
  app.dispatchEvent(new CustomEvent("search:done", { detail: { q: state.q, count: count || 0, ms, message: message || "" } }));
}

function syncControls(state) {
  if (input.value !== state.q && document.activeElement !== input) input.value = state.q;
  sortSelect.value = state.sort;
}

// ------------------------------------------------------------ interaction --

let composing = false;
let liveTimer = 0;

input.addEventListener("compositionstart", () => {
  composing = true;
  clearTimeout(liveTimer);
});
input.addEventListener("compositionend", () => {
  composing = false;
  scheduleLive();
});
input.addEventListener("input", (event) => {
  // While an IME is composing (pinyin letters on screen) nothing is searched.
  if (composing || event.isComposing) return;
  scheduleLive();
});

function scheduleLive() {
  clearTimeout(liveTimer);
  liveTimer = setTimeout(() => {
    if (composing || input.value === current.q) return;
    // The first search of a typing session adds a history entry; further
    // keystrokes replace it, so Back returns to the previous search.
    commit({ ...current, q: input.value }, { replace: liveSession });
    liveSession = true;
  }, LIVE_DELAY_MS);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (composing) return; // Enter that confirms an IME candidate
  clearTimeout(liveTimer);
  const replace = liveSession && input.value === current.q;
  liveSession = false;
  commit({ ...current, q: input.value }, { replace });
});

sortSelect.addEventListener("change", () => {
  liveSession = false;
  commit({ ...current, sort: sortSelect.value });
});

moreButton.addEventListener("click", async () => {
  const seq = searchSeq;
  const engine = await loadEngine();
  await showMore(engine, seq, { focus: true });
});

window.addEventListener("popstate", (event) => {
  liveSession = false;
  clearTimeout(liveTimer);
  current = readState();
  input.value = current.q;
  run(current, { restore: savedView(event.state) });
});

// The saved list length and scroll of a history entry (remember()).
function savedView(saved) {
  return saved && saved.shown > 0 ? { shown: saved.shown, scroll: saved.scroll || 0 } : null;
}

// The page restores the scroll position itself, once the results it had
// shown are back (the browser would scroll before they are).
history.scrollRestoration = "manual";
let scrollTimer = 0;
window.addEventListener("scroll", () => {
  clearTimeout(scrollTimer);
  scrollTimer = setTimeout(() => { if (shownCount) remember(); }, 150);
}, { passive: true });
window.addEventListener("pagehide", () => { if (shownCount) remember(); });

input.value = current.q;
sortSelect.value = current.sort;
if (current.q) {
  run(current, { restore: savedView(history.state) });
} else {
  app.dataset.state = "idle";
}

// For the benchmark and browser tests: the ordered result ids of a query,
// found exactly as the page finds them (no rendering).
window.yingkouSearch = async (q, { filters = {}, sort = "relevance" } = {}) => {
  const engine = await loadEngine();
  engine.index.pause();
  await ensureT2S(engine, q);
  const phrases = parseQuery(q);
  if (!phrases.length) return { ids: [], ms: 0 };
  const started = performance.now();
  const outcome = await searchPhrases(engine, phrases, { q, filters, sort });
  const counts = await outcome.counts();
  const ms = performance.now() - started;
  warmIndex(engine); // as the page does
  return { ids: Array.from(outcome.ids), counts, ms };
};
