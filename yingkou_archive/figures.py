"""Python-Markdown extension: a photo on its own line becomes a figure.

Editors (and the importer) write a captioned photo as a paragraph holding
only an image, ``![caption 本报记者 王晓东 摄]({static}/images/x.jpg)``.
Readers should get ``<figure><img><figcaption>caption</figcaption></figure>``
so the caption is tied to the photo for screen readers and search.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension
from markdown.treeprocessors import Treeprocessor

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
# The credit at the end of a caption: "本报记者 王晓东 摄", "营口港务集团 提供",
# "记者 王晓东 李娜 摄".  One rule for the site (alt text) and the importer.
CAPTION_CREDIT = re.compile(
    rf"\s*(?:(?:本报|新华社|特约)?(?:记者|通讯员|摄影记者)\s*)?[{_CJK}·]{{2,12}}"
    rf"(?:\s+[{_CJK}·]{{2,8}})*\s*(?:摄|供图|提供)\s*$"
)


def caption_without_credit(caption: str) -> str:
    return CAPTION_CREDIT.sub("", caption).strip() or caption


class _FigureTreeprocessor(Treeprocessor):
    def run(self, root):
        for index, element in enumerate(list(root)):
            if element.tag != "p" or len(element) != 1:
                continue
            image = element[0]
            if image.tag != "img" or (element.text or "").strip() or (image.tail or "").strip():
                continue
            caption = (image.get("title") or image.get("alt") or "").strip()
            figure = etree.Element("figure")
            image.tail = None
            image.set("loading", "lazy")
            if "title" in image.attrib:
                del image.attrib["title"]
            figure.append(image)
            if caption:
                image.set("alt", caption_without_credit(caption))
                figcaption = etree.SubElement(figure, "figcaption")
                figcaption.text = caption
            root.remove(element)
            root.insert(index, figure)


class FigureExtension(Extension):
    def extendMarkdown(self, md):
        # after "inline" (priority 20), which turns ![..](..) into <img>
        md.treeprocessors.register(_FigureTreeprocessor(md), "yingkou_figures", 5)


def makeExtension(**kwargs):
    return FigureExtension(**kwargs)
