"""Reading who wrote a story: bylines, sign-offs, datelines and page credits.

A byline is never free text: it is a run of role words (记者, 通讯员 …) each
followed by names.  The same reader serves every place a byline is printed:

* under the headline: ``本报记者 王晓东 通讯员 李娜``, ``文/图 本报记者 周宁``;
* at the end of a brief: ``……。（记者 王晓东）``, ``（记者 王晓东 通讯员 李娜）``;
* in the dateline: ``本报讯（记者 王晓东 通讯员 李娜）近日，……``;
* in an e-paper page's author field: ``本报记者 王晓东``.

Each name keeps its role, so ``--explain`` can say who is 记者 and who 通讯员.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .repair import CJK

# Role words, longest first so 摄影记者 wins over 记者.
_ROLE = re.compile(
    r"(?P<role>(?:本报|新华社|本台|本刊)?(?:特约|首席|见习|实习)?"
    r"(?:摄影记者|记者|通讯员|实习生|特约撰稿人)"
    r"|文\s*/\s*图|文图|文\s*/|图\s*/|摄影\s*/|作者\s*[:：]?)"
)
# Words that may close a byline and are not names: "……报道", "……摄".
_TRAILER = re.compile(r"\s*(?:报道|采写|整理|摄影?|供稿|撰稿)\s*$")
_NAME = re.compile(rf"[{CJK}][{CJK}·]{{1,5}}")
_SEPARATORS = re.compile(r"[\s、，,；;和及]+")
_DECORATION = re.compile(r"^[■□●○◆◇▲△★☆◎※▌|│\s]+")
# Common surnames: a bare "（王晓东）" at the end of a brief is a sign-off only
# when it starts with one of them ("（试行）" is not a person).
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦"
    "俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲"
    "房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全"
    "佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)


@dataclass(frozen=True)
class Credit:
    role: str      # 记者 | 通讯员 | 实习生 | 摄影 | 作者
    name: str
    where: str     # how it was printed, for --explain

    def __str__(self) -> str:
        return f"{self.name}（{self.role}，{self.where}）"


def _role_name(word: str) -> str:
    word = re.sub(r"\s+", "", word)
    if "通讯员" in word:
        return "通讯员"
    if "实习生" in word:
        return "实习生"
    if "摄影" in word:
        return "摄影"
    if "记者" in word:
        return "记者"
    if word.startswith(("作者", "文")) or "撰稿" in word:
        return "作者"
    return "摄影" if word.startswith("图") else "作者"


def _names(part: str) -> list[str] | None:
    """The names in ``part`` ("王晓东 李娜", "王晓东、李娜"), None if not names."""
    part = _TRAILER.sub("", part.strip(" ：:/"))
    if not part:
        return []
    names = []
    for chunk in _SEPARATORS.split(part):
        if not chunk:
            continue
        if not _NAME.fullmatch(chunk) or len(chunk.replace("·", "")) > 4 and "·" not in chunk:
            return None       # a word longer than a name: this is not a byline
        names.append(chunk)
    return names


def read_credits(text: str, where: str) -> list[Credit] | None:
    """All credits in ``text`` if it is nothing but a byline, else None."""
    text = _DECORATION.sub("", text.strip())
    credits: list[Credit] = []
    role = None
    pos = 0
    for match in _ROLE.finditer(text):
        between = _names(text[pos:match.start()])
        if between is None or (between and role is None):
            return None
        credits += [Credit(role, n, where) for n in between] if role else []
        role = _role_name(match["role"])
        pos = match.end()
    tail = _names(text[pos:])
    if role is None or tail is None:
        return None
    credits += [Credit(role, n, where) for n in tail]
    return credits or None


# "（记者 王晓东 通讯员 李娜）" closing a paragraph, after the last sentence.
_SIGNOFF = re.compile(r"(?:(?<=[。！？!?”’」』…])|^)\s*[（(](?P<inner>[^（）()]{2,40})[）)]\s*$")


def split_signoff(text: str) -> tuple[str, list[Credit]]:
    """(text without its closing sign-off, the sign-off's credits)."""
    if not text.endswith(("）", ")")):
        return text, []
    offset = max(0, len(text) - 48)      # a sign-off is short: look at the end only
    match = _SIGNOFF.search(text, offset)
    if not match:
        return text, []
    inner = match["inner"].strip()
    credits = read_credits(inner, "文末署名")
    if credits is None:
        names = _names(inner)
        # a bare name list: "（王晓东）", "（王晓东 李娜）"
        if not names or not all(len(n) <= 3 and n[0] in SURNAMES for n in names):
            return text, []
        credits = [Credit("记者", n, "文末署名（未注明身份，按记者计）") for n in names]
    return text[:match.start()].rstrip(), credits


def dateline_credits(text: str) -> list[Credit]:
    """Credits inside a dateline: 本报讯（记者 王晓东 通讯员 李娜）……"""
    match = re.match(r"^[^（(]{2,16}?(?:讯|电)\s*[（(](?P<inner>[^（）()]{2,40})[）)]", text)
    if not match:
        return []
    return read_credits(match["inner"], "电头署名") or []


def author_names(credits: list[Credit]) -> list[str]:
    return list(dict.fromkeys(c.name for c in credits if c.role != "摄影"))
