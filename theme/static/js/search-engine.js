// The search engine, browser side: reads the static index written by
// search/write.py (format: docs/search.md) and answers queries exactly.
// search/reader.py is the same reader in Python; tests check that the two
// agree.  The numbers of the format come from the index's manifest.json
// (search-rules.js); an index of a version this file does not know is
// refused, and damaged bytes are reported (search-pack.js).
//
// The index is a few segments (ranges of documents, oldest first); a
// query's phrases (normalized runs, from search-tokens.js) are looked up in
// each (search-segment.js), and the answers are put together here: global
// id = segment start + local id, so ascending id is oldest first.

import { DamagedIndexError, PackFiles } from "./search-pack.js";
import { IndexFormatError, SUPPORTED_VERSIONS, keyRules, phraseWeight, postingWeight } from "./search-rules.js";
import { Segment } from "./search-segment.js";

// The segments' document tables are fetched with a query's first lookups
// when together they are at most this many bytes: then a result goes
// straight from its id to its document, saving the round trip for its
// directory entry.  32 KB is what a 1.6 Mbit/s phone connection carries
// in one 150 ms round trip, so up to here the table costs less than the
// wait it saves (about 17,000 documents); a larger archive reads
// directory entries, which cost a round trip but few bytes.
const DOC_TABLES_BUDGET = 32 * 1024;

export { firstCover, gramKey, keyRules, nextCover, shardOf, IndexFormatError, SUPPORTED_VERSIONS } from "./search-rules.js";
export { DamagedIndexError } from "./search-pack.js";

export class SearchIndex {
  constructor(baseUrl, manifest) {
    if (!SUPPORTED_VERSIONS.includes(manifest.version)) {
      throw new IndexFormatError(`manifest.json: index format ${manifest.version}, ` +
        `this page reads ${SUPPORTED_VERSIONS.join(", ")}`);
    }
    this.base = baseUrl;
    this.manifest = manifest;
    this.rules = keyRules(manifest.format);
    this.facets = manifest.facets.map((facet) => facet.name);
    this.docs = manifest.docs;
    this.files = new PackFiles(baseUrl);
    this.segments = manifest.segments.map((spec) => new Segment(this.files, spec, this.rules));
    this.docTables = this.segments.reduce((n, segment) => n + segment.spec.docTable[1], 0) <= DOC_TABLES_BUDGET;
    // year of every document: 0 = none, k + 1 = manifest.years[k] (one id range per year)
    this.years = new Uint16Array(this.docs);
    this.yearNames = manifest.years.map(([year]) => String(year));
    manifest.years.forEach(([, start, end], k) => this.years.fill(k + 1, start, end));
  }

  // The index at baseUrl; `manifest` when the page carries it already
  // (search.js), else manifest.json is fetched.
  static async open(baseUrl, manifest = null) {
    if (manifest) return new SearchIndex(baseUrl, manifest);
    const response = await fetch(new URL("manifest.json", baseUrl));
    if (!response.ok) throw new Error(`manifest.json: HTTP ${response.status}`);
    return new SearchIndex(baseUrl, await response.json());
  }

  // Facet values of the matched documents, per segment (Segment.facets:
  // only the chunks holding them are downloaded, each once).
  facetsOf(matches) {
    return Promise.all(this.segments.map((segment, s) => segment.facets(matches[s].ids)));
  }

  // After a search, in the background: the shard tables of the segments
  // whose tables the manifest does not carry, so that later searches go
  // straight to their shards (a round trip fewer each).  pause() stops
  // what is still coming (a search must not share the line with it); a
  // table that did not come is asked for at the next warm().
  warm() {
    if (this.warmControl) return this.warming;
    const control = new AbortController();
    this.warmControl = control;
    this.warming = Promise.all(this.segments.filter((segment) => !segment.spec.shardTableBody && !segment.rows)
      .map((segment) => segment.shardTable(control.signal).catch(() => null)))
      .then(() => { if (this.warmControl === control) this.warmControl = null; });
    return this.warming;
  }

  pause() {
    if (this.warmControl) this.warmControl.abort();
    this.warmControl = null;
  }

  segmentOf(id) {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid].start <= id) lo = mid;
      else hi = mid - 1;
    }
    return this.segments[lo];
  }

  // Documents having every phrase, per segment: {ids (local, ascending),
  // scores} (relevance: the sum over phrases of phraseWeight times
  // postingWeight; search/format.py).
  async matches(phrases) {
    if (this.docTables) {
      // in flight with the lookups; a failure shows when a document is read
      this.segments.forEach((segment) => segment.docTable().catch(() => {}));
    }
    const lists = await Promise.all(this.segments.map((segment) => Promise.all(phrases.map((p) => segment.phrase(p)))));
    const weights = phrases.map((_, p) => phraseWeight(this.docs, lists.reduce((n, segment) => n + segment[p].length, 0)));
    const bits = this.rules.flagBits;
    const mask = (1 << bits) - 1;
    return lists.map((perPhrase) => {
      let ids = perPhrase[0].map((v) => v >> bits);
      let scores = Int32Array.from(perPhrase[0], (v) => weights[0] * postingWeight(v & mask, this.rules));
      perPhrase.slice(1).forEach((list, p) => {
        const nextIds = [];
        const nextScores = [];
        let j = 0;
        for (let i = 0; i < ids.length; i++) {
          while (j < list.length && (list[j] >> bits) < ids[i]) j++;
          if (j < list.length && (list[j] >> bits) === ids[i]) {
            nextIds.push(ids[i]);
            nextScores.push(scores[i] + weights[p + 1] * postingWeight(list[j] & mask, this.rules));
          }
        }
        ids = Int32Array.from(nextIds);
        scores = Int32Array.from(nextScores);
      });
      return { ids, scores };
    });
  }

  // The ordered result ids of a query's phrases, and `counts()`, which
  // gives (a promise of) the facet counts.  Without filters the ids need no
  // facet data: it is downloaded only when counts() is called, after the
  // first results are on the page, so on a slow connection its bytes do not
  // compete with the lookups and documents the results wait for.  With
  // filters the ids wait for it (the chunks of the matches, fetched once
  // they are known).
  // filters: {topic|district|agency|year: value}; sort: relevance|newest|oldest.
  async find(phrases, { filters = {}, sort = "relevance" } = {}) {
    const filtered = Object.keys(filters).some((f) => filters[f]);
    const matches = await this.matches(phrases);
    const counted = (values) => this.filterAndCount(values, matches, filters);
    if (filtered) {
      const { kept, keptScores, counts } = counted(await this.facetsOf(matches));
      return { ids: order(kept, keptScores, sort), counts: () => Promise.resolve(counts) };
    }
    const all = [];
    const allScores = [];
    this.segments.forEach((segment, s) => {
      matches[s].ids.forEach((local, i) => {
        all.push(segment.start + local);
        allScores.push(matches[s].scores[i]);
      });
    });
    return {
      ids: order(Int32Array.from(all), Int32Array.from(allScores), sort),
      counts: () => this.unfilteredValues(phrases, matches).then((values) => counted(values).counts),
    };
  }

  // What counting a query without filters needs, per segment: a gram's
  // counts, less the values of the few documents it has beyond the
  // matches (Segment.countsOf: for a word in most documents a few hundred
  // bytes in its shards, where the documents' values are tens of KB), or
  // else the matches' own values (Segment.facets).
  unfilteredValues(phrases, matches) {
    return Promise.all(this.segments.map(async (segment, s) => {
      const { ids } = matches[s];
      const counted = ids.length ? await segment.countsOf(phrases, ids) : null;
      if (!counted) return segment.facets(ids);
      const excluded = counted.excluded.length ? await segment.facets(counted.excluded) : null;
      return { precounted: counted.counts, excluded: counted.excluded, excludedValues: excluded };
    }));
  }

  // find(), waiting for the counts too.
  async search(phrases, options = {}) {
    const found = await this.find(phrases, options);
    return { ids: found.ids, counts: await found.counts() };
  }

  // Results passing every filter (global ids, ascending), and per facet the
  // counts of its values among results passing the *other* filters (so
  // other values stay visible and their counts say what choosing them
  // would give).
  // attrs: per segment what Segment.facets gave for its matches, or (no
  // filters) {precounted, excluded, excludedValues}: a gram's counts
  // (Segment.countsOf), the local ids of its documents that are not
  // matches and what Segment.facets gave for those.
  filterAndCount(attrs, matches, filters) {
    const facets = [...this.facets, "year"];
    const counts = facets.map(() => new Map());
    const kept = [];
    const keptScores = [];
    const wantedYear = filters.year ? this.yearNames.indexOf(filters.year) + 1 || -1 : null;
    this.segments.forEach((segment, s) => {
      const { names, size, chunks, precounted, excluded, excludedValues } = attrs[s];
      const { ids, scores } = matches[s];
      if (!ids.length) return;
      if (precounted) {
        addPrecounted(counts, facets, precounted);
        if (excluded.length) subtractValues(counts, facets, excluded, excludedValues);
        for (let i = 0; i < ids.length; i++) {
          const doc = segment.start + ids[i];
          const name = this.years[doc] ? this.yearNames[this.years[doc] - 1] : "";
          if (name) counts[facets.length - 1].set(name, (counts[facets.length - 1].get(name) || 0) + 1);
          kept.push(doc);
          keptScores.push(scores[i]);
        }
        return;
      }
      // the value id of each filter in this segment's own lists (-1: no document here has it)
      const wanted = facets.map((f) => {
        if (!filters[f]) return null;
        return f === "year" ? wantedYear : names[f].indexOf(filters[f]);
      });
      for (let i = 0; i < ids.length; i++) {
        const local = ids[i];
        const doc = segment.start + local;
        const values = chunks.get(Math.floor(local / size));
        const row = local % size; // the document's place in its chunk
        let failed = -1;
        let failures = 0;
        for (let f = 0; f < facets.length; f++) {
          if (wanted[f] !== null && !has(values, facets[f], row, wanted[f], this.years[doc])) {
            failed = f;
            failures++;
          }
        }
        if (failures > 1) continue;
        for (let f = 0; f < facets.length; f++) {
          if (failures === 1 && f !== failed) continue;
          if (facets[f] === "year") {
            const name = this.years[doc] ? this.yearNames[this.years[doc] - 1] : "";
            if (name) counts[f].set(name, (counts[f].get(name) || 0) + 1);
            continue;
          }
          const { offsets, ids: valueIds } = values[facets[f]];
          for (let k = offsets[row]; k < offsets[row + 1]; k++) {
            const name = names[facets[f]][valueIds[k]];
            counts[f].set(name, (counts[f].get(name) || 0) + 1);
          }
        }
        if (!failures) {
          kept.push(doc);
          keptScores.push(scores[i]);
        }
      }
    });
    const named = {};
    facets.forEach((f, k) => { named[f] = Object.fromEntries(counts[k]); });
    return { kept: Int32Array.from(kept), keptScores: Int32Array.from(keptScores), counts: named };
  }

  // A document's display data: {u, t, d, k, h, b} (url, title, date, terms
  // of the kinds shown in lists by kind name, metadata line, body text),
  // fetched when shown.
  doc(id) {
    const segment = this.segmentOf(id);
    return segment.doc(id - segment.start);
  }
}

// Adds a segment's counts of a gram's documents (Segment.countsOf) to
// the counts per facet (Maps of name -> count, in the order of `facets`).
function addPrecounted(counts, facets, { names, counts: numbers }) {
  facets.forEach((facet, f) => {
    if (!numbers[facet]) return; // year: from the ids
    numbers[facet].forEach((n, k) => {
      if (n) counts[f].set(names[facet][k], (counts[f].get(names[facet][k]) || 0) + n);
    });
  });
}

// Takes from the counts per facet the values of documents `locals` (a
// gram's documents that are not matches; `attrs`: what Segment.facets gave
// for them); a value no match has leaves the counts.
function subtractValues(counts, facets, locals, { names, size, chunks }) {
  for (const local of locals) {
    const values = chunks.get(Math.floor(local / size));
    const row = local % size;
    facets.forEach((facet, f) => {
      if (!values[facet]) return; // year: counted from the matches' ids
      const { offsets, ids } = values[facet];
      for (let k = offsets[row]; k < offsets[row + 1]; k++) {
        const name = names[facet][ids[k]];
        const left = counts[f].get(name) - 1;
        if (left) counts[f].set(name, left);
        else counts[f].delete(name);
      }
    });
  }
}

function has(values, facet, row, value, year) {
  if (facet === "year") return year === value;
  const { offsets, ids } = values[facet];
  for (let k = offsets[row]; k < offsets[row + 1]; k++) if (ids[k] === value) return true;
  return false;
}

// Relevance: higher score first, then newest (higher id) first; ids arrive
// ascending, so a counting sort by score over the reversed ids keeps that
// order (scores are small whole numbers).
function order(ids, scores, sort) {
  if (sort === "oldest") return ids;
  const out = new Int32Array(ids.length);
  if (sort === "newest") {
    for (let i = 0; i < ids.length; i++) out[i] = ids[ids.length - 1 - i];
    return out;
  }
  let top = 0;
  for (const score of scores) if (score > top) top = score;
  const starts = new Int32Array(top + 2); // per score, from the highest: where its ids go
  for (const score of scores) starts[top - score + 1]++;
  for (let k = 1; k < starts.length; k++) starts[k] += starts[k - 1];
  for (let i = ids.length - 1; i >= 0; i--) out[starts[top - scores[i]]++] = ids[i];
  return out;
}

// Whether an error means the index itself cannot be read as it is (the
// page then says so instead of "nothing found").
export function isIndexProblem(error) {
  return error instanceof IndexFormatError || error instanceof DamagedIndexError;
}
