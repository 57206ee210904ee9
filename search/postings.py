"""Postings: per gram, the ascending documents that hold it, by shard.

Per gram, the ascending doc ids, each stored as ``id << 3 | body class << 1 | in_title``
(search/format.py),
delta-encoded as LEB128 varints; beside them the positions of 3-grams that
are not extended.  A gram lives in shard ``(key * FIB) mod 2**64 >> (64 -
bits)`` (Fibonacci hashing, recomputed in the browser with BigInt); ``bits``
is what the postings of a fair sample ask for, so that a shard is ~5-8 KB
gzipped (:func:`sized_blocks`).
"""

from __future__ import annotations

import itertools
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import numpy as np

from .arrays import Pieces, index_in, take_segments, varints
from .extract import ArticlePage
from .format import BASE_GRAM, FIB, LONGEST_GRAM
from .grams import Corpus, batches

# Extensions: a gram of BASE_GRAM or more characters that occurs at least
# EXTEND_OCCURRENCES times is "extended": every gram one character longer
# that contains it at either end is indexed too, up to LONGEST_GRAM
# characters, and it keeps no positions (a query always replaces it by an
# extension).  So no query needs the positions of a very common gram: they
# were most of the first-query bytes at 50,000 articles (营口市: 550 KB).
EXTEND_OCCURRENCES = 20_000

# A shard aims at this many bytes before gzip; gzip shrinks shards about
# 1.8 times, so they end near 5-8 KB on the wire (docs/search.md).  A long
# run may look up ten grams over its rounds, so small shards pay: at 50,000
# articles 22,000 gave the worst first query 290 KB, 11,000 gave 252 KB.
SHARD_TARGET_RAW = 11_000
# Raw shard bytes of a segment of c searchable characters, about
# RAW_BYTES_AT_MILLION * (c / 1e6) ** RAW_BYTES_GROWTH: measured on the
# benchmark text (yingkou_archive/synthetic.py, whose gram statistics are
# within 20 % of real prose) from 8.2 bytes a character at 277,000
# characters to 5.7 at 17.6 million (a larger segment repeats more of its
# grams).  It only says how the grams are first grouped: the shard count
# is the one the first block's postings ask for (:func:`sized_blocks`).
RAW_BYTES_AT_MILLION = 7.3e6
RAW_BYTES_GROWTH = 0.91
MAX_SHARD_BITS = 16


@dataclass
class Postings:
    """Grams of one block of shards, in shard order (then key order)."""

    keys: np.ndarray      # uint64, one per gram
    shards: np.ndarray    # shard of each gram
    lengths: np.ndarray   # postings bytes per gram
    data: np.ndarray      # uint8, varint postings of all grams, gram after gram
    pos_lengths: np.ndarray  # position bytes per gram (0 unless 3+ characters, not extended)
    pos_data: np.ndarray     # uint8, positions of all grams, gram after gram
    extended: np.ndarray     # bool per gram: its one-character extensions are indexed


def shard_bits_for(chars: int) -> int:
    """Shard count (as a power of two) for a corpus of ``chars`` characters."""
    shards = RAW_BYTES_AT_MILLION * (chars / 1e6) ** RAW_BYTES_GROWTH / SHARD_TARGET_RAW
    return max(0, min(MAX_SHARD_BITS, round(math.log2(shards)) if shards > 1 else 0))


def _block_postings(corpus: Corpus, pieces: list[Pieces], bits: int) -> Postings:
    """Merge one block's sorted batch pieces into grams and postings."""
    concat = np.concatenate([p.composites for p in pieces])
    order = np.argsort(concat, kind="stable")  # timsort: merges the sorted runs
    merged = concat[order]
    pay_lengths, pay_data = take_segments(
        np.concatenate([p.lengths for p in pieces]), np.concatenate([p.data for p in pieces]), order)
    tagged = merged >> corpus.shift
    # stored value: id << FLAG_BITS | flags (search/format.py posting_value)
    value = merged & np.uint64((1 << int(corpus.shift)) - 1)
    first = np.ones(len(merged), dtype=bool)
    first[1:] = tagged[1:] != tagged[:-1]
    starts = np.flatnonzero(first)
    keys = corpus.keys_of(tagged[starts])
    extended = index_in(corpus.extended, tagged[starts]) >= 0
    delta = value.copy()
    delta[1:] -= value[:-1]
    delta[starts] = value[starts]
    data, nbytes = varints(delta)
    lengths = np.add.reduceat(nbytes, starts)
    pos_lengths = np.add.reduceat(pay_lengths, starts, dtype=np.int64)
    shards = shards_of(keys, bits)
    order = np.lexsort((keys, shards))  # hashed long keys: sort them inside the shard
    lengths, data = take_segments(lengths, data, order)
    pos_lengths, pos_data = take_segments(pos_lengths, pay_data, order)
    return Postings(keys[order], shards[order], lengths, data, pos_lengths, pos_data,
                    extended[order])


def shards_of(keys: np.ndarray, bits: int) -> np.ndarray:
    if not bits:
        return np.zeros(len(keys), dtype=np.uint32)
    return ((keys * np.uint64(FIB)) >> np.uint64(64 - bits)).astype(np.uint32)


def build_postings(pages: list[ArticlePage], bits: int, workers: int, settle):
    """Postings of all grams, yielded per block of shards (block order = shard order).

    ``settle`` is shown the first block's postings (made for ``bits``
    shards) and returns the shard count of them all: the first block is
    regrouped for it when it differs, and the others are made for it.

    The 1- and 2-grams of every batch, then level by level from 3
    characters to LONGEST_GRAM: one pass counts the level's grams per hash
    bucket, a second makes their postings (positions only for grams that
    are not extended), and the next level looks only at the positions where
    an extended gram starts or ends.
    """
    corpus = Corpus(pages)
    block_bits = min(bits, 4)
    blocks: list[list[Pieces]] = [[] for _ in range(1 << block_bits)]

    def route(pieces: Pieces) -> None:
        if not len(pieces.composites):
            return
        which = _block_of(corpus, pieces.composites, bits, block_bits)
        order = np.argsort(which, kind="stable")
        bounds = np.searchsorted(which[order], np.arange(len(blocks) + 1))
        for b in range(len(blocks)):
            if bounds[b + 1] > bounds[b]:
                part = order[bounds[b]:bounds[b + 1]]
                lengths, data = take_segments(pieces.lengths, pieces.data, part)
                blocks[b].append(Pieces(pieces.composites[part], lengths, data))

    pool = ThreadPoolExecutor(workers)  # numpy sorts and zlib release the GIL
    try:
        texts = []
        for pieces, text in pool.map(lambda b: corpus.short_grams(*b), list(batches(pages))):
            route(pieces)
            texts.append(text)
            del pieces
        for n in range(BASE_GRAM, LONGEST_GRAM + 1):
            if n > BASE_GRAM and not len(corpus.extended_at[n - 1]):
                break
            _index_level(pool, corpus, texts, n, route, workers)
        del texts
        corpus.extended = np.sort(np.concatenate(list(corpus.extended_at.values())))
        yield from _merged_blocks(pool, corpus, blocks, bits, workers, settle)
    finally:
        pool.shutdown()


def _index_level(pool, corpus: Corpus, texts: list, n: int, route, workers: int) -> None:
    """The grams of n >= 3 characters of every batch, routed to their blocks."""
    if n > BASE_GRAM:
        corpus.check_parents(n)
        list(pool.map(partial(corpus.mark_extended, n=n - 1), texts))
    # a gram is extended when its bucket holds EXTEND_OCCURRENCES
    # occurrences: counted before the positions, which it then skips
    heavy = sum(pool.map(partial(corpus.count_buckets, n=n), texts)) >= EXTEND_OCCURRENCES
    extended, grams, waiting = [], [], []
    # 3-grams are routed batch by batch (each batch's pieces are freed once
    # in their blocks instead of every batch's waiting for the last: this
    # level is most of the index); longer grams are few and must wait, as
    # their keys, which say their block, are known only once the level is
    # settled
    level = partial(corpus.level_pieces, n=n, heavy=heavy)
    for pieces, batch_extended, batch_grams in _in_order(pool, level, texts, workers):
        if n == BASE_GRAM:
            for part in pieces:
                route(part)
        else:
            waiting.extend(pieces)
        extended.append(batch_extended)
        grams.append(batch_grams)
        del pieces
    corpus.settle_level(n, extended, grams)
    for part in waiting:
        route(part)


def _merged_blocks(pool, corpus: Corpus, blocks: list[list[Pieces]], bits: int, workers: int, settle):
    """Each block's postings, in block order; a block's pieces are let go
    as its merge starts (with every merge submitted at once, all blocks'
    pieces and postings were held together at the end)."""
    def take(b):
        pieces, blocks[b] = blocks[b], []
        return pieces

    work = (take(b) for b in range(len(blocks)) if blocks[b])
    # the first block alone, so that the others are made for the shard
    # count it asks for (the estimate was off for every segment of the
    # benchmark text, and every block was regrouped)
    pieces = next(work, None)
    if pieces is None:
        return
    first = _block_postings(corpus, pieces, bits)
    del pieces
    final = settle(first)
    yield first if final == bits else _reshard(first, final)
    del first
    yield from _in_order(pool, partial(_block_postings, corpus, bits=final), work, workers)


def _in_order(pool, fn, items, window: int):
    """fn of each item, in order, run on the pool with at most ``window``
    results made ahead of the one being used (pool.map submits every item
    at once and keeps every result until it is taken)."""
    pending = []
    for item in items:
        pending.append(pool.submit(fn, item))
        del item
        if len(pending) > window:
            yield pending.pop(0).result()
    while pending:
        yield pending.pop(0).result()


def _block_of(corpus: Corpus, pairs: np.ndarray, bits: int, block_bits: int) -> np.ndarray:
    if not block_bits:
        return np.zeros(len(pairs), dtype=np.uint8)
    # pairs are sorted by gram: compute each distinct gram's shard once
    tagged = pairs >> corpus.shift
    first = np.ones(len(tagged), dtype=bool)
    first[1:] = tagged[1:] != tagged[:-1]
    starts = np.flatnonzero(first)
    shards = shards_of(corpus.keys_of(tagged[starts]), bits)
    runs = np.diff(np.append(starts, len(tagged)))
    return np.repeat((shards >> np.uint32(bits - block_bits)).astype(np.uint8), runs)


def _raw_size(block: Postings) -> int:
    """Shard bytes of a block before gzip (headers and varint lengths approximate)."""
    return int(8 * len(block.keys) + len(block.keys) + block.lengths.sum())


def _reshard(block: Postings, bits: int) -> Postings:
    """The same grams ordered for ``bits`` shards: by shard, then key."""
    shards = shards_of(block.keys, bits)
    order = np.lexsort((block.keys, shards))
    lengths, data = take_segments(block.lengths, block.data, order)
    pos_lengths, pos_data = take_segments(block.pos_lengths, block.pos_data, order)
    return Postings(block.keys[order], shards[order], lengths, data, pos_lengths, pos_data,
                    block.extended[order])


def _concatenate(blocks: list[Postings]) -> Postings:
    return Postings(*(np.concatenate([getattr(b, f) for b in blocks]) for f in
                      ("keys", "shards", "lengths", "data", "pos_lengths", "pos_data", "extended")))


def sized_blocks(pages: list[ArticlePage], bits: int, workers: int):
    """(final bits, blocks): postings per block of shards, with the shard
    count checked against the real postings.

    ``bits`` is an estimate from the segment's characters.  Blocks split
    the grams by hash, so the first one is a fair sample of
    the whole: the shard count is the one its postings ask for, and the
    estimate only says how the grams are first grouped.
    """
    chosen = []

    def settle(first: Postings) -> int:
        sampled = 1 << min(bits, 4)  # the first block holds 1/sampled of the grams
        wanted = math.log2(max(1.0, _raw_size(first) * sampled / SHARD_TARGET_RAW))
        chosen.append(max(0, min(MAX_SHARD_BITS, round(wanted))))
        return chosen[0]

    blocks = build_postings(pages, bits, workers, settle)
    first = next(blocks, None)
    if first is None:
        return bits, iter(())
    final = chosen[0]
    if final >= min(bits, 4):  # each block holds whole shards (the top bits of the hash)
        return final, itertools.chain([first], blocks)
    return final, iter([_reshard(_concatenate([first, *blocks]), final)])
