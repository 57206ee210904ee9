// The format's rules shared by every part of the browser's search engine:
// the versions this page reads, gram keys, shards and query covers, all
// computed from the numbers in the index's manifest.json (search/format.py
// manifest_format), never from a copy here.

// The index format versions this reader understands (search/format.py).
export const SUPPORTED_VERSIONS = [11];
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
    flagBits: format.flagBits, titleWeight: format.titleWeight, bodyWeights: format.bodyWeights,
    partBits: format.partBits, packMagic: format.packMagic, packHead: format.packHead,
    shardEntry: format.shardEntry, docEntry: format.docEntry, memberHead: format.memberHead,
    facetChunk: format.facetChunk, rangeGap: format.rangeGap, countSplit: format.countSplit,
    members: format.members,
  };
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

// What a phrase's occurrence in one document is worth, times its
// whole-number idf (posting_weight and phrase_weight in search/format.py).
export function postingWeight(flags, rules) {
  return rules.titleWeight * (flags & 1) + rules.bodyWeights[(flags >> 1) & 3];
}

export function phraseWeight(documents, having) {
  const ratio = Math.floor(documents / Math.max(1, having));
  return ratio ? 32 - Math.clz32(ratio) : 0;
}
