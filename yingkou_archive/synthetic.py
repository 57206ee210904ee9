"""A deterministic generator of synthetic news articles with the statistics
of real news prose.

Benchmarks (search quality and speed, build speed) need archives of any size
that look like the real thing to the code that indexes and renders them: in
particular as many distinct characters, 2-grams and 3-grams per 1,000
characters as real Chinese news prose (docs/benchmarks.md, "Benchmark
text", has the measured figures).  The words come from jieba's dictionary
(about 349,000 words with corpus frequencies; a benchmark dependency), drawn
by frequency, mixed as news mixes them: each article keeps a small
vocabulary of its own and repeats its phrases, names places, agencies and
people of the archive's vocabulary, and carries numbers, amounts, dates and
percentages; sentences and paragraphs vary in length.  The same ``seed``
always gives byte-identical files.

Every article is written in the site's Markdown format and passes
:func:`yingkou_archive.article.read_article`.  No Pelican import here.

    generate_archive(Path("/tmp/bench-content"), 10_000, seed=1)

writes ``articles/YYYY/MM/<slug>.md`` plus a copy of ``taxonomy.yml``.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import os
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .vocabulary import Term, Vocabulary, load_vocabulary

DEFAULT_TAXONOMY = Path(__file__).resolve().parent.parent / "content" / "taxonomy.yml"

# Articles are spread over these years (inclusive).
FIRST_YEAR, LAST_YEAR = 2019, 2025

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "鑫磊伟芳娜敏静丽强军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯健俊帆帅旭宁琳晨晶欣悦雪婷倩颖博阳鹏飞睿哲"
SOURCES = ["营口日报", "营口晚报", "辽宁日报·营口专版", "营口新闻网", "营口广播电视台", "北国网营口频道"]

# Words the prose is built from, per topic, besides the taxonomy keywords.
TOPIC_WORDS = {
    "项目建设": ["重点项目", "总投资", "开工仪式", "施工现场", "工程进度", "竣工验收", "签约项目", "主体结构", "项目审批", "建设单位"],
    "营商环境": ["营商环境", "政务服务", "一网通办", "12345热线", "审批时限", "市场主体", "办事群众", "帮办代办", "减税降费", "信用体系"],
    "生态环境": ["空气质量", "PM2.5", "辽河口湿地", "入海河流", "水质监测", "河长制", "碳排放", "生态修复", "绿色发展", "污染防治"],
    "乡村振兴": ["乡村振兴", "高标准农田", "村集体经济", "农民专业合作社", "设施农业", "苹果产业", "粮食产量", "电商直播", "人居环境", "驻村工作队"],
    "产业发展": ["镁质材料", "装备制造", "石化产业", "产业链", "规上工业", "工业增加值", "数字化改造", "专精特新", "产业园区", "龙头企业"],
    "法治建设": ["法治政府", "普法宣传", "公益诉讼", "矛盾纠纷", "行政执法", "法律援助", "检察建议", "平安建设", "执法规范化", "人民调解"],
    "港口物流": ["集装箱吞吐量", "海铁联运", "内贸航线", "冷链物流", "中欧班列", "智慧港口", "港口货物吞吐量", "多式联运", "物流园区", "标准箱"],
    "文化旅游": ["文旅融合", "非物质文化遗产", "海滨旅游", "温泉度假", "游客接待量", "乡村旅游", "文化惠民", "博物馆", "夜间经济", "旅游收入"],
    "民生保障": ["城镇新增就业", "养老服务", "医疗保障", "困难群众", "供暖保障", "社区服务", "义务教育", "基本医保", "临时救助", "民生实事"],
    "科技创新": ["高新技术企业", "研发投入", "科技成果转化", "5G基站", "人工智能", "工业互联网", "创新平台", "发明专利", "科技特派员", "数字经济"],
    "对外开放": ["外贸进出口", "跨境电商", "RCEP", "实际利用外资", "综合保税区", "自贸试验区", "国际航线", "招商引资", "进出口额", "通关便利化"],
    "城市建设": ["老旧小区改造", "城市更新", "供水管网", "市政道路", "口袋公园", "雨污分流", "海绵城市", "城市绿化", "燃气管道", "背街小巷"],
}

GENERIC_WORDS = ["高质量发展", "全面振兴", "新突破", "群众满意度", "工作方案", "专项行动", "责任清单", "重要举措",
                 "示范作用", "营口经验", "GDP", "APP", "统筹推进", "协调联动", "长效机制", "基层治理"]

# How the prose is mixed (calibrated against the demo articles, see
# docs/benchmarks.md): words are drawn by frequency ** WORD_ALPHA; a word
# slot repeats one of the article's earlier two-word phrases with
# P_PHRASE, else takes one of the article's own words with P_LOCAL, else a
# word of the whole dictionary.
WORD_ALPHA = 1.0
P_PHRASE = 0.2
P_LOCAL = 0.5
LOCAL_WORDS = 40
# Parts of speech of jieba's dictionary that make an article's own words:
# nouns, verbs, adjectives, place and organisation names.
CONTENT_TAGS = ("n", "v", "a", "ns", "nt", "nz", "vn", "an")
# The size of the common-character list of 现代汉语常用字表 (2,500 常用字).
COMMON_CHARACTERS = 2500


@dataclass(frozen=True)
class _Dictionary:
    words: list[str]
    cumulative: np.ndarray          # over all words, by frequency ** WORD_ALPHA
    content_cumulative: np.ndarray  # over content words only


@functools.lru_cache(maxsize=1)
def _dictionary() -> _Dictionary:
    """jieba's dictionary: Han-only words of common characters, with frequencies.

    Words drawn from the whole dictionary bring rare characters news rarely
    prints (about 20 % more distinct characters per 1,000 than prose), so
    only words made of the COMMON_CHARACTERS most frequent characters are
    kept; places, agencies and people come from the vocabulary as they are.
    """
    import jieba  # a benchmark dependency (requirements-dev.txt), imported when needed

    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as handle:
        rows = [(word, float(freq), tag) for word, freq, tag in (line.split() for line in handle)
                if all("\u4e00" <= ch <= "\u9fff" for ch in word)]
    character_weight: collections.Counter = collections.Counter()
    for word, freq, _tag in rows:
        for ch in word:
            character_weight[ch] += freq
    common = {ch for ch, _ in character_weight.most_common(COMMON_CHARACTERS)}
    words, weights, content = [], [], []
    for word, freq, tag in rows:
        if all(ch in common for ch in word):
            words.append(word)
            weights.append(freq ** WORD_ALPHA)
            content.append(tag.startswith(CONTENT_TAGS))
    weights_array = np.array(weights)
    cumulative = np.cumsum(weights_array)
    content_cumulative = np.cumsum(np.where(content, weights_array, 0.0))
    return _Dictionary(words, cumulative / cumulative[-1], content_cumulative / content_cumulative[-1])


@dataclass
class _Context:
    """What one article is about: its terms, places and words."""

    date: dt.datetime
    topics: list[Term]
    districts: list[Term]
    agencies: list[Term]
    towns: list[str]
    local: list[str]        # the article's own words, used again and again
    phrases: list[str]      # two-word phrases it has written, to repeat


class ArticleGenerator:
    """Makes one article at a time from a seeded random source."""

    def __init__(self, vocabulary: Vocabulary, seed: int = 1):
        self.vocabulary = vocabulary
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.words = _dictionary()
        self.topics = vocabulary.terms["topic"]
        self.districts = vocabulary.terms["district"]
        self.agencies = [a for a in vocabulary.terms["agency"] if a.listed]

    # -- small random pieces -------------------------------------------------

    def _draw(self, cumulative: np.ndarray, count: int) -> list[str]:
        picks = np.searchsorted(cumulative, self.np_rng.random(count))
        return [self.words.words[i] for i in picks]

    def _person(self) -> str:
        r = self.rng
        given = r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.6 else "")
        return r.choice(SURNAMES) + given

    def _number(self) -> str:
        """A figure as news prints them: 258亿元, 12.5%, 3.6万吨, 1200余人, 6月18日."""
        r = self.rng
        kind = r.random()
        if kind < 0.25:
            return f"{r.randint(1, 999)}.{r.randint(1, 9)}{r.choice(['亿元', '万元', '万吨', '万标准箱'])}"
        if kind < 0.5:
            return f"{r.randint(1, 99)}.{r.randint(0, 9)}%"
        if kind < 0.7:
            return f"{r.randint(2, 9999)}{r.choice(['个', '家', '人', '件', '项', '余人', '平方米'])}"
        if kind < 0.85:
            return f"{r.randint(1, 12)}月{r.randint(1, 28)}日"
        return f"{r.randint(2015, 2025)}年"

    def _date(self) -> dt.datetime:
        start = dt.datetime(FIRST_YEAR, 1, 1)
        days = (dt.datetime(LAST_YEAR, 12, 31) - start).days
        return start + dt.timedelta(days=self.rng.randint(0, days),
                                    hours=self.rng.randint(7, 20), minutes=self.rng.randint(0, 59))

    # -- choosing what an article is about ----------------------------------

    def _context(self, day: dt.date | None = None) -> _Context:
        r = self.rng
        topics = r.sample(self.topics, 2 if r.random() < 0.2 else 1)
        districts = r.sample(self.districts, 2 if r.random() < 0.15 else 1)
        district_names = {d.name for d in districts}
        near = [a for a in self.agencies if a.district in district_names or a.district == "营口市"]
        agencies = r.sample(near, min(len(near), r.choice([0, 1, 1, 1, 2]))) if near else []
        own = [w for topic in topics for w in TOPIC_WORDS.get(topic.name, []) + list(topic.keywords)]
        local = r.sample(own, min(len(own), 8)) + self._draw(self.words.content_cumulative, LOCAL_WORDS)
        towns = [t for d in districts for t in d.towns] or [t for d in self.districts for t in d.towns]
        date = self._date()
        if day is not None:  # an article of that day (the benchmark's daily build)
            date = dt.datetime.combine(day, date.time())
        return _Context(date, topics, districts, agencies, towns, local, [])

    # -- writing ------------------------------------------------------------

    def _entity(self, ctx: _Context) -> str:
        """A name the story is about: a place, an agency, a person, a figure."""
        r = self.rng
        kind = r.random()
        if kind < 0.3:
            return r.choice(ctx.districts).name
        if kind < 0.45 and ctx.towns:
            return r.choice(ctx.towns)
        if kind < 0.6 and ctx.agencies:
            return r.choice(ctx.agencies).name
        if kind < 0.7:
            return self._person()
        return self._number()

    def _clause(self, ctx: _Context) -> str:
        r = self.rng
        count = r.randint(2, 7)
        fresh = iter(self._draw(self.words.cumulative, count))
        words = []
        for _ in range(count):
            roll = r.random()
            if ctx.phrases and roll < P_PHRASE:
                words.append(r.choice(ctx.phrases))
            elif roll < P_PHRASE + (1 - P_PHRASE) * P_LOCAL:
                words.append(r.choice(ctx.local))
            else:
                words.append(next(fresh))
        if r.random() < 0.35:
            words.insert(r.randint(0, len(words)), self._entity(ctx))
        if len(words) >= 2:
            at = r.randint(0, len(words) - 2)
            ctx.phrases.append(words[at] + words[at + 1])
        return "".join(words)

    def _sentence(self, ctx: _Context) -> str:
        r = self.rng
        clauses = [self._clause(ctx) for _ in range(r.choice([1, 2, 2, 3, 3, 4]))]
        if len(clauses) > 2 and r.random() < 0.2:  # a list of items
            clauses[1] = "、".join(self._clause(ctx) for _ in range(3))
        if r.random() < 0.08:  # a quotation
            return f"“{'，'.join(clauses)}。”{self._person()}说。"
        return "，".join(clauses) + ("；" if r.random() < 0.05 else "。")

    def _body(self, ctx: _Context) -> str:
        r = self.rng
        target = int(min(3000, max(250, r.lognormvariate(6.7, 0.5))))
        paragraphs, length = [], 0
        while length < target:
            paragraph = "".join(self._sentence(ctx) for _ in range(r.randint(1, 5)))
            paragraphs.append(paragraph)
            length += len(paragraph)
        if r.random() < 0.5:
            paragraphs[0] = f"本报讯（记者 {self._person()}）" + paragraphs[0]
        return "\n\n".join(paragraphs)

    def _title(self, ctx: _Context) -> str:
        r = self.rng
        head = r.choice(ctx.districts).name if r.random() < 0.6 else r.choice(ctx.towns)
        first = head + "".join(r.choice(ctx.local) for _ in range(r.randint(2, 4)))
        if r.random() < 0.4:  # a title of two phrases, as papers print them
            return first + " " + "".join(r.choice(ctx.local) for _ in range(r.randint(2, 3)))
        return first

    def article(self, index: int, day: dt.date | None = None) -> tuple[str, str]:
        """(relative path, file text) of article number ``index`` (of ``day``,
        else of a random day of the archive's years)."""
        ctx = self._context(day)
        title = self._title(ctx)
        body = self._body(ctx)
        summary = body.split("\n", 1)[0].split("。", 1)[0] + "。"
        date = ctx.date
        slug = f"{date:%Y-%m-%d}-{ctx.topics[0].slug}-{index:06d}"
        lines = [
            f"Title: {title}",
            f"Date: {date:%Y-%m-%d %H:%M}",
            f"Topic: {'、'.join(t.name for t in ctx.topics)}",
            f"District: {'、'.join(d.name for d in ctx.districts)}",
        ]
        if ctx.agencies:
            lines.append(f"Agency: {'、'.join(a.name for a in ctx.agencies)}")
        lines += [
            f"Authors: {self._person()}",
            f"Source: {self.rng.choice(SOURCES)}",
            f"Slug: {slug}",
            f"Summary: {summary}",
        ]
        text = "\n".join(lines) + "\n\n" + body + "\n"
        return f"articles/{date:%Y}/{date:%m}/{slug}.md", text


def lexicon() -> list[str]:
    """Multi-character words the generator writes with most (for the search
    benchmark's query sets): the topic words and the 20,000 most frequent
    dictionary words."""
    words = set(GENERIC_WORDS)
    for values in TOPIC_WORDS.values():
        words.update(values)
    dictionary = _dictionary()
    by_weight = np.argsort(-np.diff(np.concatenate([[0.0], dictionary.cumulative])))[:20_000]
    words.update(dictionary.words[i] for i in by_weight)
    return sorted(w for w in words if len(w) >= 2)


def generate_archive(target_dir: str | Path, n: int, seed: int = 1,
                     taxonomy: str | Path | None = None, per_day: int | None = None) -> list[Path]:
    """Write ``n`` articles and a copy of the vocabulary into ``target_dir``.

    Returns the article paths.  Existing files under ``target_dir/articles``
    are left alone, so use an empty folder.  With ``per_day``, articles are
    of consecutive days, ``per_day`` a day, ending on the last day of
    LAST_YEAR (as a paper's issues; see :func:`write_issues`).
    """
    target = Path(target_dir)
    taxonomy = Path(taxonomy) if taxonomy else DEFAULT_TAXONOMY
    vocabulary = load_vocabulary(taxonomy)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(taxonomy, target / "taxonomy.yml")
    generator = ArticleGenerator(vocabulary, seed=seed)
    paths = []
    made_dirs: set[Path] = set()
    first_day = dt.date(LAST_YEAR, 12, 31) - dt.timedelta(days=(n - 1) // per_day) if per_day else None
    for i in range(n):
        day = first_day + dt.timedelta(days=i // per_day) if per_day else None
        rel, text = generator.article(i, day)
        path = target / rel
        if path.parent not in made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(path.parent)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


PAGE_NAMES = ("要闻", "综合", "经济", "城市", "县区", "民生", "文化", "视点")


def write_issues(target_dir: str | Path, paths: list[Path], per_page: int = 8,
                 source: str = "营口日报", images: bool = False) -> list[Path]:
    """Issue files (yingkou_archive/issues.py) for the articles ``paths``:
    one issue per day of their dates, ``per_page`` articles a page in the
    order given; with ``images``, a page image drawn for every page
    (yingkou_archive/page_drawing.py) and a region per article."""
    import yaml

    from .page_drawing import draw_page

    target = Path(target_dir)
    by_day: dict[str, list[str]] = {}
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            date = next(line for line in handle if line.startswith("Date:"))[6:16]
        by_day.setdefault(date, []).append(path.relative_to(target).as_posix())
    written = []
    for date, files in sorted(by_day.items()):
        pages = []
        for number, start in enumerate(range(0, len(files), per_page), 1):
            page = {"label": f"第{number:02d}版", "name": PAGE_NAMES[(number - 1) % len(PAGE_NAMES)],
                    "articles": [{"file": f} for f in files[start:start + per_page]]}
            if images:
                titles = [f"稿件 {i + 1}" for i in range(len(page["articles"]))]
                drawn, regions = draw_page(source, dt.date.fromisoformat(date), page["label"], page["name"],
                                           titles, number == 1)
                page["image"] = f"images/issues/{date}-ykrb/p{number:02d}.png"
                (target / page["image"]).parent.mkdir(parents=True, exist_ok=True)
                drawn.quantize(colors=32).save(target / page["image"], optimize=True)
                for article, region in zip(page["articles"], regions, strict=True):
                    article["region"] = region
            pages.append(page)
        issue = target / "issues" / date[:4] / f"{date}-ykrb.yml"
        issue.parent.mkdir(parents=True, exist_ok=True)
        issue.write_text(yaml.safe_dump({"date": dt.date.fromisoformat(date), "source": source, "pages": pages},
                                        allow_unicode=True, sort_keys=False), encoding="utf-8")
        written.append(issue)
    return written
