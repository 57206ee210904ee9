// Reading the index's pack files (search/pack.py): byte ranges of a
// segment's parts, each member checked, and the member formats.
//
// Every member is a gzip of a framed payload: u32 kind, u32 number, u32 the
// segment's tag, u32 CRC-32 of the rest (search/format.py frame).  A member
// that is not the one asked for (a damaged file, another build's file under
// this name, a host serving other bytes) raises DamagedIndexError, and the
// page says the index is damaged instead of showing wrong results.

export class DamagedIndexError extends Error {}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes, start = 0) {
  let c = 0xffffffff;
  for (let i = start; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

async function inflate(bytes, where) {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new DamagedIndexError(`${where}: 不是 gzip 数据`);
  // written to and read from the stream directly: a Blob piped into a
  // Response took 5-8 ms a member on a 4x slower CPU, this about 1 ms
  try {
    const stream = new DecompressionStream("gzip");
    const writer = stream.writable.getWriter();
    writer.write(bytes).catch(() => {}); // a failure shows on the reading side
    writer.close().catch(() => {});
    const reader = stream.readable.getReader();
    const chunks = [];
    let length = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.length;
    }
    if (chunks.length === 1) return chunks[0];
    const out = new Uint8Array(length);
    let at = 0;
    for (const chunk of chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  } catch (error) {
    throw new DamagedIndexError(`${where}: ${error.message}`);
  }
}

// Byte ranges of the pack files, one HTTP Range request each.  Each range
// has a URL of its own (`&r=<start>`, which static hosts ignore): Chromium
// lets only one request at a time use a cache entry, so ranges of one URL
// would load one after another; with their own URLs they load in parallel
// and each is cached.  A host that ignores Range answers 200 with the whole
// file: that answer is dropped, and from then on each file is fetched once,
// whole, and sliced, so search still works there, with larger downloads
// (docs/hosting.md).
export class PackFiles {
  constructor(base) {
    this.base = base;
    this.ranges = true; // false once the host has ignored a Range request
    this.whole = new Map(); // url -> promise of the whole file
  }

  // `signal` (optional) stops the request, as for the background
  // downloads a search pauses (SearchIndex.warm).
  async range(path, version, start, length, signal = null) {
    if (this.ranges) {
      const url = new URL(`${path}?v=${version}&r=${start}`, this.base);
      const control = new AbortController();
      if (signal) {
        if (signal.aborted) throw new DOMException("stopped", "AbortError");
        signal.addEventListener("abort", () => control.abort(), { once: true });
      }
      const response = await fetch(url, { headers: { Range: `bytes=${start}-${start + length - 1}` },
        signal: control.signal });
      if (response.status === 206) {
        const bytes = new Uint8Array(await response.arrayBuffer());
        if (bytes.length !== length) throw new DamagedIndexError(`${path}: ${bytes.length} 字节，应为 ${length}`);
        return bytes;
      }
      control.abort(); // not its body: a whole file per range would be far too much
      if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status}`);
      this.ranges = false;
    }
    const url = new URL(`${path}?v=${version}`, this.base).href;
    if (!this.whole.has(url)) {
      const promise = fetch(url).then((response) => {
        if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
        return response.arrayBuffer();
      }).then((buffer) => new Uint8Array(buffer));
      promise.catch(() => this.whole.delete(url));
      this.whole.set(url, promise);
    }
    const all = await this.whole.get(url);
    if (all.length < start + length) throw new DamagedIndexError(`${path}: 文件不完整`);
    return all.subarray(start, start + length);
  }
}

// The body of a member's inflated payload, checked against what was asked for.
export function unframe(payload, rules, kind, number, tag, where) {
  if (payload.length < rules.memberHead) throw new DamagedIndexError(`${where}: 数据不完整`);
  const head = new DataView(payload.buffer, payload.byteOffset, rules.memberHead);
  const got = [head.getUint32(0, true), head.getUint32(4, true), head.getUint32(8, true)];
  if (got[0] !== kind || got[1] !== number >>> 0 || got[2] !== tag) {
    throw new DamagedIndexError(`${where}: 不是所需的数据（${got.join("/")}，应为 ${kind}/${number >>> 0}/${tag}）`);
  }
  if (crc32(payload, rules.memberHead) !== head.getUint32(12, true)) {
    throw new DamagedIndexError(`${where}: 校验和不符`);
  }
  return payload.subarray(rules.memberHead);
}

export async function readMember(bytes, rules, kind, number, tag, where) {
  return unframe(await inflate(bytes, where), rules, kind, number, tag, where);
}

// LEB128 varints from `bytes[start, end)`.
export function readVarints(bytes, start, end, out = []) {
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

// u32s of a body (copied when it does not start on a 4-byte boundary).
function u32s(bytes, at, n) {
  const start = bytes.byteOffset + at;
  if (start % 4 === 0) return new Uint32Array(bytes.buffer, start, n);
  return new Uint32Array(bytes.slice(at, at + 4 * n).buffer);
}

// Shard: u32 n, u32 L | u32 lo[n] | u32 hi[n] | L bytes of varint
// (postings length * 2 + extended) | postings
export function parseShard(bytes) {
  if (!bytes) return { n: 0, lo: new Uint32Array(0), hi: new Uint32Array(0), bytes: new Uint8Array(0) };
  const [n, lensBytes] = u32s(bytes, 0, 2);
  const lo = u32s(bytes, 8, n);
  const hi = u32s(bytes, 8 + 4 * n, n);
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

export function findKey(shard, key) {
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
export function postingsAt(shard, i) {
  const deltas = readVarints(shard.bytes, shard.starts[i], shard.starts[i + 1]);
  const out = new Int32Array(deltas.length);
  let value = 0;
  for (let k = 0; k < deltas.length; k++) {
    value += deltas[k];
    out[k] = value;
  }
  return out;
}

// Positions member: u32 m, u32 L | varint byte length of each of the
// shard's last m keys' entries | the entries (a common gram's entry is
// where its own member lies: varint offset from the end of this member,
// varint bytes).
export function parsePositions(bytes) {
  const [m, lensBytes] = u32s(bytes, 0, 2);
  const lengths = readVarints(bytes, 8, 8 + lensBytes);
  const starts = new Uint32Array(m + 1);
  starts[0] = 8 + lensBytes;
  for (let i = 0; i < m; i++) starts[i + 1] = starts[i] + lengths[i];
  return { m, bytes, starts };
}

// Positions of one gram in each of its documents, from its entry
// `bytes[start, end)` (per posting: count, first position, gaps).
export function positionsAt(bytes, start, end, postings) {
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

// Document table (search/pack.py doc_table_body): per document, varint gap
// from the previous document's end, varint bytes -> {starts, sizes}.
export function parseDocTable(bytes, docs, where) {
  const starts = new Float64Array(docs);
  const sizes = new Float64Array(docs);
  const pair = new Float64Array(2);
  let at = 0;
  let end = 0;
  let doc = 0;
  for (; doc < docs && at < bytes.length; doc++) {
    at = varintsAt(bytes, at, pair, 2);
    if (at < 0) break;
    starts[doc] = end + pair[0];
    sizes[doc] = pair[1];
    end = starts[doc] + sizes[doc];
  }
  if (doc !== docs || at !== bytes.length) throw new DamagedIndexError(`${where}: 文档表与 ${docs} 篇文档不符`);
  return { starts, sizes };
}

// Shard table member (search/pack.py shard_table_body): per shard varint
// shard bytes, 0 for an empty shard; else then varint positions bytes and
// varint gap from the previous non-empty shard's shard + positions end.
// The rows the pack's shard directory has: [start, shard bytes, positions bytes].
export function parseShardTable(bytes, shards, where) {
  const rows = new Float64Array(3 * shards);
  const entry = new Float64Array(3);
  let at = 0;
  let end = 0;
  let shard = 0;
  for (; shard < shards && at < bytes.length; shard++) {
    if (!bytes[at]) {
      at += 1; // an empty shard
      continue;
    }
    at = varintsAt(bytes, at, entry, 3);
    if (at < 0) break;
    const start = end + entry[2];
    rows[3 * shard] = start;
    rows[3 * shard + 1] = entry[0];
    rows[3 * shard + 2] = entry[1];
    end = start + entry[0] + entry[1];
  }
  if (shard !== shards || at !== bytes.length) throw new DamagedIndexError(`${where}: 分片表与 ${shards} 个分片不符`);
  return rows;
}

// `count` varints from bytes[at] into out; the place after them, or -1
// when the bytes end first.  The tables are read with this rather than
// readVarints (no array of every number): they are read on the way to a
// first query's downloads, before the code is optimized.
function varintsAt(bytes, at, out, count) {
  for (let k = 0; k < count; k++) {
    let value = 0;
    let scale = 1;
    let b = 0x80;
    while (b & 0x80) {
      if (at >= bytes.length) return -1;
      b = bytes[at++];
      value += (b & 0x7f) * scale;
      scale *= 128;
    }
    out[k] = value;
  }
  return at;
}

// One chunk of a segment's facet values (search/segment.py
// facet_chunk_body): per facet {offsets, ids}, the value ids of document k
// of the chunk at ids[offsets[k], offsets[k + 1]) (names in the segment's
// facet names member).
export function parseFacetChunk(bytes, docs, widths) {
  const out = {};
  let at = 0;
  for (const facet of Object.keys(widths)) {
    const width = widths[facet];
    const counts = bytes.subarray(at, at + docs);
    const offsets = new Uint32Array(docs + 1);
    for (let i = 0; i < docs; i++) offsets[i + 1] = offsets[i] + counts[i];
    const total = offsets[docs];
    const start = at + docs;
    const ids = width === 1 ? bytes.subarray(start, start + total)
      : new Uint16Array(bytes.slice(start, start + 2 * total).buffer);
    out[facet] = { offsets, ids };
    at = start + total * width;
    at += (4 - (at % 4)) % 4;
  }
  if (at !== bytes.length) throw new DamagedIndexError(`分面数据有 ${bytes.length} 字节，应为 ${at}`);
  return out;
}
