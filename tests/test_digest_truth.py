"""Score the importer on pages it was not shaped on, against truth files.

Each file in fixtures/digest/truth/ names its input (a page, several pages
or a saved issue folder) and lists every story the page holds: title,
kicker, subtitle, summary, authors, topics, districts, agencies (complete),
jumps, tables, sentences that must appear with their repaired breaks,
captions (with the photo each belongs to), and text that must not appear
anywhere in a body (furniture, jump lines, bylines, navigation).  A check
is one fact; a page's score is the share of its checks that hold.

``PYTHONPATH=. python tests/test_digest_truth.py`` prints the scores
(docs/importing.md reports them).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import yaml

from tests.digest_support import FIXTURES, body, field, make_content
from yingkou_archive.article import split_list
from yingkou_archive.digest.importer import ImportOptions, import_paths

TRUTH = FIXTURES / "truth"
TRUTH_FILES = sorted(TRUTH.glob("*.yml"))
# A page must score at least this; the scores themselves are in the docs.
MIN_SCORE = 0.95


def _inputs(truth: dict, folder: Path) -> list[Path]:
    names = truth["input"] if isinstance(truth["input"], list) else [truth["input"]]
    paths = []
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = FIXTURES / name
        target = folder / Path(name).name
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
        paths.append(target)
    return paths


def score(truth_file: Path) -> tuple[int, int, list[str]]:
    """(checks passed, checks, what failed) for one truth file."""
    truth = yaml.safe_load(truth_file.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        content = make_content(tmp)
        paths = _inputs(truth, tmp / "in")
        report = import_paths(paths, ImportOptions(content_dir=content, source=truth["source"]))
        texts = {o.title: o.path.read_text(encoding="utf-8")
                 for o in report.outcomes if o.path is not None and o.path.exists()}
        order = [o.title for o in report.outcomes]
        issue = sorted((content / "issues").rglob("*.yml"))
        issue_data = yaml.safe_load(issue[0].read_text(encoding="utf-8")) if issue else None
    checks: list[tuple[bool, str]] = []

    def check(ok: bool, what: str) -> None:
        checks.append((bool(ok), what))

    stories = truth["stories"]
    check(order == [s["title"] for s in stories], f"稿件及顺序：得到 {order}")
    for story in stories:
        title = story["title"]
        text = texts.get(title)
        check(text is not None, f"《{title}》被导入")
        if text is None:
            continue
        page = story.get("page", truth.get("page"))
        if page:
            check(field(text, "Page") == page, f"《{title}》Page {field(text, 'Page')} ≠ {page}")
        for key, meta in (("kicker", "Kicker"), ("subtitle", "Subtitle")):
            check((field(text, meta) or "") == story.get(key, ""), f"《{title}》{meta}：{field(text, meta)}")
        if "summary" in story:
            check((field(text, "Summary") or "").startswith(story["summary"]), f"《{title}》Summary")
        check(split_list(field(text, "Authors") or "") == story["authors"],
              f"《{title}》Authors：{field(text, 'Authors')}")
        if story.get("draft"):
            check(field(text, "Status") == "draft", f"《{title}》应为草稿")
        else:
            check(set(split_list(field(text, "Topic") or "")) == set(story["topics"]),
                  f"《{title}》Topic：{field(text, 'Topic')}")
        for key, meta in (("districts", "District"), ("agencies", "Agency")):
            check(set(split_list(field(text, meta) or "")) == set(story[key]),
                  f"《{title}》{meta}：{field(text, meta)}")
        for key, meta in (("continued_to", "Continued"), ("continued_from", "Continued_from")):
            check(split_list(field(text, meta) or "") == story.get(key, []), f"《{title}》{meta}")
        main = body(text)
        check(main.count("\n|---") == story.get("tables", 0), f"《{title}》表格数")
        for sentence in story.get("sentences", []):
            check(sentence in main, f"《{title}》应有：{sentence}")
        captions = story.get("captions", [])
        found = main.count("<figcaption>") + main.count("![")
        check(found == len(captions), f"《{title}》图片 {found} 张，应为 {len(captions)}")
        for caption in captions:
            if caption.get("image"):
                check(f"![{caption['text']}]" in main and
                      f"![{caption['text']}]({{static}}/images/" in main and
                      main.split(f"![{caption['text']}]", 1)[1].split(")", 1)[0].endswith(caption["image"]),
                      f"《{title}》图片说明配 {caption['image']}：{caption['text']}")
            else:
                check(f"<figcaption>{caption['text']}</figcaption>" in main, f"《{title}》图片说明：{caption['text']}")
    bodies = [body(t) for t in texts.values()]
    for text in truth.get("absent", []):
        check(not any(text in b for b in bodies), f"不应出现：{text}")
    for expected in truth.get("issue", []):
        pages = {p["label"]: p for p in (issue_data or {}).get("pages", [])}
        got = pages.get(expected["label"], {})
        for key in ("name", "image", "pdf"):
            if key in expected:
                check(got.get(key) == expected[key], f"版面文件 {expected['label']} {key}：{got.get(key)}")
        check(len(got.get("articles", [])) == expected["articles"], f"版面文件 {expected['label']} 文章数")
        first = (got.get("articles") or [{}])[0]
        check(first.get("region") == expected["region"], f"版面文件 {expected['label']} 热区：{first.get('region')}")
    failed = [what for ok, what in checks if not ok]
    return len(checks) - len(failed), len(checks), failed


@pytest.mark.parametrize("truth_file", TRUTH_FILES, ids=[p.stem for p in TRUTH_FILES])
def test_truth_score(truth_file):
    passed, total, failed = score(truth_file)
    assert total >= 20, "a truth file with few checks says little"
    assert passed / total >= MIN_SCORE, f"{passed}/{total}; failed: {failed}"


def test_every_truth_file_is_scored():
    assert len(TRUTH_FILES) >= 5


if __name__ == "__main__":
    for path in TRUTH_FILES:
        passed, total, failed = score(path)
        print(f"{path.stem}\t{passed}/{total}\t{passed / total:.1%}")
        for what in failed:
            print(f"    ✗ {what}")
