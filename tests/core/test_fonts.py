"""Fonts: the pages name the Chinese fonts the offices' machines have before the browser's own, so text never
falls back to boxes; the .docx documents name GB/T 9704's fonts per run (w:eastAsia) and, in the font table, what
stands in for each where it is missing."""

import io
import re
import zipfile
from pathlib import Path

from docx.oxml import parse_xml
from docx.oxml.ns import qn

import gongjian
from gongjian.core.documents import GBK_FONTS, DocumentStyle, render
from tests.core.test_documents import a_letter

CSS = Path(gongjian.__file__).parent / "core" / "static" / "gongjian" / "app.css"


def test_the_pages_font_stack_lists_the_chinese_fonts_of_every_kind_of_office_machine():
    css = CSS.read_text(encoding="utf-8")
    assert css.startswith('@charset "UTF-8";')  # the Chinese font names read right however it is served
    stack = re.search(r"--font-chinese:([^;]+);", css).group(1)
    names = [name.strip().strip('"') for name in stack.split(",")]
    for font in (
        "Microsoft YaHei",  # Windows
        "PingFang SC",  # macOS, iPhone
        "Noto Sans CJK SC",  # 信创 (UOS, Kylin) and other Linux, Android
        "WenQuanYi Micro Hei",  # older Linux desktops
    ):
        assert font in names, font
    assert names[-1] == "sans-serif"  # the browser's own last, never before a Chinese font
    assert "font-family: var(--font-chinese);" in css
    assert "input, select, textarea { font: inherit;" in css  # the form fields too


def _font_table(data: bytes) -> dict[str, dict[str, str | None]]:
    table = parse_xml(zipfile.ZipFile(io.BytesIO(data)).read("word/fontTable.xml"))
    fonts = {}
    for font in table.findall(qn("w:font")):

        def value(tag, font=font):
            element = font.find(qn(tag))
            return None if element is None else element.get(qn("w:val"))

        fonts[font.get(qn("w:name"))] = {
            "altName": value("w:altName"),
            "charset": value("w:charset"),
            "family": value("w:family"),
        }
    return fonts


def test_a_documents_font_table_gives_each_gbt_9704_font_its_stand_in():
    fonts = _font_table(render(a_letter()))

    assert fonts["方正小标宋简体"] == {"altName": "宋体", "charset": "86", "family": "roman"}
    assert fonts["仿宋_GB2312"] == {"altName": "仿宋", "charset": "86", "family": "roman"}
    assert fonts["楷体_GB2312"] == {"altName": "楷体", "charset": "86", "family": "roman"}
    assert fonts["黑体"] == {"altName": None, "charset": "86", "family": "swiss"}
    assert fonts["宋体"]["family"] == "roman"  # the page numbers


def test_the_gbk_set_has_its_stand_ins_too():
    fonts = _font_table(render(a_letter(), DocumentStyle(fonts=GBK_FONTS)))

    assert fonts["方正仿宋_GBK"] == {"altName": "仿宋", "charset": "86", "family": "roman"}
    assert fonts["方正黑体_GBK"] == {"altName": "黑体", "charset": "86", "family": "swiss"}
