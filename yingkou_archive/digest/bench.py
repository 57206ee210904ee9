"""How long a very large text page takes to import (issue 16, item 10).

``python -m yingkou_archive.digest.bench [MEGABYTES …]`` writes a text page
of that size made of invented stories (every shape the parser knows:
mastheads, briefs with datelines and sign-offs, features with bylines and
sections, tables, captions, jump lines, furniture), imports it into a
temporary content folder with the real vocabulary, and prints the time of
each step.  Every step is linear in the page size; docs/importing.md has
the figures.
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

PLACES = ["站前区", "西市区", "鲅鱼圈区", "老边区", "盖州市", "大石桥市", "熊岳镇", "芦屯镇"]
THINGS = ["冷链仓储中心", "社区食堂", "口袋公园", "养老服务站", "污水处理厂", "物流园区", "文化广场"]
KINDS = ["人社局", "住建局", "卫健委", "商务局", "文旅局", "应急管理局"]
NAMES = ["王晓东", "李娜", "周宁", "赵明远", "孙佳怡", "刘思远", "陈立新", "白雪"]


def _sentence(rng: random.Random) -> str:
    place, thing = rng.choice(PLACES), rng.choice(THINGS)
    return (f"{place}{thing}第{rng.randint(1, 999)}期工程近日完工，总投资{rng.randint(2, 90)}.{rng.randint(0, 9)}亿元，"
            f"可服务周边居民{rng.randint(100, 99999)}户，预计每年带动就业{rng.randint(10, 900)}人。")


def _story(rng: random.Random, number: int) -> str:
    place, kind = rng.choice(PLACES), rng.choice(KINDS)
    name, other = rng.sample(NAMES, 2)
    title = f"{place}建成第{number}个{rng.choice(THINGS)}"
    shape = number % 4
    paragraphs = [_sentence(rng) + _sentence(rng) for _ in range(rng.randint(2, 12))]
    if shape == 0:
        return f"{title}\n\n本报讯（记者 {name}）{paragraphs[0]}\n\n" + "\n\n".join(paragraphs[1:]) + "\n"
    if shape == 1:
        return (f"{title}\n\n　　{paragraphs[0]}\n　　据{place}{kind}介绍，"
                f"{''.join(paragraphs[1:])}（记者 {name} 通讯员 {other}）\n")
    if shape == 2:
        rows = "\n".join(f"{rng.choice(THINGS)}\t{rng.randint(1, 99)}\t{rng.choice(PLACES)}" for _ in range(3))
        return (f"聚焦民生实事 第{number}期\n\n{title}\n\n——惠及居民{rng.randint(2, 9)}万户\n\n"
                f"本报记者 {name}\n\n{paragraphs[0]}\n\n项目\t投资（亿元）\t所在地\n{rows}\n\n"
                f"{''.join(paragraphs[1:]) or _sentence(rng)}（下转第{rng.randint(2, 8)}版）\n")
    return (f"{title}\n\n本报讯 {paragraphs[0]}\n\n\n{place}新建的{rng.choice(THINGS)}。 本报记者 {name} 摄\n\n\n"
            + "\n\n".join(paragraphs[1:]) + "\n")


def generate_page(size: int, seed: int = 12) -> str:
    """A text page of about ``size`` bytes (UTF-8)."""
    rng = random.Random(seed)
    parts = ["营口日报 2024年7月20日 星期六 第05版 县区新闻\n\n■县区传真\n\n"]
    total = len(parts[0].encode("utf-8"))
    number = 0
    while total < size:
        number += 1
        story = _story(rng, number) + "\n"
        parts.append(story)
        total += len(story.encode("utf-8"))
    parts.append("责任编辑：刘洋　校对：王强\n\n5\n")
    return "".join(parts)


def run(megabytes: float) -> dict[str, float]:
    from ..vocabulary import load_vocabulary
    from .importer import ImportOptions, import_paths, read_page

    root = Path(__file__).resolve().parents[2]
    # inside the project (.bench/ is git-ignored): the machine's /tmp may sit
    # on a much slower file system, and editors import into the project
    (root / ".bench").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root / ".bench") as tmp:
        tmp = Path(tmp)
        content = tmp / "content"
        content.mkdir()
        shutil.copy(root / "content" / "taxonomy.yml", content / "taxonomy.yml")
        page = tmp / "big-page-2024-07-20.txt"
        page.write_text(generate_page(int(megabytes * 1024 * 1024)), encoding="utf-8")
        vocabulary = load_vocabulary(content / "taxonomy.yml")
        wall, cpu = time.perf_counter(), time.process_time()
        parsed = read_page(page)
        parse_wall, parse_cpu = time.perf_counter() - wall, time.process_time() - cpu
        figures = {"megabytes": page.stat().st_size / 1024 / 1024, "stories": len(parsed.stories),
                   "parse_s": parse_wall, "parse_cpu_s": parse_cpu}
        for dry_run in (True, False):
            wall, cpu = time.perf_counter(), time.process_time()
            report = import_paths([page], ImportOptions(content_dir=content, dry_run=dry_run),
                                  vocabulary=vocabulary)
            key = "dry_run" if dry_run else "import"
            figures[f"{key}_s"] = time.perf_counter() - wall
            figures[f"{key}_cpu_s"] = time.process_time() - cpu
            figures[f"{key}_articles"] = len(report.written)
        return figures


def main(argv: list[str]) -> None:
    print("size     stories  parse          dry run (no files)   import (writes files)")
    for size in [float(a) for a in argv] or [10.0]:
        f = run(size)
        print(f"{f['megabytes']:5.1f} MB {f['stories']:7d}  "
              f"{f['parse_s']:5.1f} s ({f['parse_cpu_s']:4.1f} cpu)  "
              f"{f['dry_run_s']:5.1f} s ({f['dry_run_cpu_s']:4.1f} cpu)      "
              f"{f['import_s']:5.1f} s ({f['import_cpu_s']:4.1f} cpu), {f['import_articles']} files")


if __name__ == "__main__":
    main(sys.argv[1:])
