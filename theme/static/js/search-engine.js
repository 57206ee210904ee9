// The search engine, browser side: reads the static index written by
// search/write.py (format: docs/search.md) and answers queries exactly.
// search/reader.py is the same reader in Python; tests check that the two
// agree.  The numbers of the format (hashing, key tags, gram lengths) come
// from the index's manifest.json, never from a copy here; an index of a
// version this file does not know is refused.
//
// A query's phrases (normalized runs, from search-tokens.js) are looked up
// as grams: a run of up to 3 characters is one gram; a longer run is 3-grams
// tiling it, which must occur at the right distances (positions).  A common
// gram is "extended": it has no positions, and the grams one character
// longer that contain it are indexed, so the lookup grows it (nextCover)
// until every gram is rare enough to have positions, or one gram is the run.
// Documents are numbered newest first, so ascending id is "newest first".

// The index format versions this reader understands (search/format.py).
export const SUPPORTED_VERSIONS = [5];
const MASK64 = (1n << 64n) - 1n;

// An index this page cannot read: another format version, or a manifest
// without what the format needs.
export class IndexFormatError extends Error {}

// The key and cover rules of an index, from its manifest's "format"
// (search/format.py manifest_format; 64-bit numbers come as hex strings).
export function keyRules(format) {
  if (!format || typeof format.fib !== "string") throw new IndexFormatError("manifest.json: no format");
  return {
    fib: BigInt(format.fib), tag2: BigInt(format.tag2), tag3: BigInt(format.tag3),
    tagLong: BigInt(format.tagLong), fnvOffset: BigInt(format.fnvOffset),
    fnvPrime: BigInt(format.fnvPrime), cpBits: BigInt(format.codePointBits),
    baseGram: format.baseGram, longestGram: format.longestGram, posSplit: format.posSplit,
  };
}

// Our .bin files are gzip (hosts serve them as they are); if a host already
// decompressed one, use it as it is.
async function fetchBinary(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes.buffer;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

// Exact keys up to 3 characters; longer grams: 62-bit FNV-1a of the code
// points (gram_key in search/format.py).
export function gramKey(gram, rules) {
  const cps = Array.from(gram, (ch) => BigInt(ch.codePointAt(0)));
  const w = rules.cpBits;
  if (cps.length === 1) return cps[0];
  if (cps.length === 2) return rules.tag2 | (cps[0] << w) | cps[1];
  if (cps.length === 3) return rules.tag3 | (cps[0] << (2n * w)) | (cps[1] << w) | cps[2];
  let h = rules.fnvOffset;
  for (const cp of cps) h = ((h ^ cp) * rules.fnvPrime) & MASK64;
  return rules.tagLong | (h >> 2n);
}

export function shardOf(key, bits, rules) {
  return bits ? Number(((key * rules.fib) & MASK64) >> BigInt(64 - bits)) : 0;
}

// The first lookups of a run of `length` characters as [start, end) spans:
// the run itself up to `base` characters, else base-grams tiling it;
// first_cover() in Python.
export function firstCover(length, base) {
  if (length <= base) return [[0, length]];
  const starts = [];
  for (let a = 0; a + base <= length; a += base) starts.push(a);
  if (starts[starts.length - 1] !== length - base) starts.push(length - base);
  return starts.map((a) => [a, a + base]);
}

// The next lookups: extended spans grow one character (right while they can,
// else left), then spans the others cover are dropped (growing ones first,
// then from the right); next_cover() in Python.
export function nextCover(cover, extended, length) {
  const same = (s, t) => s[0] === t[0] && s[1] === t[1];
  const isIn = (s, list) => list.some((t) => same(s, t));
  const grown = [];
  for (const [a, b] of cover) {
    let span = [a, b];
    if (isIn(span, extended)) span = b < length ? [a, b + 1] : [a - 1, b];
    if (!isIn(span, grown)) grown.push(span);
  }
  if (isIn([0, length], grown)) return [[0, length]];
  const rank = (s) => [isIn(s, cover) ? 1 : 0, -s[0], -s[1]];
  const candidates = grown.slice().sort((s, t) => {
    const x = rank(s);
    const y = rank(t);
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
  for (const span of candidates) {
    const others = grown.filter((t) => !same(t, span));
    let covered = true;
    for (let i = span[0]; i < span[1] && covered; i++) covered = others.some(([a, b]) => a <= i && i < b);
    if (covered) grown.splice(grown.findIndex((t) => same(t, span)), 1);
  }
  return grown.sort((s, t) => s[0] - t[0] || s[1] - t[1]);
}

// LEB128 varints from `bytes[start, end)`.
function readVarints(bytes, start, end, out = []) {
  let value = 0;
  let shift = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    value += (b & 0x7f) * 2 ** shift;
    if (b & 0x80) {
      shift += 7;
    } else {
      out.push(value);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

// u32 n, u32 L | u32 lo[n] | u32 hi[n] | L bytes of varint (postings
// length * 2 + extended) | postings
function parseShard(buffer) {
  const [n, lensBytes] = new Uint32Array(buffer, 0, 2);
  const lo = new Uint32Array(buffer, 8, n);
  const hi = new Uint32Array(buffer, 8 + 4 * n, n);
  const bytes = new Uint8Array(buffer);
  const lengths = readVarints(bytes, 8 + 8 * n, 8 + 8 * n + lensBytes);
  const starts = new Uint32Array(n + 1);
  const extended = new Uint8Array(n);
  starts[0] = 8 + 8 * n + lensBytes;
  for (let i = 0; i < n; i++) {
    starts[i + 1] = starts[i] + Math.floor(lengths[i] / 2);
    extended[i] = lengths[i] % 2;
  }
  return { n, lo, hi, bytes, starts, extended };
}

function findKey(shard, key) {
  const hi = Number(key >> 32n);
  const lo = Number(key & 0xffffffffn);
  let a = 0;
  let b = shard.n - 1;
  while (a <= b) {
    const m = (a + b) >> 1;
    const h = shard.hi[m];
    const l = shard.lo[m];
    if (h === hi && l === lo) return m;
    if (h < hi || (h === hi && l < lo)) a = m + 1;
    else b = m - 1;
  }
  return -1;
}

// Postings of key `i`: Int32Array of id * 2 + in_title, ascending.
function postingsAt(shard, i) {
  const deltas = readVarints(shard.bytes, shard.starts[i], shard.starts[i + 1]);
  const out = new Int32Array(deltas.length);
  let value = 0;
  for (let k = 0; k < deltas.length; k++) {
    value += deltas[k];
    out[k] = value;
  }
  return out;
}

// u32 m, u32 L | varint byte length of each of the shard's last m keys |
// per key, per posting: count, first position, gaps.
function parsePositions(buffer) {
  const [m, lensBytes] = new Uint32Array(buffer, 0, 2);
  const bytes = new Uint8Array(buffer);
  const lengths = readVarints(bytes, 8, 8 + lensBytes);
  const starts = new Uint32Array(m + 1);
  starts[0] = 8 + lensBytes;
  for (let i = 0; i < m; i++) starts[i + 1] = starts[i] + lengths[i];
  return { m, bytes, starts };
}

// Positions of one gram in each of its documents, from its entry
// `bytes[start, end)` (per posting: count, first position, gaps).
function positionsAt(bytes, start, end, postings) {
  // Flat arrays: positions of postings[i] are pos[starts[i] .. starts[i + 1]),
  // ascending.  (A Map of Sets took tens of milliseconds for a 3-gram found
  // in most of 50,000 documents.)
  const starts = new Int32Array(postings.length + 1);
  const pos = new Int32Array(end - start); // at most one number per byte
  let n = 0;
  let i = start;
  for (let posting = 0; posting < postings.length; posting++) {
    starts[posting] = n;
    let count = -1; // the first number is the count, then the gaps
    let p = 0;
    while (count !== 0) {
      let value = 0;
      let shift = 0;
      let b;
      do {
        b = bytes[i++];
        value += (b & 0x7f) * 2 ** shift;
        shift += 7;
      } while (b & 0x80);
      if (count < 0) {
        count = value;
      } else {
        p += value;
        pos[n++] = p;
        count--;
      }
    }
  }
  starts[postings.length] = n;
  return { postings, starts, pos };
}

// Does a document (at index at[k] of each step's postings) have every step's
// gram at one start position p + the step's offset?  Merges ascending lists.
function aligned(plan, tables, at) {
  const first = tables[0];
  const next = plan.map((_, k) => tables[k].starts[at[k]]);
  for (let x = first.starts[at[0]]; x < first.starts[at[0] + 1]; x++) {
    const p = first.pos[x];
    let all = true;
    for (let k = 1; k < plan.length && all; k++) {
      const table = tables[k];
      const want = p + plan[k].offset;
      const stop = table.starts[at[k] + 1];
      while (next[k] < stop && table.pos[next[k]] < want) next[k]++;
      if (next[k] >= stop) return false; // no later start can match either
      all = table.pos[next[k]] === want;
    }
    if (all) return true;
  }
  return false;
}

// Intersect two ascending id*2+flag lists by id; flags are ANDed.
function intersect(a, b) {
  const out = new Int32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const da = a[i] >> 1;
    const db = b[j] >> 1;
    if (da === db) {
      out[n++] = (da << 1) | (a[i] & b[j] & 1);
      i++;
      j++;
    } else if (da < db) {
      i++;
    } else {
      j++;
    }
  }
  return out.subarray(0, n);
}

export class SearchIndex {
  constructor(baseUrl, manifest) {
    if (!SUPPORTED_VERSIONS.includes(manifest.version)) {
      throw new IndexFormatError(`manifest.json: index format ${manifest.version}, ` +
        `this page reads ${SUPPORTED_VERSIONS.join(", ")}`);
    }
    this.base = baseUrl;
    this.manifest = manifest;
    this.rules = keyRules(manifest.format);
    this.facets = manifest.facets.map((facet) => facet.name); // the order of attrs.bin
    this.docs = manifest.docs;
    this.bits = manifest.shardBits;
    this.files = new Map(); // path -> promise of the parsed file
  }

  static async open(baseUrl) {
    const response = await fetch(new URL("manifest.json", baseUrl));
    if (!response.ok) throw new Error(`manifest.json: HTTP ${response.status}`);
    return new SearchIndex(baseUrl, await response.json());
  }

  url(path) {
    return new URL(`${path}?v=${this.manifest.build}`, this.base);
  }

  // Each file is fetched once; a failed fetch is forgotten, so a later
  // search tries again.
  load(path, parse) {
    if (!this.files.has(path)) {
      const promise = fetchBinary(this.url(path)).then(parse);
      promise.catch(() => this.files.delete(path));
      this.files.set(path, promise);
    }
    return this.files.get(path);
  }

  shard(number) {
    return this.load(`shard/${number.toString(16)}.bin`, parseShard);
  }

  positionFile(number) {
    return this.load(`pos/${number.toString(16)}.bin`, parsePositions);
  }

  // Facet values of every document (loaded once, beside the first search).
  attrs() {
    return this.load("attrs.bin", (buffer) => this.parseAttrs(buffer));
  }

  parseAttrs(buffer) {
    const n = this.docs;
    const out = {};
    let at = 0;
    for (const { name: facet, width, values } of this.manifest.facets) {
      const counts = new Uint8Array(buffer, at, n);
      const offsets = new Uint32Array(n + 1);
      for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + counts[i];
      const total = offsets[n];
      const start = at + n;
      const ids = width === 1 ? new Uint8Array(buffer, start, total)
        : new Uint16Array(buffer.slice(start, start + 2 * total));
      out[facet] = { offsets, ids, names: values };
      at = start + total * width;
      at += (4 - (at % 4)) % 4;
    }
    // year ids: 0 = no year, k + 1 = manifest.years[k] (one id range per year)
    const years = new Uint16Array(n);
    const names = [];
    this.manifest.years.forEach(([year, start, end], k) => {
      years.fill(k + 1, start, end);
      names.push(String(year));
    });
    out.year = { years, names };
    return out;
  }

  // A gram of 3+ characters in rules.posSplit or more documents has its positions
  // in a file of its own (pos/<key hex>.bin, the bare entry; such keys are
  // >= 2^63, so never a shard number); others are in the shard's.
  ownPositions(key) {
    return this.load(`pos/${key.toString(16)}.bin`, (buffer) => new Uint8Array(buffer));
  }

  // Positions of a plan step's gram in each of its documents (positionsAt;
  // the file is fetched only when needed; never for an extended gram).
  async stepPositions(step) {
    if (step.postings.length >= this.rules.posSplit) {
      const bytes = await this.ownPositions(step.key);
      return positionsAt(bytes, 0, bytes.length, step.postings);
    }
    const pos = await this.positionFile(step.shard);
    const j = step.index - (step.shardData.n - pos.m);
    return positionsAt(pos.bytes, pos.starts[j], pos.starts[j + 1], step.postings);
  }

  // Look up one gram: its shard, postings and extended flag.
  async lookup(offset, gram) {
    const key = gramKey(gram, this.rules);
    const step = { offset, key, shard: shardOf(key, this.bits, this.rules) };
    const shard = await this.shard(step.shard);
    step.index = findKey(shard, key);
    step.postings = step.index < 0 ? new Int32Array(0) : postingsAt(shard, step.index);
    step.extended = step.index >= 0 && shard.extended[step.index] === 1;
    step.shardData = shard;
    return step;
  }

  // The final lookups of a run: firstCover, then nextCover while some gram
  // is extended (one round of shard downloads each); [] when a gram is absent.
  async cover(phrase) {
    const chars = Array.from(phrase);
    let spans = firstCover(chars.length, this.rules.baseGram);
    for (;;) {
      const plan = await Promise.all(spans.map(([a, b]) => this.lookup(a, chars.slice(a, b).join(""))));
      if (plan.some((step) => !step.postings.length)) return [];
      const extended = spans.filter((_, k) => plan[k].extended);
      if (!extended.length || (spans.length === 1 && spans[0][1] - spans[0][0] === chars.length)) return plan;
      spans = nextCover(spans, extended, chars.length);
    }
  }

  // Documents matching one normalized run: ascending id*2 + in_title.
  async phrase(phrase) {
    const plan = await this.cover(phrase);
    if (!plan.length) return new Int32Array(0);
    let result = null;
    for (const step of [...plan].sort((a, b) => a.postings.length - b.postings.length)) {
      result = result ? intersect(result, step.postings) : step.postings;
      if (!result.length) return result;
    }
    if (plan.length === 1) return result;
    // the grams must line up: all at p + offset for one start position p
    // (positions are fetched only now, when there are candidates)
    const tables = await Promise.all(plan.map((step) => this.stepPositions(step)));
    const at = new Int32Array(plan.length); // per step: index of the doc in its postings
    const kept = [];
    for (const value of result) {
      const doc = value >> 1;
      for (let k = 0; k < plan.length; k++) {
        const postings = tables[k].postings;
        while (at[k] < postings.length && (postings[at[k]] >> 1) < doc) at[k]++;
      }
      if (aligned(plan, tables, at)) kept.push(value);
    }
    return Int32Array.from(kept);
  }

  // The ordered result ids of a query's phrases, with facet counts.
  // filters: {topic|district|agency|year: value}; sort: relevance|newest|oldest.
  async search(phrases, { filters = {}, sort = "relevance" } = {}) {
    const [lists, attrs] = await Promise.all([
      Promise.all(phrases.map((p) => this.phrase(p))), this.attrs()]);
    // ids in all phrases; hits = how many phrases match in the title
    let ids = lists[0].map((v) => v >> 1);
    let hits = Uint8Array.from(lists[0], (v) => v & 1);
    for (const list of lists.slice(1)) {
      const nextIds = [];
      const nextHits = [];
      let j = 0;
      for (let i = 0; i < ids.length; i++) {
        while (j < list.length && (list[j] >> 1) < ids[i]) j++;
        if (j < list.length && (list[j] >> 1) === ids[i]) {
          nextIds.push(ids[i]);
          nextHits.push(hits[i] + (list[j] & 1));
        }
      }
      ids = Int32Array.from(nextIds);
      hits = Uint8Array.from(nextHits);
    }
    const { kept, keptHits, counts } = this.filterAndCount(attrs, ids, hits, filters);
    return { ids: order(kept, keptHits, sort, phrases.length), counts };
  }

  // Results passing every filter, and per facet the counts of its values
  // among results passing the *other* filters (so other values stay
  // visible and their counts say what choosing them would give).
  filterAndCount(attrs, ids, hits, filters) {
    const facets = [...this.facets, "year"];
    const wanted = facets.map((f) => (filters[f] ? this.valueId(attrs, f, filters[f]) : null));
    const counts = facets.map((f) => new Uint32Array(f === "year" ? attrs.year.names.length + 1 : attrs[f].names.length));
    const kept = [];
    const keptHits = [];
    for (let i = 0; i < ids.length; i++) {
      const doc = ids[i];
      let failed = -1;
      let failures = 0;
      for (let f = 0; f < facets.length; f++) {
        if (wanted[f] !== null && !this.has(attrs, facets[f], doc, wanted[f])) {
          failed = f;
          failures++;
        }
      }
      if (failures > 1) continue;
      for (let f = 0; f < facets.length; f++) {
        if (failures === 1 && f !== failed) continue;
        this.countValues(attrs, facets[f], doc, counts[f]);
      }
      if (!failures) {
        kept.push(doc);
        keptHits.push(hits[i]);
      }
    }
    const named = {};
    facets.forEach((f, k) => {
      named[f] = {};
      const names = f === "year" ? ["", ...attrs.year.names] : attrs[f].names;
      counts[k].forEach((n, v) => { if (n) named[f][names[v]] = n; });
    });
    return { kept: Int32Array.from(kept), keptHits: Uint8Array.from(keptHits), counts: named };
  }

  valueId(attrs, facet, name) {
    const names = facet === "year" ? attrs.year.names : attrs[facet].names;
    const i = names.indexOf(name);
    return i < 0 ? -1 : facet === "year" ? i + 1 : i;
  }

  has(attrs, facet, doc, value) {
    if (facet === "year") return attrs.year.years[doc] === value;
    const { offsets, ids } = attrs[facet];
    for (let k = offsets[doc]; k < offsets[doc + 1]; k++) if (ids[k] === value) return true;
    return false;
  }

  countValues(attrs, facet, doc, into) {
    if (facet === "year") {
      into[attrs.year.years[doc]]++;
      return;
    }
    const { offsets, ids } = attrs[facet];
    for (let k = offsets[doc]; k < offsets[doc + 1]; k++) into[ids[k]]++;
  }

  // `<yyyymm>-<k>.bin`, k counted from the month's oldest document
  // (manifest.months: [yyyymm, first id, end id) in id order).
  docFileName(id) {
    const months = this.manifest.months;
    let lo = 0;
    let hi = months.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (months[mid][1] <= id) lo = mid;
      else hi = mid - 1;
    }
    const [month, , end] = months[lo];
    return `${month}-${end - 1 - id}.bin`;
  }

  // A document's display data: {u, t, d, k, h, b} (url, title, date, terms
  // of the kinds shown in lists by kind name, metadata line, body text),
  // fetched when shown.
  doc(id) {
    return this.load(`doc/${this.docFileName(id)}`,
      (buffer) => JSON.parse(new TextDecoder().decode(buffer)));
  }
}

// Relevance: more phrases matched in the title first, then newest (lower id)
// first; ids arrive ascending, so a counting sort by hits keeps that order.
function order(ids, hits, sort, phraseCount) {
  if (sort === "newest") return ids;
  if (sort === "oldest") return ids.slice().reverse();
  const out = new Int32Array(ids.length);
  let n = 0;
  for (let h = phraseCount; h >= 0; h--) {
    for (let i = 0; i < ids.length; i++) if (hits[i] === h) out[n++] = ids[i];
  }
  return out;
}
