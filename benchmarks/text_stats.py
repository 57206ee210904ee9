"""How much like real news prose the benchmark text is.

What the search index and the renderer work on is, above all, how many
distinct characters, 2-grams and 3-grams a stretch of text holds: the index
has one posting list per distinct gram. So the synthetic generator
(yingkou_archive/synthetic.py) is compared with prose on exactly that: the
Han text of article bodies (Markdown and metadata left out, each article's
text in turn, the same number of characters from each source), distinct
1-, 2- and 3-grams per 1,000 characters.

The reference is the demo archive's articles (content/articles/), news
prose written for this project. Distinct counts per 1,000 characters fall
as a sample grows, so both sides are measured on samples of one size.

    python -m benchmarks.text_stats [--chars 15000]
"""

from __future__ import annotations

import argparse
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from yingkou_archive.article import parse_source

ROOT = Path(__file__).resolve().parent.parent
DEMO_ARTICLES = ROOT / "content" / "articles"
# the figure the issue asks for: within 20 % of real prose
TOLERANCE = 0.20
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class GramStats:
    characters: int
    per_thousand: tuple[float, float, float]  # distinct 1-, 2-, 3-grams


def body_text(path: Path) -> str:
    """An article file's body as runs of Han characters, one run per line."""
    body = parse_source(path.read_text(encoding="utf-8")).body
    body = _MARKDOWN_LINK.sub(r"\1", body)
    return "\n".join(run for run in _NOT_HAN.split(body) if run)


def sample(paths: list[Path], chars: int) -> list[str]:
    """Runs of Han text from the files in order, ``chars`` characters in all."""
    runs, total = [], 0
    for path in paths:
        for run in body_text(path).split("\n"):
            run = run[: chars - total]
            runs.append(run)
            total += len(run)
            if total >= chars:
                return runs
    return runs


def gram_stats(runs: list[str]) -> GramStats:
    """Distinct n-grams per 1,000 characters; a gram never spans two runs."""
    characters = sum(len(run) for run in runs)
    counts = []
    for n in (1, 2, 3):
        grams = {run[i:i + n] for run in runs for i in range(len(run) - n + 1)}
        counts.append(len(grams) * 1000 / characters if characters else 0.0)
    return GramStats(characters, tuple(counts))


def article_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.md"))


def synthetic_stats(chars: int, seed: int = 1, articles: int = 200) -> GramStats:
    from yingkou_archive.synthetic import generate_archive

    with tempfile.TemporaryDirectory() as tmp:
        generate_archive(Path(tmp), articles, seed=seed)
        return gram_stats(sample(article_files(Path(tmp) / "articles"), chars))


def compare(chars: int) -> tuple[GramStats, GramStats]:
    prose = gram_stats(sample(article_files(DEMO_ARTICLES), chars))
    return prose, synthetic_stats(prose.characters)


def report(prose: GramStats, synthetic: GramStats) -> str:
    lines = [
        f"Samples of {prose.characters:,} Han characters of article bodies.",
        "",
        "| distinct per 1,000 characters | demo articles (prose) | synthetic (seed 1) | difference |",
        "| --- | ---: | ---: | ---: |",
    ]
    for n, real, ours in zip((1, 2, 3), prose.per_thousand, synthetic.per_thousand, strict=True):
        lines.append(f"| {n}-grams | {real:.0f} | {ours:.0f} | {(ours - real) / real:+.0%} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=15_000,
                        help="sample size in Han characters (at most what the demo articles hold)")
    args = parser.parse_args(argv)
    print(report(*compare(args.chars)))


if __name__ == "__main__":
    main()
