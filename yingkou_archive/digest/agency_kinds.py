"""The standard kinds of government agency, as data.

An agency tag is only ever built from structure: a place the vocabulary
knows (营口市, a district, a county-level city, or the bare 市/区 of a
story) followed by one of these kinds, in its full name or a short form.
``市人社局`` is 市 + 人社局 → 营口市人力资源和社会保障局; ``盖州市卫健委``
is 盖州市 + 卫健委 → 盖州市卫生健康委员会.  Text that merely ends in 局 or 委
is never an agency.

To add a kind, append a line: the full name (as a district or county-level
city uses it), its short forms, and, when the city's own agency is named
differently, that name (the city has a 中级人民法院, a district a
人民法院).  A short form must never be an everyday word on its own; it is
only read after a place name.  See docs/importing.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AgencyKind:
    name: str                       # full name after a district or county-level city
    short: tuple[str, ...] = ()     # short forms, read only after a place
    city_name: str = ""             # full name at the city level, if different
    bare: bool = True               # the full name alone (no place) means the city's

    def full(self, city_level: bool) -> str:
        return self.city_name if city_level and self.city_name else self.name


AGENCY_KINDS: tuple[AgencyKind, ...] = (
    AgencyKind("人民政府", ("政府",), bare=False),
    AgencyKind("人民法院", ("法院",), city_name="中级人民法院", bare=False),
    AgencyKind("中级人民法院", ("中院", "中级法院"), bare=False),
    AgencyKind("人民检察院", ("检察院",), bare=False),
    AgencyKind("发展和改革委员会", ("发改委",)),
    AgencyKind("发展和改革局", ("发改局",)),
    AgencyKind("人力资源和社会保障局", ("人社局",)),
    AgencyKind("住房和城乡建设局", ("住建局",)),
    AgencyKind("工业和信息化局", ("工信局",)),
    AgencyKind("卫生健康委员会", ("卫健委",)),
    AgencyKind("卫生健康局", ("卫健局",)),
    AgencyKind("公安局"),
    AgencyKind("教育局"),
    AgencyKind("财政局"),
    AgencyKind("民政局"),
    AgencyKind("司法局"),
    AgencyKind("审计局"),
    AgencyKind("统计局"),
    AgencyKind("水利局"),
    AgencyKind("信访局"),
    AgencyKind("气象局"),
    AgencyKind("商务局"),
    AgencyKind("税务局"),
    AgencyKind("自然资源局"),
    AgencyKind("生态环境局", ("环保局",)),
    AgencyKind("交通运输局", ("交通局",)),
    AgencyKind("农业农村局", ("农业局",)),
    AgencyKind("科学技术局", ("科技局",)),
    AgencyKind("文化旅游和广播电视局", ("文旅局", "文广旅局")),
    AgencyKind("应急管理局", ("应急局",)),
    AgencyKind("市场监督管理局", ("市场监管局",)),
    AgencyKind("医疗保障局", ("医保局",)),
    AgencyKind("营商环境建设局", ("营商局",)),
    AgencyKind("退役军人事务局", ("退役军人局",)),
    AgencyKind("林业和草原局", ("林草局",)),
    AgencyKind("行政审批局", ("审批局",)),
    AgencyKind("城市管理综合行政执法局", ("城管执法局", "城管局")),
    AgencyKind("人民防空办公室", ("人防办",)),
)
