// On an article page opened from a search result (…/?highlight=营商环境),
// mark the searched phrases inside the <article> element and scroll to the
// first one.  Matching uses the same rule as search (search-tokens.js): a
// phrase matches inside one run of Han characters, letters and digits,
// whatever the case or traditional/simplified form of the page text.
// Text is wrapped in <mark> elements created with the DOM; nothing from the
// URL is inserted as HTML.

import { findMatches, needsT2S, parseQuery, setT2S } from "./search-tokens.js";

const BLOCK = /^(ADDRESS|ARTICLE|ASIDE|BLOCKQUOTE|BR|DD|DIV|DL|DT|FIGCAPTION|FIGURE|FOOTER|H[1-6]|HEADER|HR|LI|MAIN|NAV|OL|P|PRE|SECTION|TABLE|TD|TH|TR|UL|TIME)$/;
const SKIP = /^(SCRIPT|STYLE|TEMPLATE|NOSCRIPT|MARK)$/;

const bundleUrl = new URL("../../search/", import.meta.url);

async function fetchJson(name) {
  const response = await fetch(new URL(name, bundleUrl));
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  return response.json();
}

// The t2s map is only fetched when the page or the query has a character
// it changes; if anything fails, highlighting goes on without it.
async function loadT2SFor(text) {
  try {
    const config = await fetchJson("manifest.json");
    if (needsT2S(text, config)) setT2S((await fetchJson(config.t2sFile)).pairs);
  } catch (error) {
    /* highlight without t2s */
  }
}

// Text nodes of `root` grouped into runs that may match across inline
// elements (营<b>商</b>环境) but never across block edges.
function textGroups(root) {
  const groups = [];
  let group = null;
  let lastBlock = null;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      for (let el = node.parentElement; el && el !== root.parentElement; el = el.parentElement) {
        if (SKIP.test(el.tagName)) return NodeFilter.FILTER_REJECT;
      }
      return NodeFilter.FILTER_ACCEPT;
    },
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let block = node.parentElement;
    while (block && block !== root && !BLOCK.test(block.tagName)) block = block.parentElement;
    if (!group || block !== lastBlock || endsBlockBetween(group.nodes[group.nodes.length - 1], node)) {
      group = { nodes: [], text: "" };
      groups.push(group);
    }
    lastBlock = block;
    group.nodes.push({ node, start: group.text.length });
    group.text += node.data;
  }
  return groups;
}

// A <br> or nested block between two text nodes separates them.
function endsBlockBetween(previous, node) {
  if (!previous) return false;
  const range = document.createRange();
  range.setStartAfter(previous.node);
  range.setEndBefore(node);
  const fragment = range.cloneContents();
  return Array.from(fragment.querySelectorAll("*")).some((el) => BLOCK.test(el.tagName));
}

// Code point ranges of findMatches() to UTF-16 offsets of `text`.
function toUnits(text, ranges) {
  const units = [0];
  for (const ch of text) units.push(units[units.length - 1] + ch.length);
  return ranges.map(([a, b]) => [units[a], units[b]]);
}

function markGroup(group, phrases) {
  const ranges = toUnits(group.text, findMatches(group.text, phrases));
  const marks = [];
  // Right to left, so earlier offsets stay valid while nodes are split.
  for (const [start, end] of ranges.reverse()) {
    for (const { node, start: nodeStart } of group.nodes.slice().reverse()) {
      const nodeEnd = nodeStart + node.data.length;
      if (nodeEnd <= start || nodeStart >= end) continue;
      const from = Math.max(start, nodeStart) - nodeStart;
      const to = Math.min(end, nodeEnd) - nodeStart;
      const range = document.createRange();
      range.setStart(node, from);
      range.setEnd(node, to);
      const mark = document.createElement("mark");
      mark.className = "search-highlight";
      range.surroundContents(mark);
      marks.push(mark);
    }
  }
  return marks.reverse();
}

export async function highlight(root, query) {
  let phrases = parseQuery(query);
  if (!phrases.length) return [];
  if (/[^\u0000-\u2fff]/.test(root.textContent + query)) {
    await loadT2SFor(root.textContent + query);
    phrases = parseQuery(query);
  }
  const marks = [];
  for (const group of textGroups(root)) marks.push(...markGroup(group, phrases));
  return marks;
}

async function main() {
  const query = new URLSearchParams(location.search).get("highlight");
  const root = document.querySelector("article");
  if (!query || !root) return;
  const marks = await highlight(root, query);
  if (marks.length) {
    marks[0].scrollIntoView({ block: "center" });
    document.documentElement.dataset.highlighted = String(marks.length);
  }
}

main();
