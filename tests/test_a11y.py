"""WCAG 2.2 AA on every page type, at phone (390 px) and desktop (1280 px):
axe-core (node_modules/, from package-lock.json; `invoke test` and .ci/run
install it with npm ci) injected into each page, zero violations; and what
axe does not measure: the focus ring's contrast against white and against
the header, control borders of 3:1, tap targets of 24 × 24 px.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (390, 1280)
# One page of every type of the demo archive.
PAGES = {
    "home": "",
    "article": "2024/12/2024-12-18-key-projects-year-end/",
    "article with photo": "2024/07/2024-07-10-roro-car-exports/",
    "term list": "topics/chanye-fazhan/",
    "terms index": "districts/",
    "agencies index": "agencies/",
    "month archive": "2024/12/",
    "year archive": "2024/",
    "archives": "archives/",
    "issues calendar": "issues/",
    "issues calendar of a year": "issues/2024/",
    "day of an issue": "issues/2024/09/10/",
    "page view with regions": "issues/2024/09/10/ykxwdaslbm-p01/",
    "page view of another page": "issues/2024/09/10/ykxwdaslbm-p05/",
    "about": "pages/about/",
    "search with results": "search/?q=港口",
    "404": "no/such/page/here/",
}
AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="module")
def site(demo_url):
    if not AXE.exists():
        pytest.fail("axe-core 未安装：运行 `npm ci` (invoke test does it)")
    return demo_url


def _open(browser, site, path, width):
    page = browser.new_page(viewport={"width": width, "height": 844 if width < 500 else 900})
    page.goto(site + path)
    if path.startswith("search/"):
        page.wait_for_selector(".search-result", timeout=15000)
    return page


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async (tags) => {
        const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                                resultTypes: ["violations"]});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " + n.failureSummary)}));
    }""", AA_TAGS)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", list(PAGES))
def test_axe_finds_no_violations(browser, site, kind, width):
    page = _open(browser, site, PAGES[kind], width)
    try:
        if kind == "404":
            assert page.title().startswith("找不到页面")
        violations = _axe(page)
    finally:
        page.close()
    assert not violations, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations)


# -- what axe leaves to people ------------------------------------------------------

CONTRAST = """
(() => {
  function rgb(text) {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    const [r, g, b, a] = m[1].split(",").map(Number);
    return {r, g, b, a: a === undefined ? 1 : a};
  }
  function lum({r, g, b}) {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  }
  window.contrast = (a, b) => {
    const [x, y] = [lum(rgb(a)), lum(rgb(b))].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  window.background = (el) => {
    for (; el; el = el.parentElement) {
      const bg = getComputedStyle(el).backgroundColor;
      if (rgb(bg).a > 0) return bg;
    }
    return "rgb(255, 255, 255)";
  };
})();
"""


@pytest.mark.parametrize("width", WIDTHS)
def test_focus_ring_and_control_borders_have_3_to_1(browser, site, width):
    page = _open(browser, site, "", width)
    try:
        page.evaluate(CONTRAST)
        # the header's search box, then the home page's: keyboard focus on each
        page.keyboard.press("Tab")  # skip link
        seen = []
        for _ in range(12):
            page.keyboard.press("Tab")
            info = page.evaluate("""() => {
                const el = document.activeElement, s = getComputedStyle(el);
                return {tag: el.tagName, cls: el.className, outline: s.outlineStyle,
                        width: parseFloat(s.outlineWidth), colour: s.outlineColor,
                        inHeader: !!el.closest('.site-header'),
                        ringOnWhite: contrast(s.outlineColor, 'rgb(255, 255, 255)'),
                        ringOnBackground: contrast(s.outlineColor, background(el.parentElement))};
            }""")
            seen.append(info)
        for info in seen:
            assert info["outline"] != "none" and info["width"] >= 2, info
            assert info["ringOnWhite"] >= 3, info
            assert info["ringOnBackground"] >= 3, info
        assert any(info["inHeader"] for info in seen)
        borders = page.evaluate("""() => [...document.querySelectorAll('input[type=search], select')]
            .map(el => ({id: el.id, ratio: contrast(getComputedStyle(el).borderTopColor,
                                                     background(el.parentElement))}))""")
        assert borders, "no controls"
        for border in borders:
            assert border["ratio"] >= 3, border
    finally:
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", ["home", "article", "term list", "search with results", "terms index"])
def test_controls_are_24_px_targets(browser, site, kind, width):
    page = _open(browser, site, PAGES[kind], width)
    try:
        small = page.evaluate("""() => [...document.querySelectorAll(
                'button, input, select, summary, .term-cloud a, .pagination a, .neighbors a, .site-nav a, .facet label')]
            .filter(el => el.offsetParent !== null && el.type !== 'hidden')
            // a radio inside its label: the whole label is the target (checked itself)
            .filter(el => !(el.type === 'radio' && el.closest('label')))
            .map(el => { const r = el.getBoundingClientRect();
                         return {what: el.outerHTML.slice(0, 80), w: r.width, h: r.height}; })
            .filter(r => r.w < 24 || r.h < 24)""")
    finally:
        page.close()
    assert not small, small[:10]


def test_invoke_test_installs_axe_core_with_npm_ci_when_missing(tmp_path, monkeypatch):
    import tasks

    runs = []

    class Context:
        def run(self, command, **kwargs):
            runs.append(command)

    monkeypatch.setattr(tasks, "AXE", tmp_path / "node_modules" / "axe-core" / "axe.min.js")
    monkeypatch.setattr(tasks, "TEST_TOOLS", {})
    tasks._ensure_test_tools(Context())
    assert runs == [f"cd {tasks.ROOT} && npm ci --no-audit --no-fund"]
    runs.clear()
    tasks._ensure_test_tools(Context(), quick=True)  # the quick loop runs no browser
    assert runs == []
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/axe-core"]["version"] == json.loads(
        (ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]["axe-core"]
    assert "npm ci" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
