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
import { IndexFormatError, SUPPORTED_VERSIONS, keyRules } from "./search-rules.js";
import { Segment } from "./search-segment.js";

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
    // year of every document: 0 = none, k + 1 = manifest.years[k] (one id range per year)
    this.years = new Uint16Array(this.docs);
    this.yearNames = manifest.years.map(([year]) => String(year));
    manifest.years.forEach(([, start, end], k) => this.years.fill(k + 1, start, end));
  }

  static async open(baseUrl) {
    const response = await fetch(new URL("manifest.json", baseUrl));
    if (!response.ok) throw new Error(`manifest.json: HTTP ${response.status}`);
    return new SearchIndex(baseUrl, await response.json());
  }

  // Facet values of every document (loaded once per segment, beside the first search).
  attrs() {
    return Promise.all(this.segments.map((segment) => segment.attrs()));
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

  // Documents having every phrase, per segment: {ids (local, ascending), hits}
  // (hits = how many phrases match in the title).
  async segmentMatches(segment, phrases) {
    const lists = await Promise.all(phrases.map((p) => segment.phrase(p)));
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
    return { ids, hits };
  }

  // The ordered result ids of a query's phrases, with facet counts.
  // filters: {topic|district|agency|year: value}; sort: relevance|newest|oldest.
  async search(phrases, { filters = {}, sort = "relevance" } = {}) {
    const [matches, attrs] = await Promise.all([
      Promise.all(this.segments.map((segment) => this.segmentMatches(segment, phrases))), this.attrs()]);
    const { kept, keptHits, counts } = this.filterAndCount(attrs, matches, filters);
    return { ids: order(kept, keptHits, sort, phrases.length), counts };
  }

  // Results passing every filter (global ids, ascending), and per facet the
  // counts of its values among results passing the *other* filters (so
  // other values stay visible and their counts say what choosing them
  // would give).
  filterAndCount(attrs, matches, filters) {
    const facets = [...this.facets, "year"];
    const counts = facets.map(() => new Map());
    const kept = [];
    const keptHits = [];
    const wantedYear = filters.year ? this.yearNames.indexOf(filters.year) + 1 || -1 : null;
    this.segments.forEach((segment, s) => {
      const values = attrs[s];
      // the value id of each filter in this segment's own lists (-1: no document here has it)
      const wanted = facets.map((f) => {
        if (!filters[f]) return null;
        return f === "year" ? wantedYear : values[f].names.indexOf(filters[f]);
      });
      const { ids, hits } = matches[s];
      for (let i = 0; i < ids.length; i++) {
        const local = ids[i];
        const doc = segment.start + local;
        let failed = -1;
        let failures = 0;
        for (let f = 0; f < facets.length; f++) {
          if (wanted[f] !== null && !has(values, facets[f], local, wanted[f], this.years[doc])) {
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
          const { offsets, ids: valueIds, names } = values[facets[f]];
          for (let k = offsets[local]; k < offsets[local + 1]; k++) {
            const name = names[valueIds[k]];
            counts[f].set(name, (counts[f].get(name) || 0) + 1);
          }
        }
        if (!failures) {
          kept.push(doc);
          keptHits.push(hits[i]);
        }
      }
    });
    const named = {};
    facets.forEach((f, k) => { named[f] = Object.fromEntries(counts[k]); });
    return { kept: Int32Array.from(kept), keptHits: Uint8Array.from(keptHits), counts: named };
  }

  // A document's display data: {u, t, d, k, h, b} (url, title, date, terms
  // of the kinds shown in lists by kind name, metadata line, body text),
  // fetched when shown.
  doc(id) {
    const segment = this.segmentOf(id);
    return segment.doc(id - segment.start);
  }
}

function has(values, facet, local, value, year) {
  if (facet === "year") return year === value;
  const { offsets, ids } = values[facet];
  for (let k = offsets[local]; k < offsets[local + 1]; k++) if (ids[k] === value) return true;
  return false;
}

// Relevance: more phrases matched in the title first, then newest (higher
// id) first; ids arrive ascending, so a counting sort by hits over the
// reversed ids keeps that order.
function order(ids, hits, sort, phraseCount) {
  if (sort === "oldest") return ids;
  const out = new Int32Array(ids.length);
  if (sort === "newest") {
    for (let i = 0; i < ids.length; i++) out[i] = ids[ids.length - 1 - i];
    return out;
  }
  let n = 0;
  for (let h = phraseCount; h >= 0; h--) {
    for (let i = ids.length - 1; i >= 0; i--) if (hits[i] === h) out[n++] = ids[i];
  }
  return out;
}

// Whether an error means the index itself cannot be read as it is (the
// page then says so instead of "nothing found").
export function isIndexProblem(error) {
  return error instanceof IndexFormatError || error instanceof DamagedIndexError;
}
