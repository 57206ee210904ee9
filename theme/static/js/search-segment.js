// One segment of the index (search/segment.py): a self-contained index of
// a range of documents, ids local to it (0 = its oldest), read from its
// pack parts by byte range.  A query is looked up in every segment
// independently (each has its own shard count and its own extended grams),
// and search-engine.js puts the answers together.

import {
  DamagedIndexError, parseFacetChunk, parseDocTable, parsePositions, parseShard, parseShardTable, findKey, positionsAt, postingsAt,
  readMember, readVarints,
} from "./search-pack.js";
import { firstCover, gramKey, nextCover, shardOf } from "./search-rules.js";

// A directory this small is fetched whole, at the segment's first lookup
// (a few requests fewer); a larger one is read entry by entry.  At 12 KB,
// a 1,000-document tail segment's whole directory took longer on a
// 1.6 Mbit/s connection than the three entries a first query needed.
const SMALL_DIRECTORY = 4096;

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

// Intersect two ascending posting lists (id << bits | flags) by id: in the
// title if both are, the lower body class.
export function intersect(a, b, bits) {
  const out = new Int32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const da = a[i] >> bits;
    const db = b[j] >> bits;
    if (da === db) {
      out[n++] = (da << bits) | Math.min(a[i] & 6, b[j] & 6) | (a[i] & b[j] & 1);
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

// Each of a shard's grams' facet counts, from the end of its body
// (search/segment.py counts_section, all varints: c, then per gram its
// index step, how many numbers, the numbers): gram index -> numbers.
function shardCounts(shard) {
  const numbers = readVarints(shard.bytes, shard.starts[shard.n], shard.bytes.length);
  const counts = new Map();
  let index = -1;
  let at = 1;
  for (let c = numbers[0]; c > 0; c--) {
    index += numbers[at] + (index < 0 ? 1 : 0);
    counts.set(index, numbers.slice(at + 2, at + 2 + numbers[at + 1]));
    at += 2 + numbers[at + 1];
  }
  if (!numbers.length || at !== numbers.length) throw new DamagedIndexError("shard: facet counts of the wrong length");
  return counts;
}

export class Segment {
  constructor(files, spec, rules) {
    this.files = files;
    this.spec = spec;
    this.rules = rules;
    this.start = spec.start;
    this.docs = spec.docs;
    this.cache = new Map(); // name -> promise; a failed one is forgotten, so a later search tries again
    this.plans = new Map(); // run -> its lookup steps (countsOf)
  }

  once(name, make) {
    if (!this.cache.has(name)) {
      const promise = make();
      promise.catch(() => this.cache.delete(name));
      this.cache.set(name, promise);
    }
    return this.cache.get(name);
  }

  // Raw bytes at a virtual offset (part << partBits | place).
  bytes(offset, length, signal = null) {
    const bits = this.rules.partBits;
    const part = Math.floor(offset / 2 ** bits);
    const place = offset % 2 ** bits;
    return this.files.range(`seg/${this.spec.name}.${part}.bin`, this.spec.source, place, length, signal);
  }

  member(bytes, kind, number, where) {
    return readMember(bytes, this.rules, kind, number, this.spec.tag, `seg/${this.spec.name} ${where}`);
  }

  // Bytes of the directory at `at`: from the whole directory when it is
  // small (a segment of a few hundred documents: one request instead of
  // one per entry), else one range per entry.
  async directory(at, length) {
    const size = this.rules.packHead + this.rules.shardEntry * 2 ** this.spec.bits + this.rules.docEntry * this.docs;
    if (size > SMALL_DIRECTORY) return this.bytes(at, length);
    const whole = await this.once("directory", () => this.bytes(0, size));
    return whole.subarray(at, at + length);
  }

  // Where every shard lies, when the manifest carries the segment's shard
  // table (a small index, search/write.py): a first lookup then needs no
  // directory round trip.
  shardRows() {
    if (!this.rows) {
      const text = atob(this.spec.shardTableBody);
      const bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
      this.rows = parseShardTable(bytes, 2 ** this.spec.bits, `seg/${this.spec.name} shards`);
    }
    return this.rows;
  }

  // Where every shard lies, from the segment's shard table member (fetched
  // by SearchIndex.warm after a search): later lookups then need no
  // directory round trip either.
  shardTable(signal = null) {
    return this.once("shardTable", async () => {
      const [offset, length] = this.spec.shardTable;
      const raw = await this.bytes(offset, length, signal);
      const body = await this.member(raw, this.rules.members.shardTable, 0, "shards");
      this.rows = parseShardTable(body, 2 ** this.spec.bits, `seg/${this.spec.name} shards`);
      return this.rows;
    });
  }

  // [start, shard bytes, positions bytes] of a shard, from the shard table
  // (in the manifest, or fetched), else from the directory.
  shardEntry(number) {
    if (this.spec.shardTableBody || this.rows) {
      return new Promise((resolve) => {
        const rows = this.shardRows();
        resolve([rows[3 * number], rows[3 * number + 1], rows[3 * number + 2]]);
      });
    }
    return this.once(`d${number}`, async () => {
      const raw = await this.directory(this.rules.packHead + this.rules.shardEntry * number, this.rules.shardEntry);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
      return [view.getUint32(0, true), view.getUint32(4, true), view.getUint32(8, true)];
    });
  }

  // A shard, and its positions member too when `withPositions` (one range:
  // a run longer than 3 characters will want them).
  shard(number, withPositions) {
    if (withPositions && !this.cache.has(`s${number}`)) {
      const both = this.shardEntry(number).then(async ([start, shardLen, posLen]) =>
        (shardLen ? this.bytes(start, shardLen + posLen) : null));
      this.once(`p${number}`, () => both.then((raw) => (raw ? this.positionsFrom(number, raw) : null)));
      return this.once(`s${number}`, () => both.then((raw) => this.shardFrom(number, raw)));
    }
    return this.once(`s${number}`, async () => {
      const [start, shardLen] = await this.shardEntry(number);
      return this.shardFrom(number, shardLen ? await this.bytes(start, shardLen) : null);
    });
  }

  async shardFrom(number, raw) {
    if (!raw) return parseShard(null);
    const [, shardLen] = await this.shardEntry(number);
    return parseShard(await this.member(raw.subarray(0, shardLen), this.rules.members.shard, number, `shard ${number}`));
  }

  async positionsFrom(number, raw) {
    const [start, shardLen, posLen] = await this.shardEntry(number);
    const body = await this.member(raw.subarray(shardLen, shardLen + posLen), this.rules.members.positions,
      number, `positions ${number}`);
    return { ...parsePositions(body), ownStart: start + shardLen + posLen };
  }

  positions(number) {
    return this.once(`p${number}`, async () => {
      const [start, shardLen, posLen] = await this.shardEntry(number);
      const raw = await this.bytes(start + shardLen, posLen);
      const body = await this.member(raw, this.rules.members.positions, number, `positions ${number}`);
      return { ...parsePositions(body), ownStart: start + shardLen + posLen };
    });
  }

  // Positions of a plan step's gram in each of its documents (never for an
  // extended gram).  A gram in posSplit or more documents has its own
  // member; its entry in the shard's positions member says where.
  async stepPositions(step) {
    const pos = await this.positions(step.shard);
    const j = step.index - (step.shardData.n - pos.m);
    if (step.postings.length < this.rules.posSplit) {
      return positionsAt(pos.bytes, pos.starts[j], pos.starts[j + 1], step.postings);
    }
    const [offset, length] = readVarints(pos.bytes, pos.starts[j], pos.starts[j + 1]);
    const low = Number(step.key & 0xffffffffn);
    const bytes = await this.once(`o${step.key}`, async () => this.member(
      await this.bytes(pos.ownStart + offset, length), this.rules.members.ownPositions, low, `gram ${step.key}`));
    return positionsAt(bytes, 0, bytes.length, step.postings);
  }

  // Look up one gram: its shard, postings and extended flag.
  async lookup(offset, gram, withPositions) {
    const key = gramKey(gram, this.rules);
    const step = { offset, key, shard: shardOf(key, this.spec.bits, this.rules) };
    const shard = await this.shard(step.shard, withPositions);
    step.index = findKey(shard, key);
    step.postings = step.index < 0 ? new Int32Array(0) : postingsAt(shard, step.index);
    step.extended = step.index >= 0 && shard.extended[step.index] === 1;
    step.shardData = shard;
    return step;
  }

  // The final lookups of a run: firstCover, then nextCover while some gram
  // is extended (one round of downloads each); [] when a gram is absent.
  async cover(phrase) {
    const chars = Array.from(phrase);
    let spans = firstCover(chars.length, this.rules.baseGram);
    for (;;) {
      const plan = await Promise.all(spans.map(([a, b]) =>
        this.lookup(a, chars.slice(a, b).join(""), spans.length > 1)));
      if (plan.some((step) => !step.postings.length)) return [];
      const extended = spans.filter((_, k) => plan[k].extended);
      if (!extended.length || (spans.length === 1 && spans[0][1] - spans[0][0] === chars.length)) return plan;
      spans = nextCover(spans, extended, chars.length);
    }
  }

  // Documents matching one normalized run: ascending local id << bits | flags.
  async phrase(phrase) {
    const plan = await this.cover(phrase);
    if (!plan.length) return new Int32Array(0);
    if (this.plans.size >= 64) this.plans.clear();
    this.plans.set(phrase, plan); // for countsOf
    const bits = this.rules.flagBits;
    let result = null;
    for (const step of [...plan].sort((a, b) => a.postings.length - b.postings.length)) {
      result = result ? intersect(result, step.postings, bits) : step.postings;
      if (!result.length) return result;
    }
    if (plan.length === 1) return result;
    // the grams must line up: all at p + offset for one start position p
    // (positions are fetched only now, when there are candidates)
    const tables = await Promise.all(plan.map((step) => this.stepPositions(step)));
    const at = new Int32Array(plan.length); // per step: index of the doc in its postings
    const kept = [];
    for (const value of result) {
      const doc = value >> bits;
      for (let k = 0; k < plan.length; k++) {
        const postings = tables[k].postings;
        while (at[k] < postings.length && (postings[at[k]] >> bits) < doc) at[k]++;
      }
      if (aligned(plan, tables, at)) kept.push(value);
    }
    return Int32Array.from(kept);
  }

  // How to count the facets of a query's matches here (`locals`, local
  // ids ascending; phrase() ran for each of its runs) from a gram's counts:
  // the matches are among the documents of each of the query's grams, so
  // they are the documents of the gram with counts that has the fewest,
  // less the few it has beyond them.  {counts: {names: {facet: [names]},
  // counts: {facet: [count of each value]}}, excluded: local ids of those
  // few}; null when no gram has counts or those documents are as many as
  // the matches (then counting the matches' own values costs no more).
  // A word in most documents excludes none; a four-character phrase of
  // two common words at 100,260 articles, 213 matches of 216 and 326 of
  // 327 in a segment: three chunks of values instead of all of them.
  async countsOf(phrases, locals) {
    const bits = this.rules.flagBits;
    let best = null;
    for (const phrase of phrases) {
      for (const step of this.plans.get(phrase) || []) {
        const n = step.postings.length;
        if (n >= this.rules.countSplit && (!best || n < best.postings.length)) best = step;
      }
    }
    if (!best || best.postings.length - locals.length >= locals.length) return null;
    const excluded = [];
    let j = 0;
    for (const value of best.postings) {
      const doc = value >> bits;
      if (j < locals.length && locals[j] === doc) j++;
      else excluded.push(doc);
    }
    if (j !== locals.length) return null; // not among the gram's documents: not this query's plan
    const numbers = this.gramCounts(best);
    const { values: names } = await this.facetNames();
    const counts = {};
    let at = 0;
    for (const facet of Object.keys(names)) { // in the order of the member (FACETS)
      const k = numbers[at];
      counts[facet] = numbers.slice(at + 1, at + 1 + k);
      at += 1 + k;
    }
    if (at !== numbers.length) throw new DamagedIndexError(`seg/${this.spec.name} gram counts ${best.key}: wrong length`);
    return { counts: { names, counts }, excluded: Int32Array.from(excluded) };
  }

  // The numbers of a gram's facet counts, from the end of its shard.
  gramCounts(step) {
    const shard = step.shardData;
    if (!shard.counts) shard.counts = shardCounts(shard);
    const numbers = shard.counts.get(step.index);
    if (!numbers) throw new DamagedIndexError(`seg/${this.spec.name} shard ${step.shard}: no counts for gram ${step.key}`);
    return numbers;
  }

  // The segment's facet value names: {values: {facet: [names]}, widths};
  // `raw` (a function giving a promise of the member's bytes) when they
  // come with a range facets() fetches anyway.
  facetNames(raw = null) {
    return this.once("facetNames", async () => {
      const [offset, length] = this.spec.facetData;
      const bytes = raw ? await raw() : await this.bytes(offset, length);
      const body = await this.member(bytes, this.rules.members.facetNames, 0, "facet names");
      return JSON.parse(new TextDecoder().decode(body));
    });
  }

  // Facet values of the documents `locals` (local ids, ascending):
  // {names, size, chunks}, chunks mapping a chunk number to its values
  // (parseFacetChunk), only the chunks that hold one of them; or, once the
  // member of all the documents is here, size = the segment's documents
  // and that member as chunk 0.  It is fetched instead of the chunks not
  // loaded yet when their ranges would be as many bytes or more (a word in
  // most documents, or matches scattered over most chunks).  What is not
  // loaded yet (those members and the names, in file order) comes in as
  // few ranges as the manifest's rangeGap allows: members at most that
  // many bytes apart share a range, and the chunks it takes in between
  // are kept too.
  async facets(locals) {
    const [at, namesBytes, sizes, allBytes] = this.spec.facetData;
    const size = this.rules.facetChunk;
    const wanted = [];
    for (const local of locals) {
      const number = Math.floor(local / size);
      if (wanted[wanted.length - 1] !== number) wanted.push(number);
    }
    if (!wanted.length) return { names: {}, size, chunks: new Map() }; // nothing to count here
    const starts = [at + namesBytes];
    sizes.forEach((bytes, k) => starts.push(starts[k] + bytes));
    // [start, end, chunk number, or -1 for the names, or "all"], ascending
    let missing = wanted.filter((number) => !this.cache.has(`f${number}`))
      .map((number) => [starts[number], starts[number + 1], number]);
    const useAll = allBytes > 0 && (this.cache.has("fall") || this.rangeBytes(missing) >= allBytes);
    if (useAll) missing = this.cache.has("fall") ? [] : [[at - allBytes, at, "all"]];
    if (!this.cache.has("facetNames")) missing.push([at, at + namesBytes, -1]);
    missing.sort((a, b) => a[0] - b[0]);
    const fetched = []; // [number, raw] of each missing member
    for (let i = 0; i < missing.length;) {
      let j = i + 1;
      while (j < missing.length && missing[j][0] - missing[j - 1][1] <= this.rules.rangeGap) j++;
      const first = missing[i][0];
      const range = this.bytes(first, missing[j - 1][1] - first);
      range.catch(() => {}); // reported by each member's own promise
      const members = missing.slice(i, j);
      // the chunks a range takes in between the wanted ones come too: keep them
      const taken = new Set(members.map(([, , number]) => number));
      const end = missing[j - 1][1];
      for (let k = 0; k < sizes.length; k++) { // chunk 0 may lie between the names and a wanted one
        if (starts[k] >= first && starts[k + 1] <= end && !taken.has(k) && !this.cache.has(`f${k}`)) {
          members.push([starts[k], starts[k + 1], k]);
        }
      }
      for (const [start, end, number] of members) {
        fetched.push([number, () => range.then((bytes) => bytes.subarray(start - first, end - first))]);
      }
      i = j;
    }
    // the names first: the other members' parsing asks for them
    const names = fetched.find(([number]) => number === -1);
    if (names) this.facetNames(names[1]);
    for (const [number, raw] of fetched) {
      if (number === "all") {
        this.once("fall", () => this.facetMember(raw(), this.rules.members.facetsAll, 0, this.docs, "facets"));
      } else if (number !== -1) {
        this.once(`f${number}`, () => this.facetMember(raw(), this.rules.members.attrs, number,
          Math.min(size, this.docs - number * size), `facets ${number}`));
      }
    }
    // taken now: a failed member's promise leaves the cache only after this
    const parts = useAll ? ["fall"] : wanted.map((number) => `f${number}`);
    const [{ values: named }, ...values] = await Promise.all([this.facetNames(),
      ...parts.map((name) => this.cache.get(name))]);
    if (useAll) return { names: named, size: this.docs, chunks: new Map([[0, values[0]]]) };
    return { names: named, size, chunks: new Map(wanted.map((number, k) => [number, values[k]])) };
  }

  // The bytes of the ranges that fetch these members ([start, end, number],
  // ascending): members at most rangeGap apart share a range.
  rangeBytes(members) {
    let bytes = 0;
    members.forEach(([start, end], k) => {
      const previous = k > 0 ? members[k - 1][1] : -Infinity;
      bytes += start - previous <= this.rules.rangeGap ? end - previous : end - start;
    });
    return bytes;
  }

  // One facet member's values (parseFacetChunk) of `docs` documents.
  async facetMember(bytesPromise, kind, number, docs, what) {
    const [bytes, { widths }] = await Promise.all([bytesPromise, this.facetNames()]);
    return parseFacetChunk(await this.member(bytes, kind, number, what), docs, widths);
  }

  // Where every document lies (a small member; search-engine.js fetches it
  // with the first lookups when the tables are cheap enough).
  docTable() {
    return this.once("docTable", async () => {
      const [offset, length] = this.spec.docTable;
      const body = await this.member(await this.bytes(offset, length), this.rules.members.docTable, 0, "documents");
      return parseDocTable(body, this.docs, `seg/${this.spec.name} documents`);
    });
  }

  // [start, bytes] of a document's member: from the document table when it
  // was asked for (and came), else from the directory (one 8-byte range).
  docEntry(local) {
    if (this.cache.has("docTable")) {
      return this.docTable().then(({ starts, sizes }) => [starts[local], sizes[local]],
        () => this.directoryDocEntry(local));
    }
    return this.directoryDocEntry(local);
  }

  directoryDocEntry(local) {
    return this.once(`e${local}`, async () => {
      const at = this.rules.packHead + this.rules.shardEntry * 2 ** this.spec.bits + this.rules.docEntry * local;
      const raw = await this.directory(at, this.rules.docEntry);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
      return [view.getUint32(0, true), view.getUint32(4, true)];
    });
  }

  // A document's display data: {u, t, d, k, h, b} (url, title, date, terms
  // of the kinds shown in lists by kind name, metadata line, body text).
  doc(local) {
    return this.once(`doc${local}`, async () => {
      const [offset, length] = await this.docEntry(local);
      const body = await this.member(await this.bytes(offset, length), this.rules.members.doc, local, `doc ${local}`);
      return JSON.parse(new TextDecoder().decode(body));
    });
  }
}
