// The search tokenization rule, browser side.
//
// This mirrors search/tokens.py line for line; the build
// indexes text with the Python version and the search page cuts queries with
// this one, so the two must agree (tests/test_search_tokens.py runs both on
// the same samples, this one in Chromium).  In short: every Han character,
// ASCII letter and digit is a token character; characters are normalized one
// by one (full-width letters and digits to ASCII, traditional to simplified,
// A-Z to a-z); everything else is a boundary, and each run of token
// characters is searched as an exact substring.

const HAN_RANGES = [
  [0x3007, 0x3007],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xf900, 0xfaff],
  [0x20000, 0x2fa1f],
];

export const MAX_QUERY_CHARS = 100;

let t2s = new Map();

// Load the traditional->simplified map written by the build: {"pairs": "營营..."}.
export function setT2S(pairs) {
  const map = new Map();
  const chars = Array.from(pairs || "");
  for (let i = 0; i + 1 < chars.length; i += 2) map.set(chars[i], chars[i + 1]);
  t2s = map;
  haystacks.clear(); // they were normalized with the old map
  unitKinds.fill(0);
}

// True when `text` has a character the t2s map would change, judged from the
// build's bitmap (config.tradBits: 6 bits per base64 character from
// config.tradBase); compatibility and supplementary ideographs always count.
// Lets pages skip downloading the map for ordinary simplified text.
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
export function needsT2S(text, config) {
  const bits = config.tradBits || "";
  const base = config.tradBase || 0;
  for (const ch of text) {
    const code = ch.codePointAt(0);
    if ((code >= 0xf900 && code <= 0xfaff) || (code >= 0x20000 && code <= 0x2fa1f)) return true;
    const offset = code - base;
    if (offset >= 0 && offset < bits.length * 6) {
      if (BASE64.indexOf(bits[Math.floor(offset / 6)]) & (1 << (offset % 6))) return true;
    }
  }
  return false;
}

export function foldChar(ch) {
  const code = ch.codePointAt(0);
  if ((code >= 0xff10 && code <= 0xff19) || (code >= 0xff21 && code <= 0xff3a) ||
      (code >= 0xff41 && code <= 0xff5a)) {
    return String.fromCodePoint(code - 0xfee0);
  }
  if (code === 0x3000) return " ";
  return t2s.get(ch) || ch;
}

export function normalizeChar(ch) {
  ch = foldChar(ch);
  if (ch >= "A" && ch <= "Z") return String.fromCharCode(ch.charCodeAt(0) + 32);
  return ch;
}

export function isTokenChar(ch) {
  if ((ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9")) return true;
  const code = ch.codePointAt(0);
  for (let i = 0; i < HAN_RANGES.length; i++) {
    if (code >= HAN_RANGES[i][0] && code <= HAN_RANGES[i][1]) return true;
  }
  return false;
}

// Text normalized character by character; returns an array of characters
// (code points), one per code point of the input, so indexes line up.
export function normalizeChars(text) {
  return Array.from(text, normalizeChar);
}

export function runs(text) {
  const found = [];
  let current = "";
  for (const raw of text) {
    const ch = normalizeChar(raw);
    if (isTokenChar(ch)) {
      current += ch;
    } else if (current) {
      found.push(current);
      current = "";
    }
  }
  if (current) found.push(current);
  return found;
}

// The phrases of a query: distinct runs, longest first (ties in code point
// order, as Python sorts strings), none inside another.
export function parseQuery(text) {
  const cut = Array.from(text).slice(0, MAX_QUERY_CHARS).join("");
  const found = Array.from(new Set(runs(cut)));
  found.sort((a, b) => lengthOf(b) - lengthOf(a) || byCodePoint(a, b));
  const kept = [];
  for (const phrase of found) {
    if (!kept.some((longer) => longer.includes(phrase))) kept.push(phrase);
  }
  return kept;
}

function lengthOf(s) {
  return Array.from(s).length;
}

// JavaScript's < compares UTF-16 code units, which puts U+10000 and above
// (surrogates D800-DFFF) before U+E000-FFFF; Python compares code points.
function byCodePoint(a, b) {
  const x = Array.from(a, (ch) => ch.codePointAt(0));
  const y = Array.from(b, (ch) => ch.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

// `text` normalized for matching (token characters normalized, others NUL)
// and, per UTF-16 unit of it, the code point index in `text`.  Kept for the
// last texts: a search result's body and title are matched several times
// (excerpt, highlights, which phrases only a tag has), and normalizing a
// body char by char is most of the work of drawing the results.
const haystacks = new Map();
const HAYSTACKS_KEPT = 64;

// What normalizing does to each BMP character, learnt as texts are
// normalized (t2s lookups and range tests for every character of every
// result's body were most of the time spent drawing results): 0 not known
// yet, SAME a token character that normalizes to itself, GAP not a token
// character after normalizing, OTHER anything else (normalized each time).
const SAME = 1;
const GAP = 2;
const OTHER = 3;
const unitKinds = new Uint8Array(0x10000);

function learnKind(code) {
  const ch = String.fromCharCode(code);
  const n = normalizeChar(ch);
  const kind = !isTokenChar(n) ? GAP : n === ch ? SAME : OTHER;
  unitKinds[code] = kind;
  return kind;
}

function haystackOf(text) {
  const kept = haystacks.get(text);
  if (kept) return kept;
  let haystack = "";
  // per UTF-16 unit of the haystack, the code point index in `text`
  const offsets = [];
  let point = 0;
  for (let i = 0; i < text.length; point++) {
    const code = text.charCodeAt(i);
    let ch;
    let out;
    if (code < 0xd800 || code > 0xdfff) {
      ch = text[i];
      const kind = unitKinds[code] || learnKind(code);
      out = kind === SAME ? ch : kind === GAP ? "\u0000" : null;
    } else {
      ch = String.fromCodePoint(text.codePointAt(i));
      out = null;
    }
    if (out === null) {
      const n = normalizeChar(ch);
      out = isTokenChar(n) ? n : "\u0000";
    }
    i += ch.length;
    for (let k = 0; k < out.length; k++) offsets.push(point);
    haystack += out;
  }
  offsets.push(point);
  const made = { haystack, offsets };
  if (haystacks.size >= HAYSTACKS_KEPT) haystacks.delete(haystacks.keys().next().value);
  haystacks.set(text, made);
  return made;
}

// Where the phrases occur in `text`: sorted, non-overlapping [start, end)
// ranges in code point indexes of `text`.  A phrase only matches inside one
// run of token characters, as in the index.
export function findMatches(text, phrases) {
  const { haystack, offsets } = haystackOf(text);
  const ranges = [];
  for (const phrase of phrases) {
    if (!phrase) continue;
    let at = haystack.indexOf(phrase);
    while (at !== -1) {
      ranges.push([offsets[at], offsets[at + phrase.length]]);
      at = haystack.indexOf(phrase, at + phrase.length);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}
