"""A deterministic generator of realistic synthetic news articles.

Benchmarks (search quality and speed, build speed) need archives of any size
that look like the real thing: Chinese news prose about Yingkou, filed under
the real vocabulary, with numbers and Latin mixed in (12345热线, 258亿元, GDP,
5G).  The same ``seed`` always gives byte-identical files, so figures can be
compared between runs.

Every article is written in the site's Markdown format and passes
:func:`yingkou_archive.article.read_article`.  No Pelican import here.

    generate_archive(Path("/tmp/bench-content"), 10_000, seed=1)

writes ``articles/YYYY/MM/<slug>.md`` plus a copy of ``taxonomy.yml``.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

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

TITLE_TEMPLATES = [
    "{district}{word}工作取得新进展",
    "{town}{word}项目开工建设",
    "{agency}部署{word}专项行动",
    "{district}推进{word} 助力{word2}",
    "{word}跑出“加速度”",
    "{year}年{district}{word}成效明显",
    "{district}：{word}按下“快进键”",
    "聚焦{word} {district}打出组合拳",
    "{town}探索{word}新路径",
    "{agency}召开{word}推进会",
    "前{month}个月{district}{word}同比增长{pct}",
    "{word}让群众更有获得感",
]

SENTENCE_TEMPLATES = [
    "近日，{agency}召开{word}工作推进会，研究部署下一阶段重点任务。",
    "记者从{agency}获悉，{year}年以来，{district}{word}累计完成投资{amount}亿元。",
    "{town}把{word}作为重要抓手，推动{word2}取得实效。",
    "截至{month}月底，全市{word}同比增长{pct}，高于全省平均水平。",
    "“我们将持续推进{word}，让{word2}惠及更多群众。”{agency}负责人{person}表示。",
    "据统计，{district}共办理{word}事项{num}件，群众满意率达到{pct}。",
    "市民可通过12345热线或“营口政务服务”APP反映{word}方面的问题。",
    "今年{district}计划实施{word}项目{small}个，总投资{amount}亿元。",
    "在{town}，{word}已经成为带动{word2}的新引擎。",
    "{district}坚持{word}与{word2}协同推进，全年GDP增长{pct}。",
    "目前，{town}已建成5G基站{small}座，{word}覆盖率达到{pct}。",
    "下一步，{agency}将围绕{word}，进一步完善{word2}长效机制。",
    "{person}是{town}的一名基层干部，他说：“{word}做得好不好，群众最有发言权。”",
    "{year}年{month}月，{district}与多家企业签订{word}合作协议，签约金额{amount}亿元。",
    "该项目由{agency}牵头，预计{nextyear}年建成投用，建成后年产值可达{amount}亿元。",
    "活动现场，工作人员向群众发放{word}宣传资料{num}份，解答咨询{small}人次。",
    "{district}在全省率先推行{word}，办理时限压缩至{small}个工作日。",
    "据介绍，营口港今年前{month}个月{word}达到{amount}万标准箱，同比增长{pct}。",
    "{agency}相关负责人介绍，{word}是推动{district}高质量发展的关键一环。",
    "围绕{word}，{town}组织开展专项检查{small}次，整改问题{num}个。",
    "今年以来，{district}累计培育{word}企业{small}家，带动就业{num}人。",
    "通过{word}，{town}村集体经济收入达到{amount}万元，比上年增加{pct}。",
]


@dataclass
class _Context:
    """What one article is about: its terms and the words its prose uses."""

    date: dt.datetime
    topics: list[Term]
    districts: list[Term]
    agencies: list[Term]
    words: list[str]
    towns: list[str]


class _Slots(dict):
    """A template's slot values, each made on first use and then kept."""

    def __init__(self, makers):
        super().__init__()
        self.makers = makers

    def __missing__(self, key):
        value = self[key] = self.makers[key]()
        return value


class ArticleGenerator:
    """Makes one article at a time from a seeded random source."""

    def __init__(self, vocabulary: Vocabulary, seed: int = 1):
        self.vocabulary = vocabulary
        self.rng = random.Random(seed)
        self.topics = vocabulary.terms["topic"]
        self.districts = vocabulary.terms["district"]
        self.agencies = [a for a in vocabulary.terms["agency"] if a.listed]
        self.citywide = [d for d in self.districts if d.citywide]

    # -- small random pieces -------------------------------------------------

    def _person(self) -> str:
        r = self.rng
        given = r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.6 else "")
        return r.choice(SURNAMES) + given

    def _number(self) -> str:
        r = self.rng
        return str(r.choice([r.randint(2, 99), r.randint(100, 9999), r.randint(10000, 99999)]))

    def _amount(self) -> str:
        """A money amount, sometimes with one decimal (258亿元, 12.5亿元)."""
        r = self.rng
        if r.random() < 0.4:
            return f"{r.randint(1, 999)}.{r.randint(1, 9)}"
        return str(r.randint(2, 9999))

    def _pct(self) -> str:
        return f"{self.rng.randint(1, 99)}.{self.rng.randint(0, 9)}%"

    def _date(self) -> dt.datetime:
        start = dt.datetime(FIRST_YEAR, 1, 1)
        days = (dt.datetime(LAST_YEAR, 12, 31) - start).days
        return start + dt.timedelta(days=self.rng.randint(0, days),
                                    hours=self.rng.randint(7, 20), minutes=self.rng.randint(0, 59))

    # -- choosing what an article is about ----------------------------------

    def _context(self) -> _Context:
        r = self.rng
        topics = r.sample(self.topics, 2 if r.random() < 0.2 else 1)
        districts = r.sample(self.districts, 2 if r.random() < 0.15 else 1)
        district_names = {d.name for d in districts}
        local = [a for a in self.agencies
                 if a.district in district_names or (a.district == "营口市")]
        agencies = r.sample(local, min(len(local), r.choice([0, 1, 1, 1, 2]))) if local else []
        words: list[str] = []
        for topic in topics:
            words += TOPIC_WORDS.get(topic.name, []) + list(topic.keywords)
        towns = [t for d in districts for t in d.towns] or [
            t for d in self.districts for t in d.towns]
        return _Context(self._date(), topics, districts, agencies, words, towns)

    def _slots(self, ctx: _Context) -> _Slots:
        """Values for a template's {slots}, drawn only when the template asks."""
        r = self.rng
        agency_pool = [a.name for a in ctx.agencies] or [a.name for a in self.agencies]
        makers = {
            "district": lambda: r.choice(ctx.districts).name,
            "town": lambda: r.choice(ctx.towns),
            "agency": lambda: r.choice(agency_pool),
            "word": lambda: r.choice(ctx.words),
            "word2": lambda: r.choice(ctx.words + GENERIC_WORDS),
            "num": self._number,
            "amount": self._amount,
            "pct": self._pct,
            "small": lambda: str(r.randint(2, 60)),
            "year": lambda: str(ctx.date.year),
            "nextyear": lambda: str(ctx.date.year + 1),
            "month": lambda: str(r.randint(1, 12)),
            "person": self._person,
        }
        return _Slots(makers)

    # -- writing ------------------------------------------------------------

    def _body(self, ctx: _Context) -> str:
        r = self.rng
        target = r.randint(300, 1500)
        paragraphs: list[str] = []
        length = 0
        # Sentence by sentence until the target length: 300-1500 characters.
        while length < target:
            sentences = []
            for _ in range(r.randint(2, 5)):
                sentence = r.choice(SENTENCE_TEMPLATES).format_map(self._slots(ctx))
                if length + len(sentence) > 1500 and length >= 300:
                    break
                sentences.append(sentence)
                length += len(sentence)
            if not sentences:
                break
            paragraphs.append("".join(sentences))
        return "\n\n".join(paragraphs)

    def article(self, index: int) -> tuple[str, str]:
        """(relative path, file text) of article number ``index``."""
        ctx = self._context()
        slots = self._slots(ctx)
        title = self.rng.choice(TITLE_TEMPLATES).format_map(slots)
        body = self._body(ctx)
        summary = body.split("。", 1)[0] + "。"
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
    """Every multi-character word the generator writes with (for benchmarks)."""
    words = set(GENERIC_WORDS)
    for values in TOPIC_WORDS.values():
        words.update(values)
    return sorted(w for w in words if len(w) >= 2)


def generate_archive(target_dir: str | Path, n: int, seed: int = 1,
                     taxonomy: str | Path | None = None) -> list[Path]:
    """Write ``n`` articles and a copy of the vocabulary into ``target_dir``.

    Returns the article paths.  Existing files under ``target_dir/articles``
    are left alone, so use an empty folder.
    """
    target = Path(target_dir)
    taxonomy = Path(taxonomy) if taxonomy else DEFAULT_TAXONOMY
    vocabulary = load_vocabulary(taxonomy)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(taxonomy, target / "taxonomy.yml")
    generator = ArticleGenerator(vocabulary, seed=seed)
    paths = []
    made_dirs: set[Path] = set()
    for i in range(n):
        rel, text = generator.article(i)
        path = target / rel
        if path.parent not in made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(path.parent)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
