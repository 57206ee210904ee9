"""The index format: what the writer promises and both readers rely on.

Everything the browser (``theme/static/js/search-engine.js``) must agree on
is defined here once: file names, the gram keys, the shard hash and the
query covers.  The numbers a reader needs travel in ``manifest.json``
(:func:`manifest_format`), so the JavaScript never keeps its own copy, and
it refuses an index whose ``version`` it does not know.  docs/search.md
describes the files byte by byte.
"""

from __future__ import annotations

import gzip
import struct
import zlib

SEARCH_DIR = "search"
MANIFEST_NAME = "manifest.json"
T2S_NAME = "t2s.json"
SEGMENT_DIR = "seg"  # the segments' pack files
T2S_PACK = "t2s.bin"  # the t2s map in pieces of 256 code points, for the search page
# Folders of earlier formats: an upgraded build removes their files.
OLD_DIRS = ("shard", "pos", "doc", "t2s")
OLD_FILES = ("attrs.bin",)
# Bump on any change a reader must know about; search-engine.js lists the
# versions it reads (SUPPORTED_VERSIONS) and refuses others.  5: facets as a
# list with labels, the format numbers in the manifest, doc terms by kind.
# 6: segments in pack files read by byte range, ids oldest first, framed
# members with a checksum.  7: each segment's document table (where every
# document lies, compactly) as a member named in the manifest, so a reader
# can find a result's document without a directory round trip.  8: each
# segment's shard table the same way, carried in the manifest itself when
# the tables are small (SHARD_TABLES_INLINE), so a first lookup needs no
# directory round trip.  9: a segment's facet values in chunks of
# FACET_CHUNK_DOCS documents after a member of their names, so a query's
# facet counts fetch only the chunks holding its results (at 100,000
# articles every first query fetched all of them: 226 KB).  10: beside the
# chunks (now of 256 documents), one member with the facet values of all
# the segment's documents, which a query fetches instead of its chunks when
# they would come to more bytes (a word in most documents).  11: a gram in
# FACET_COUNT_DOCS or more documents of a segment has the facet counts of
# those documents at the end of its shard, so a query without filters
# counts its facets from them (less the few documents beyond its matches)
# instead of its documents' facet values.
FORMAT_VERSION = 11

# Segments (search/segments.py): full units of SEGMENT_UNIT documents are
# grouped by the digits of their count in base SEGMENT_FANOUT, one segment
# per non-zero digit, and the documents after the last full unit are the
# tail segment.  No segment grows past SEGMENT_UNIT * SEGMENT_FANOUT **
# SEGMENT_TOP_LEVEL documents (16,384): the build holds one segment's
# postings at a time, so this bounds its memory (about 80 KB a document),
# as Lucene's merge policy caps a merged segment's size.
SEGMENT_UNIT = 1024
SEGMENT_FANOUT = 4
SEGMENT_TOP_LEVEL = 2

# Pack files: a segment's members (gzip, one per shard, positions list,
# document, facet list) are laid end to end in parts of at most PART_LIMIT
# bytes (hosts cap a file's size, Cloudflare Pages at 25 MiB).  Offsets are
# "virtual": part p starts at p << PART_BITS, so one u32 says part and place.
PART_BITS = 25
PART_LIMIT = 20_000_000
PACK_MAGIC = b"YKS6"
# u32 magic, u32 shard count, u32 document count, u32 the segment's tag; then per shard
# u32 start, u32 shard bytes, u32 positions bytes; then per document u32
# start, u32 bytes (docs/search.md, "Pack files").
PACK_HEAD = 16
SHARD_ENTRY = 12
DOC_ENTRY = 8
# Every member's payload starts with u32 kind, u32 number (shard, document
# or the low half of a gram key), u32 the segment's tag, u32 CRC-32 of the
# rest: a reader that gets other bytes than it asked for (a damaged file,
# another build's file under this name, a wrong range) says so.
MEMBER_HEAD = 16
(MEMBER_SHARD, MEMBER_POSITIONS, MEMBER_OWN_POSITIONS, MEMBER_DOC, MEMBER_ATTRS, MEMBER_T2S,
 MEMBER_DOC_TABLE, MEMBER_SHARD_TABLE, MEMBER_FACET_NAMES, MEMBER_FACETS_ALL) = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
# Facet values are kept per chunk of this many documents (a MEMBER_ATTRS
# member each, numbered from 0), after the segment's MEMBER_FACET_NAMES
# member and adjacent to it, so that the chunks of a run of results are one
# range.  A segment of more than one chunk also has a MEMBER_FACETS_ALL
# member (the same values for all its documents, in the chunks' layout)
# right before the names.  A reader fetches the chunks holding a query's
# matches that it lacks, or that member when the ranges those chunks take
# (RANGE_GAP) come to as many bytes or more: small chunks then cost rare
# queries little, and neither a broad query nor one whose matches are
# scattered over most chunks pays more than the member.  On the 160
# benchmark queries at 100,000 articles (facet bytes alone, counted from
# the built index): chunks of 1,024 and no such member gave a median of
# 59.7 KB and a p90 of 251.5 KB; chunks of 256 with it, 27.5 and 224.5 KB
# (with RANGE_GAP's 2 KB).  Chunks of 128 gave a median of 21.1 KB but
# more requests and a larger manifest (it lists each chunk's bytes).
FACET_CHUNK_DOCS = 256
# A reader fetches the facet members a query lacks (names, chunks) of one
# segment in one range where they are at most this many bytes apart,
# taking in the chunks between them: a request saved is worth more than a
# few chunks of 650 bytes.  With chunks of 1,024 (format 9) a gap of 0 was
# best: 4 KB took the 160 benchmark queries' first-query bytes from a
# median of 257.0 to 259.6 KB and made nothing faster.  With chunks of 256
# and a gap of 0, a word in a few hundred documents took a request per
# chunk: at 100,000 articles up to 109 facet requests for one query (151
# in all), and on the phone-like connection a typed query's p90 went from
# 2,862 to 3,514 ms.  Counted from the built index (facet data alone): a
# gap of 2 KB brings the p90 of facet requests from 94 to 39 (max 49) for
# a median of 27.5 KB instead of 25.6 (docs/benchmarks.md).
RANGE_GAP = 2048
# The segments' shard tables (the members' payloads, base64) go into manifest.json when
# together they are at most this many bytes.  Every visit to the search page
# downloads them, while they save each first query a round trip (150 ms on
# a phone's connection, against 5 ms a kilobyte at 1.6 Mbit/s): about
# 10,000 documents fit.
SHARD_TABLES_INLINE = 24 * 1024
# A 3-gram in at least this many documents keeps its positions in a file of
# its own (pos/<key hex>.bin) instead of its shard's positions file, so a
# query pays for a common 3-gram's positions only when it needs them and its
# shard-mates never do (docs/search.md, "The index", positions file).
POS_SPLIT_DOCS = 400
# A gram in at least this many of a segment's documents has, at the end of
# its shard's body, per facet the number of those documents having each of
# the segment's values.  A query without filters counts from there, less
# the few documents the gram has beyond its matches (search-segment.js
# countsOf; none for a one-gram query): at 100,000 articles a word in most
# documents fetched every segment's facet values for them (224 KB of a
# first query's 320-350 KB), while its counts add about 52 bytes to its
# shard (gzipped).  As members of their own after the positions they were
# an extra round of requests: a later query for a common word took
# 62-68 ms instead of 39-46 ms in Chromium on a local server.  A word in a
# few dozen documents scattered over a segment takes most of its chunks
# too (要道: 216.7 KB of facet values at 100,260 articles with 64 here).
# On the 160 benchmark queries at 100,260 articles (docs/benchmarks.md),
# 64 gave 12 first queries over 300 KB and shards 1.1% larger than without
# counts (17,558 grams with counts in the first 16,384-document segment),
# 16 gave 5 and 4.3% (100,128 grams), and 15.8 MB more index in all; on a
# phone, where facet values wait for 筛选, the median first query went
# from 188.4 to 191.7 KB.
FACET_COUNT_DOCS = 16

# A posting's value: local document id << POSTING_FLAG_BITS | body class
# << 1 | in title.  Body class: how often the gram occurs in the article
# body (not the title or the metadata line): 0 never, 1 once, 2 two or three
# times, 3 four or more.  The readers rank by these (relevance_weight): a
# phrase in the title weighs TITLE_WEIGHT, in the body BODY_CLASS_WEIGHTS
# by class, only in the metadata (a tag, the author) nothing; each phrase's
# weight is multiplied by the bit length of (documents // documents having
# it), a whole-number idf, so both readers order results identically.
POSTING_FLAG_BITS = 3
TITLE_WEIGHT = 8
BODY_CLASS_WEIGHTS = (0, 2, 3, 4)

# Fibonacci hashing multiplier (2**64 / golden ratio, odd): a bijection on
# uint64 that spreads neighbouring keys over all shards.
FIB = 0x9E3779B97F4A7C15
MASK64 = (1 << 64) - 1
# Length tags: 1-grams are bare code points (< 2**21), 2-grams have bit 62,
# 3-grams bit 63 (their 63 packed bits never reach bit 63 themselves since
# code points are < 2**21, so they stay below 2**63 + 2**60).  Longer grams
# (extensions) are hashed into [3 * 2**62, 2**64).  No two ranges overlap,
# and the grams with positions (3 characters and more) sort last.
CODE_POINT_BITS = 21
TAG2 = 1 << 62
TAG3 = 1 << 63
TAG_LONG = 3 << 62
BASE_GRAM = 3  # every 1-, 2- and 3-gram is indexed
# Extended grams grow up to this many characters (search/postings.py).
LONGEST_GRAM = 6
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
# Level 6: shards 0.7 % larger than level 9 but gzip five times faster.
GZIP_LEVEL = 6


class FormatError(ValueError):
    pass


class DamagedIndexError(FormatError):
    """Bytes of the index that are not what the manifest promises."""


def part_name(segment: str, part: int) -> str:
    """A segment's pack part, relative to the index folder."""
    return f"{SEGMENT_DIR}/{segment}.{part}.bin"


def frame(kind: int, number: int, tag: int, body: bytes) -> bytes:
    """A member's payload before gzip: the head, then ``body``."""
    head = struct.pack("<4I", kind, number & 0xFFFFFFFF, tag, zlib.crc32(body))
    return head + body


def unframe(payload: bytes, kind: int, number: int, tag: int, where: str) -> bytes:
    """The body of a member's payload, checked against what was asked for."""
    if len(payload) < MEMBER_HEAD:
        raise DamagedIndexError(f"{where}: 数据不完整")
    got_kind, got_number, got_tag, crc = struct.unpack_from("<4I", payload)
    body = payload[MEMBER_HEAD:]
    if (got_kind, got_number, got_tag) != (kind, number & 0xFFFFFFFF, tag):
        raise DamagedIndexError(f"{where}: 不是所需的数据（{got_kind}/{got_number}/{got_tag:x}，"
                                f"应为 {kind}/{number & 0xFFFFFFFF}/{tag:x}）")
    if zlib.crc32(body) != crc:
        raise DamagedIndexError(f"{where}: 校验和不符")
    return body


def gzip_bytes(data: bytes) -> bytes:
    """Deterministic gzip (no timestamp): same input, same bytes."""
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def manifest_format() -> dict:
    """The numbers a reader needs for keys, shards and covers, for
    ``manifest.json``.  64-bit values are hex strings: a JSON number holds
    53 bits exactly."""
    return {
        "fib": hex(FIB), "tag2": hex(TAG2), "tag3": hex(TAG3), "tagLong": hex(TAG_LONG),
        "fnvOffset": hex(FNV_OFFSET), "fnvPrime": hex(FNV_PRIME), "codePointBits": CODE_POINT_BITS,
        "baseGram": BASE_GRAM, "longestGram": LONGEST_GRAM, "posSplit": POS_SPLIT_DOCS,
        "flagBits": POSTING_FLAG_BITS, "titleWeight": TITLE_WEIGHT, "bodyWeights": list(BODY_CLASS_WEIGHTS),
        "partBits": PART_BITS, "packMagic": PACK_MAGIC.decode("ascii"), "packHead": PACK_HEAD,
        "shardEntry": SHARD_ENTRY, "docEntry": DOC_ENTRY, "memberHead": MEMBER_HEAD,
        "facetChunk": FACET_CHUNK_DOCS, "rangeGap": RANGE_GAP, "countSplit": FACET_COUNT_DOCS,
        "members": {"shard": MEMBER_SHARD, "positions": MEMBER_POSITIONS,
                    "ownPositions": MEMBER_OWN_POSITIONS, "doc": MEMBER_DOC, "attrs": MEMBER_ATTRS,
                    "t2s": MEMBER_T2S, "docTable": MEMBER_DOC_TABLE,
                    "shardTable": MEMBER_SHARD_TABLE, "facetNames": MEMBER_FACET_NAMES,
                    "facetsAll": MEMBER_FACETS_ALL},
    }


def posting_weight(flags: int) -> int:
    """What a phrase's occurrence in one document is worth (before idf)."""
    return TITLE_WEIGHT * (flags & 1) + BODY_CLASS_WEIGHTS[flags >> 1 & 3]


def phrase_weight(documents: int, having: int) -> int:
    """A whole-number idf: rarer phrases weigh more."""
    return (documents // max(1, having)).bit_length()


def gram_key(gram: str) -> int:
    """The uint64 key of a normalized gram: exact for 1 to 3 token
    characters, a 62-bit FNV-1a hash of the code points for longer grams
    (a collision among the few hundred thousand extensions is about as
    likely as 1 in 10**7 for a whole archive)."""
    cps = [ord(c) for c in gram]
    if len(cps) == 1:
        return cps[0]
    if len(cps) == 2:
        return TAG2 | cps[0] << CODE_POINT_BITS | cps[1]
    if len(cps) == 3:
        return TAG3 | cps[0] << 2 * CODE_POINT_BITS | cps[1] << CODE_POINT_BITS | cps[2]
    if len(cps) <= LONGEST_GRAM:
        h = FNV_OFFSET
        for cp in cps:
            h = ((h ^ cp) * FNV_PRIME) & MASK64
        return TAG_LONG | h >> 2
    raise FormatError(f"a gram has 1 to {LONGEST_GRAM} characters: {gram!r}")


def shard_of(key: int, bits: int) -> int:
    """Which shard file holds a gram key (Fibonacci hashing)."""
    return ((key * FIB) & MASK64) >> (64 - bits) if bits else 0


def first_cover(length: int) -> list[tuple[int, int]]:
    """The first lookups of a run of ``length`` characters, as [start, end)
    spans: the run itself up to 3 characters, else 3-grams tiling it
    (starts 0, 3, 6, ... and length - 3)."""
    if length <= BASE_GRAM:
        return [(0, length)]
    starts = list(range(0, length - BASE_GRAM + 1, BASE_GRAM))
    if starts[-1] != length - BASE_GRAM:
        starts.append(length - BASE_GRAM)
    return [(a, a + BASE_GRAM) for a in starts]


def next_cover(cover: list[tuple[int, int]], extended: set[tuple[int, int]],
               length: int) -> list[tuple[int, int]]:
    """The next lookups after a round: each extended span grows by one
    character (to the right while it can, else to the left; its extension is
    indexed), then spans whose characters the others cover are dropped
    (the newest, growing ones first, then from the right).  The same in
    search-engine.js; docs/search.md, "Queries"."""
    grown = []
    for a, b in cover:
        if (a, b) in extended:
            a, b = (a, b + 1) if b < length else (a - 1, b)
        if (a, b) not in grown:
            grown.append((a, b))
    if (0, length) in grown:
        return [(0, length)]
    settled = [s for s in grown if s in cover]
    for span in sorted(grown, key=lambda s: (s in settled, -s[0], -s[1])):
        others = [s for s in grown if s != span]
        if all(any(a <= i < b for a, b in others) for i in range(*span)):
            grown.remove(span)
    return sorted(grown)
