"""Official documents (公文) as Word files, laid out to GB/T 9704-2012 《党政机关公文格式》.

Every app that writes a reminder, assignment or escalation letter (提醒函, 交办函, 督办函), an assessment notice
(通报), a dispatch briefing (情况通报) or meeting minutes (会议纪要) describes it as an :class:`OfficialDocument` —
plain data — and calls :func:`render` for the .docx bytes. The layout rules live here once:

- A4, margins 37/35/28/26 mm leaving a 156 × 225 mm type area (版心) of 22 lines × 28 characters, written as
  Word's document grid so Word and WPS both keep it;
- the red 发文机关标志 35 mm below the type area's top, the 发文字号 (``泉重点办〔2026〕12号``) and the red
  separator line; or the red masthead of a 情况通报 (name, issue, editor, date);
- the 2号小标宋 title, the 主送机关, the 3号仿宋 body with 一、(黑体) and （一）(楷体) headings numbered here, numbered
  items, tables, the 附件 note, 署名 and 成文日期, 附注, the 附件 pages and the 版记 (抄送, 印发) at the bottom of
  the last page;
- page numbers "— 3 —" in 4号宋体, odd pages right and even pages left, one character in from the edge.

Font names are written, never embedded: users' machines (Windows with WPS, 信创 machines with 方正 fonts) supply
them. Every run names its East Asian font itself as well as through its style, since Word falls back to 宋体
when only one of them does. Measurements that GB/T 9704 gives relative to glyphs (the 标志's top edge, the dash
7 mm below the type area) are placed from typical font metrics: right within a millimetre, not exact.

Plain Python over python-docx, no Django, so tasks, commands and tests can use it anywhere.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final, Literal, TypeAlias

import docx
from docx.document import Document as WordDocument
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Twips

__all__ = [
    "DEFAULT_STYLE",
    "GBK_FONTS",
    "Attachment",
    "Block",
    "Briefing",
    "Column",
    "DocumentStyle",
    "FontMap",
    "Heading",
    "Masthead",
    "NumberedList",
    "OfficialDocument",
    "Paragraph",
    "Table",
    "chinese_date",
    "document_number",
    "render",
]

_Element: TypeAlias = BaseOxmlElement


# Style


@dataclass(frozen=True)
class FontMap:
    """The font written for each role. Only names: the reader's machine supplies the fonts."""

    title: str = "方正小标宋简体"
    body: str = "仿宋_GB2312"
    heading1: str = "黑体"
    heading2: str = "楷体_GB2312"
    #: Latin letters and Arabic numerals in body text, headings, tables and 版记.
    numerals: str = "Times New Roman"
    #: GB/T 9704: page numbers in 4号半角宋体.
    page_number: str = "宋体"


#: The 方正 GBK set that newer provincial rules (and 信创 machines) use.
GBK_FONTS: Final = FontMap(
    title="方正小标宋_GBK", body="方正仿宋_GBK", heading1="方正黑体_GBK", heading2="方正楷体_GBK"
)


@dataclass(frozen=True)
class DocumentStyle:
    """Page, fonts and sizes of a document; the defaults are GB/T 9704-2012's.

    Sizes are in points: 二号 22, 三号 16, 四号 14, 小四 12, 小初 36. Local rules that differ (bottom margin
    27 mm, the GBK fonts) change a field; the line and character pitch follow from the margins so a page
    keeps 22 lines of 28 characters.
    """

    page_width_mm: float = 210
    page_height_mm: float = 297
    top_mm: float = 37
    bottom_mm: float = 35
    left_mm: float = 28
    right_mm: float = 26
    fonts: FontMap = field(default_factory=FontMap)
    title_size: float = 22
    body_size: float = 16
    table_size: float = 14
    imprint_size: float = 14
    page_number_size: float = 14
    #: Longer names are squeezed horizontally (Word's character scale) to fit the type area's width.
    masthead_size: float = 36
    lines_per_page: int = 22
    chars_per_line: int = 28
    #: GB/T 9704: the 发文机关标志's top edge 35 mm below the type area's top.
    masthead_top_mm: float = 35
    #: GB/T 9704: the page number's dashes 7 mm below the type area.
    page_number_gap_mm: float = 7
    red: str = "FF0000"
    masthead_rule_pt: float = 1.5
    #: Odd pages' numbers right, even pages' left (GB/T 9704); False centres them all.
    mirror_page_numbers: bool = True
    #: Anchor the 版记 to the bottom of the last page (GB/T 9704); False lets it follow the text.
    imprint_at_page_bottom: bool = True

    @property
    def text_width_twips(self) -> int:
        return _twips(self.page_width_mm) - _twips(self.left_mm) - _twips(self.right_mm)

    @property
    def text_height_twips(self) -> int:
        return _twips(self.page_height_mm) - _twips(self.top_mm) - _twips(self.bottom_mm)

    @property
    def line_pitch_twips(self) -> int:
        """579 twips (28.95 pt) on the standard page: rounded down so that 22 lines always fit."""
        return self.text_height_twips // self.lines_per_page

    @property
    def char_pitch_twips(self) -> float:
        """One 字: the type area's width over 28, 15.79 pt on the standard page."""
        return self.text_width_twips / self.chars_per_line

    @property
    def char_space(self) -> int:
        """Word's ``w:charSpace``: 4096ths of a point added to each body character to reach the pitch.

        Rounded down, so the grid's characters are a hair narrower and Word still counts 28 to the line.
        """
        return math.floor((self.char_pitch_twips / 20 - self.body_size) * 4096)

    @property
    def footer_twips(self) -> int:
        """Footer distance putting the dash (about half a character above the line's bottom) 7 mm below."""
        dash_above_bottom_mm = self.page_number_size / 2 * 25.4 / 72
        return _twips(self.bottom_mm - self.page_number_gap_mm - dash_above_bottom_mm)


DEFAULT_STYLE: Final = DocumentStyle()


# The document


@dataclass(frozen=True)
class Masthead:
    """The 发文机关标志: the organ's name in red, then "文件" for formal documents, "纪要", or "" for letters."""

    organ: str
    suffix: str = "文件"


@dataclass(frozen=True)
class Briefing:
    """The masthead of a 情况通报 or 简报: red "XX工作通报", "第X期", the editing office and the date.

    GB/T 9704 does not define it; this is the common practice, with the body following GB/T 9704.
    """

    name: str
    issue: int | str
    editor: str
    date: dt.date


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph, indented two characters. Line breaks in the text start new paragraphs."""

    text: str


@dataclass(frozen=True)
class Heading:
    """A level-1 (一、 in 黑体) or level-2 ((一) in 楷体) heading; :func:`render` writes the numbers.

    ``run_in`` is body text continuing on the same line in 仿宋, as in "（一）加快进度。各单位要……".
    """

    text: str
    level: Literal[1, 2] = 1
    run_in: str = ""

    def __post_init__(self) -> None:
        if self.level not in (1, 2):
            raise ValueError(f"heading level must be 1 or 2, not {self.level!r}")
        if _NUMBERED_HEADING_RE.match(self.text):
            raise ValueError(f"heading {self.text!r} already has its number; render() numbers headings")


@dataclass(frozen=True)
class NumberedList:
    """Items numbered "1." or "（1）" (the third and fourth levels, in 仿宋), each a paragraph."""

    items: Sequence[str]
    marker: Literal["1.", "（1）"] = "1."
    start: int = 1

    def __post_init__(self) -> None:
        if self.marker not in ("1.", "（1）"):
            raise ValueError(f"marker must be '1.' or '（1）', not {self.marker!r}")


CellValue: TypeAlias = str | int | float | Decimal | None


@dataclass(frozen=True)
class Column:
    """A table column. ``width`` is relative (in characters); None estimates it from the contents."""

    title: str
    numeric: bool = False
    width: float | None = None


@dataclass(frozen=True)
class Table:
    """A table as wide as the type area, its header row repeated on every page.

    Cells are written as given (``str()`` of numbers; format money with :mod:`gongjian.core.money` first).
    Numeric columns are right-aligned. ``font_size`` overrides the style's table size (四号), e.g. 12 (小四)
    for a wide table.
    """

    columns: Sequence[Column | str]
    rows: Sequence[Sequence[CellValue]]
    caption: str | None = None
    font_size: float | None = None

    def __post_init__(self) -> None:
        if not self.columns:
            raise ValueError("a table needs at least one column")
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ValueError(f"table row {number} has {len(row)} cells for {len(self.columns)} columns")


Block: TypeAlias = Paragraph | Heading | NumberedList | Table | str
"""A piece of body text; a plain string is a :class:`Paragraph`."""


@dataclass(frozen=True)
class Attachment:
    """An 附件: named in the 附件 note, and given its own pages when it has a body."""

    title: str
    body: Sequence[Block] = ()


@dataclass
class OfficialDocument:
    """One official document (公文): what it says; :func:`render` decides how it looks.

    ``issuer`` (签发人) is for documents sent up (上行文): the number then sits left, the 签发人 right.
    ``sealed`` places the 署名 and date for a seal (date four 字 from the right, 署名 centred over it);
    otherwise they follow GB/T 9704's layout without a seal. ``printed_by`` without ``printed_on`` prints on
    ``date``. ``copy_to`` is a list of organs (joined with "，") or the whole 抄送 text.
    """

    title: str
    body: Sequence[Block] = ()
    masthead: Masthead | Briefing | None = None
    number: str | None = None
    issuer: str | None = None
    addressee: str | None = None
    attachments: Sequence[Attachment] = ()
    signature: str | None = None
    date: dt.date | None = None
    sealed: bool = False
    note: str | None = None
    copy_to: str | Sequence[str] = ()
    printed_by: str | None = None
    printed_on: dt.date | None = None


def document_number(prefix: str, year: int, serial: int) -> str:
    """The 发文字号: ``document_number("泉重点办", 2026, 12)`` → ``泉重点办〔2026〕12号``.

    GB/T 9704: the year in full inside 六角括号 〔〕, the serial without padding and without "第".
    """
    if not prefix.strip():
        raise ValueError("a document number needs the organ's prefix (机关代字)")
    if not 1000 <= year <= 9999:
        raise ValueError(f"the year of a document number is written in full, not {year!r}")
    if serial < 1:
        raise ValueError(f"document serial numbers start at 1, not {serial!r}")
    return f"{prefix.strip()}〔{year}〕{serial}号"


def chinese_date(day: dt.date) -> str:
    """A date as 公文 write it: ``2026年11月23日`` (Arabic numerals, year in full, no zero padding)."""
    return f"{day.year}年{day.month}月{day.day}日"


def render(doc: OfficialDocument, style: DocumentStyle = DEFAULT_STYLE) -> bytes:
    """The document as .docx bytes."""
    return _Renderer(doc, style).render()


# Rendering

_NUMBERED_HEADING_RE: Final = re.compile(r"\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
# Characters XML 1.0 cannot hold; text pasted from Excel sometimes carries them.
_XML_INVALID_RE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CHINESE_DIGITS: Final = "零一二三四五六七八九"
# Used when the named font is missing, e.g. Windows without the GB2312 fonts; charset 86 is GB2312.
_ALT_FONT_NAMES: Final = {
    "仿宋_GB2312": "仿宋",
    "楷体_GB2312": "楷体",
    "方正小标宋简体": "宋体",
    "方正小标宋_GBK": "宋体",
    "方正仿宋_GBK": "仿宋",
    "方正楷体_GBK": "楷体",
    "方正黑体_GBK": "黑体",
}
# The kind of face each is, for a machine that has neither the font nor its fallback name: a serif (宋体, 仿宋, 楷体
# and 小标宋 are Song-style serifs) or a sans (黑体). Word picks a substitute of the same kind and charset.
_FONT_FAMILIES: Final = {
    "宋体": "roman",
    "仿宋": "roman",
    "仿宋_GB2312": "roman",
    "楷体": "roman",
    "楷体_GB2312": "roman",
    "方正小标宋简体": "roman",
    "方正小标宋_GBK": "roman",
    "方正仿宋_GBK": "roman",
    "方正楷体_GBK": "roman",
    "黑体": "swiss",
    "方正黑体_GBK": "swiss",
}
_BLACK: Final = "000000"
_THICK_RULE: Final = 8  # 0.35 mm ≈ 1 pt, in eighths of a point (版记 first and last lines)
_THIN_RULE: Final = 6  # 0.25 mm ≈ 0.75 pt (版记 lines between)
_TABLE_RULE: Final = 4  # 0.5 pt
_CELL_MARGIN: Final = 57  # 1 mm either side of a cell's text


def _twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def _chinese_count(number: int) -> str:
    """一 … 九十九, for heading numbers."""
    if not 1 <= number <= 99:
        raise ValueError(f"headings are numbered 一 to 九十九, not {number}")
    tens, ones = divmod(number, 10)
    if tens == 0:
        return _CHINESE_DIGITS[ones]
    return ("" if tens == 1 else _CHINESE_DIGITS[tens]) + "十" + (_CHINESE_DIGITS[ones] if ones else "")


def _width_in_chars(text: str) -> float:
    """Width in 字: wide (Chinese) characters count one, others half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.5 for c in text)


def _clean(text: str) -> str:
    return _XML_INVALID_RE.sub("", text)


def _cell_text(value: CellValue) -> str:
    return "" if value is None else str(value)


def _el(tag: str, attrs: dict[str, str | int] | None = None, *children: _Element) -> _Element:
    element: _Element = OxmlElement(tag, {qn(k): str(v) for k, v in (attrs or {}).items()})
    for child in children:
        element.append(child)
    return element


@dataclass(frozen=True)
class _Font:
    east_asia: str
    latin: str
    size: float
    color: str | None = None
    scale: int | None = None


def _rpr(font: _Font) -> _Element:
    # Children in the schema's order (CT_RPr): rFonts, color, w, sz, szCs, lang.
    rpr = _el(
        "w:rPr",
        None,
        _el(
            "w:rFonts",
            {
                "w:ascii": font.latin,
                "w:hAnsi": font.latin,
                "w:eastAsia": font.east_asia,
                "w:cs": font.east_asia,
                # Curly quotes, dashes and ellipses are shared by both scripts: take the Chinese font.
                "w:hint": "eastAsia",
            },
        ),
    )
    if font.color:
        rpr.append(_el("w:color", {"w:val": font.color}))
    if font.scale:
        rpr.append(_el("w:w", {"w:val": font.scale}))
    half_points = round(font.size * 2)
    rpr.append(_el("w:sz", {"w:val": half_points}))
    rpr.append(_el("w:szCs", {"w:val": half_points}))
    return rpr


def _add_text(run: _Element, text: str) -> None:
    """Text into a run: tabs and line breaks become Word's own elements."""
    for piece in re.split(r"(\t|\n)", _clean(text)):
        if piece == "\t":
            run.append(_el("w:tab"))
        elif piece == "\n":
            run.append(_el("w:br"))
        elif piece:
            t = _el("w:t")
            t.text = piece
            if piece != piece.strip():
                t.set(qn("xml:space"), "preserve")
            run.append(t)


def _run(text: str, font: _Font) -> _Element:
    run = _el("w:r", None, _rpr(font))
    _add_text(run, text)
    return run


def _border(edge: str, size: int, color: str, space: int = 0) -> _Element:
    return _el(f"w:{edge}", {"w:val": "single", "w:sz": size, "w:space": space, "w:color": color})


def _ppr(
    style_id: str | None = None,
    *,
    keep_next: bool = False,
    page_break_before: bool = False,
    bottom_border: _Element | None = None,
    tabs: Sequence[tuple[str, int]] = (),
    snap_to_grid: bool = True,
    before: int = 0,
    line: int | None = None,
    indent: dict[str, int] | None = None,
    jc: str | None = None,
    outline_level: int | None = None,
) -> _Element:
    """Paragraph properties, children in the schema's order (CT_PPr), which Word insists on.

    ``line`` is an exact line height in twips; None is single spacing. ``indent`` maps w:ind attributes.
    """
    ppr = _el("w:pPr")
    if style_id:
        ppr.append(_el("w:pStyle", {"w:val": style_id}))
    if keep_next:
        ppr.append(_el("w:keepNext"))
    if page_break_before:
        ppr.append(_el("w:pageBreakBefore"))
    if bottom_border is not None:
        ppr.append(_el("w:pBdr", None, bottom_border))
    if tabs:
        ppr.append(_el("w:tabs", None, *(_el("w:tab", {"w:val": kind, "w:pos": pos}) for kind, pos in tabs)))
    if not snap_to_grid:
        ppr.append(_el("w:snapToGrid", {"w:val": 0}))
    spacing: dict[str, str | int] = {"w:before": before, "w:after": 0}
    spacing |= {"w:line": line, "w:lineRule": "exact"} if line else {"w:line": 240, "w:lineRule": "auto"}
    ppr.append(_el("w:spacing", spacing))
    if indent:
        ppr.append(_el("w:ind", {f"w:{side}": value for side, value in indent.items()}))
    if jc:
        ppr.append(_el("w:jc", {"w:val": jc}))
    if outline_level is not None:
        ppr.append(_el("w:outlineLvl", {"w:val": outline_level}))
    return ppr


def _paragraph(ppr: _Element, *runs: _Element) -> _Element:
    return _el("w:p", None, ppr, *runs)


class _Renderer:
    """Writes one document; holds the heading counters and the body's elements in order."""

    def __init__(self, doc: OfficialDocument, style: DocumentStyle) -> None:
        self.doc = doc
        self.style = style
        fonts = style.fonts
        self.body_font = _Font(fonts.body, fonts.numerals, style.body_size)
        self.heading1_font = _Font(fonts.heading1, fonts.numerals, style.body_size)
        self.heading2_font = _Font(fonts.heading2, fonts.numerals, style.body_size)
        self.title_font = _Font(fonts.title, fonts.title, style.title_size)
        self.imprint_font = _Font(fonts.body, fonts.numerals, style.imprint_size)
        self.page_number_font = _Font(fonts.page_number, fonts.page_number, style.page_number_size)
        self.pitch = style.line_pitch_twips
        self.elements: list[_Element] = []
        self.level1 = 0
        self.level2 = 0

    def chars(self, count: float) -> int:
        """Twips of ``count`` 字 on the document grid."""
        return round(count * self.style.char_pitch_twips)

    def grid_indent(self, **chars: float) -> dict[str, int]:
        """w:ind in both twips and hundredths of a 字 (what Word and WPS show as "2 字符")."""
        indent: dict[str, int] = {}
        for side, count in chars.items():
            indent[side] = self.chars(count)
            indent[f"{side}Chars"] = round(count * 100)
        return indent

    def add(self, element: _Element) -> None:
        self.elements.append(element)

    def blank(self, lines: int = 1, *, keep_next: bool = False) -> None:
        for _ in range(lines):
            self.add(_paragraph(_ppr("GwBody", keep_next=keep_next, line=self.pitch)))

    # Whole document

    def render(self) -> bytes:
        document = docx.Document()
        self.write_front()
        for block in self.doc.body:
            self.write_block(block)
        self.write_closing()
        self.write_attachment_pages()
        self.write_imprint()

        body = document.element.body
        sect_pr = body.sectPr
        assert sect_pr is not None  # the default template has one
        for element in self.elements:
            sect_pr.addprevious(element)
        self.set_up_page(document)
        self.set_up_styles(document)
        self.set_up_fonts(document)
        self.write_page_numbers(document)

        properties = document.core_properties
        properties.title = self.doc.title.replace("\n", "")
        properties.author = self.doc.signature or ""
        properties.last_modified_by = ""
        properties.comments = ""
        properties.revision = 1
        now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
        properties.created = properties.modified = now
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    # 版头 and title

    def write_front(self) -> None:
        doc = self.doc
        if isinstance(doc.masthead, Masthead):
            has_number = bool(doc.number or doc.issuer)
            # Without a number (纪要) the red line goes under the 标志 itself.
            self.write_masthead(doc.masthead.organ + doc.masthead.suffix, red_rule=not has_number)
            if has_number:
                self.blank(2)
                self.write_number(red_rule=True)
            self.blank(2)
        elif isinstance(doc.masthead, Briefing):
            self.write_briefing(doc.masthead)
            self.blank(2)
        elif doc.number or doc.issuer:
            self.write_number(red_rule=False)
            self.blank()
        self.add(
            _paragraph(
                _ppr("GwTitle", keep_next=True, line=self.pitch, jc="center"),
                _run(doc.title.strip(), self.title_font),
            )
        )
        self.blank()
        if doc.addressee:
            addressee = doc.addressee.strip().rstrip(":：") + "："
            self.add(_paragraph(_ppr("GwBody", line=self.pitch), _run(addressee, self.body_font)))

    def red_rule(self, space_pt: int) -> _Element:
        return _border("bottom", round(self.style.masthead_rule_pt * 8), self.style.red, space_pt)

    def write_masthead(self, text: str, *, red_rule: bool) -> None:
        style = self.style
        width_pt = style.text_width_twips / 20
        natural_pt = _width_in_chars(text) * style.masthead_size
        # Leave 2 % for the font's side bearings; Word accepts character scales down to 1 %.
        scale = math.floor(min(1.0, 0.98 * width_pt / natural_pt) * 100) if natural_pt else 100
        font = _Font(
            style.fonts.title,
            style.fonts.title,
            style.masthead_size,
            style.red,
            scale if scale < 100 else None,
        )
        self.add(
            _paragraph(
                _ppr(
                    "GwMasthead",
                    bottom_border=self.red_rule(11) if red_rule else None,
                    snap_to_grid=False,
                    before=_twips(style.masthead_top_mm),
                    jc="center",
                ),
                _run(text, font),
            )
        )

    def write_number(self, *, red_rule: bool) -> None:
        doc, style = self.doc, self.style
        rule = self.red_rule(11) if red_rule else None  # GB/T 9704: 4 mm (11 pt) below the number
        number = doc.number or ""
        if doc.issuer:
            # 上行文: the number one 字 in from the left, "签发人：" and the name (楷体) one 字 in from the right.
            issuer_runs = [_run("签发人：", self.body_font), _run(doc.issuer, self.heading2_font)]
            right_tab = style.text_width_twips - self.chars(1)
            self.add(
                _paragraph(
                    _ppr(
                        "GwBody",
                        bottom_border=rule,
                        tabs=[("right", right_tab)],
                        line=self.pitch,
                        indent=self.grid_indent(left=1),
                    ),
                    _run(number + "\t", self.body_font),
                    *issuer_runs,
                )
            )
        else:
            self.add(
                _paragraph(
                    _ppr("GwBody", bottom_border=rule, line=self.pitch, jc="center" if red_rule else "right"),
                    _run(number, self.body_font),
                )
            )

    def write_briefing(self, briefing: Briefing) -> None:
        style = self.style
        self.write_masthead(briefing.name, red_rule=False)
        issue = f"第{briefing.issue}期" if isinstance(briefing.issue, int) else briefing.issue
        self.add(_paragraph(_ppr("GwBody", line=self.pitch, jc="center"), _run(issue, self.body_font)))
        rule = self.red_rule(4)
        self.add(
            _paragraph(
                _ppr(
                    "GwBody",
                    bottom_border=rule,
                    tabs=[("right", style.text_width_twips)],
                    line=self.pitch,
                ),
                _run(f"{briefing.editor}\t{chinese_date(briefing.date)}", self.body_font),
            )
        )

    # Body

    def write_block(self, block: Block) -> None:
        if isinstance(block, str):
            block = Paragraph(block)
        if isinstance(block, Paragraph):
            for line in _clean(block.text).splitlines():
                if line.strip():
                    self.write_body_paragraph([_run(line.strip(), self.body_font)])
        elif isinstance(block, Heading):
            self.write_heading(block)
        elif isinstance(block, NumberedList):
            for number, item in enumerate(block.items, start=block.start):
                marker = f"{number}." if block.marker == "1." else f"（{number}）"
                self.write_body_paragraph([_run(marker + item.strip(), self.body_font)])
        else:
            self.write_table(block)

    def write_body_paragraph(self, runs: list[_Element]) -> None:
        self.add(
            _paragraph(
                _ppr("GwBody", line=self.pitch, indent=self.grid_indent(firstLine=2), jc="both"),
                *runs,
            )
        )

    def write_heading(self, heading: Heading) -> None:
        if heading.level == 1:
            self.level1 += 1
            self.level2 = 0
            number, font, style_id = f"{_chinese_count(self.level1)}、", self.heading1_font, "GwHeading1"
        else:
            self.level2 += 1
            number, font, style_id = f"（{_chinese_count(self.level2)}）", self.heading2_font, "GwHeading2"
        runs = [_run(number + heading.text.strip(), font)]
        if heading.run_in:
            runs.append(_run(heading.run_in.strip(), self.body_font))
        self.add(
            _paragraph(
                _ppr(
                    style_id,
                    keep_next=not heading.run_in,
                    line=self.pitch,
                    indent=self.grid_indent(firstLine=2),
                    jc="both",
                    outline_level=heading.level - 1,
                ),
                *runs,
            )
        )

    def write_table(self, table: Table) -> None:
        style = self.style
        size = table.font_size or style.table_size
        columns = [Column(c) if isinstance(c, str) else c for c in table.columns]
        widths = self.column_widths(columns, table.rows)
        total = style.text_width_twips
        if table.caption:
            self.add(
                _paragraph(
                    _ppr("GwBody", keep_next=True, line=self.pitch, jc="center"),
                    _run(table.caption.strip(), self.heading1_font),
                )
            )
        edges = ("top", "left", "bottom", "right", "insideH", "insideV")
        borders = _el("w:tblBorders", None, *(_border(edge, _TABLE_RULE, "auto") for edge in edges))
        tbl = _el(
            "w:tbl",
            None,
            _el(
                "w:tblPr",
                None,
                _el("w:tblW", {"w:w": total, "w:type": "dxa"}),
                _el("w:jc", {"w:val": "center"}),
                borders,
                _el("w:tblLayout", {"w:type": "fixed"}),
                _el(
                    "w:tblCellMar",
                    None,
                    _el("w:left", {"w:w": _CELL_MARGIN, "w:type": "dxa"}),
                    _el("w:right", {"w:w": _CELL_MARGIN, "w:type": "dxa"}),
                ),
            ),
            _el("w:tblGrid", None, *(_el("w:gridCol", {"w:w": w}) for w in widths)),
        )
        cell_font = _Font(style.fonts.body, style.fonts.numerals, size)
        header_font = _Font(style.fonts.heading1, style.fonts.numerals, size)
        header = _el(
            "w:tr",
            None,
            _el("w:trPr", None, _el("w:cantSplit"), _el("w:tblHeader")),
            *(
                self.cell(width, "center", _run(column.title, header_font))
                for column, width in zip(columns, widths, strict=True)
            ),
        )
        tbl.append(header)
        # One prototype cell per column, copied per row: a 500-row table stays well under a second.
        prototypes = [
            self.cell(width, "right" if column.numeric else "left", _run("", cell_font))
            for column, width in zip(columns, widths, strict=True)
        ]
        row_properties = _el("w:trPr", None, _el("w:cantSplit"))
        for row in table.rows:
            tr = _el("w:tr", None, copy.deepcopy(row_properties))
            for prototype, value in zip(prototypes, row, strict=True):
                cell = copy.deepcopy(prototype)
                _add_text(cell[-1][-1], _cell_text(value))  # the run in the cell's paragraph
                tr.append(cell)
            tbl.append(tr)
        self.add(tbl)
        # Word needs a paragraph between a table and whatever follows; a single line keeps the gap small.
        self.add(_paragraph(_ppr("GwTable", snap_to_grid=False)))

    def cell(self, width: int, jc: str, run: _Element) -> _Element:
        return _el(
            "w:tc",
            None,
            _el(
                "w:tcPr",
                None,
                _el("w:tcW", {"w:w": width, "w:type": "dxa"}),
                _el("w:vAlign", {"w:val": "center"}),
            ),
            _paragraph(_ppr("GwTable", snap_to_grid=False, jc=jc), run),
        )

    def column_widths(self, columns: Sequence[Column], rows: Sequence[Sequence[CellValue]]) -> list[int]:
        """Twips per column, summing to the type area's width; unset widths follow the longest text."""
        sample = rows[:200]
        weights = []
        for index, column in enumerate(columns):
            if column.width is not None:
                weights.append(max(column.width, 0.5))
                continue
            longest = max(
                [_width_in_chars(column.title)]
                + [max(map(_width_in_chars, _cell_text(row[index]).split("\n"))) for row in sample]
            )
            # At least two characters wide, and no column hogs the table: long text wraps instead.
            weights.append(min(max(longest, 2.0), 16.0) + 1)
        total = self.style.text_width_twips
        widths = [math.floor(total * w / sum(weights)) for w in weights]
        widths[-1] += total - sum(widths)
        return widths

    # 附件 note, 署名, 成文日期, 附注

    def write_closing(self) -> None:
        doc = self.doc
        if doc.attachments:
            self.blank()
            self.write_attachment_note()
        if doc.signature or doc.date:
            # GB/T 9704 7.3.5: the 署名, date and seal never stand alone on a page: the last line before
            # them goes along.
            last = self.elements[-1] if self.elements else None
            if last is not None and last.tag == qn("w:p") and last[0].find(qn("w:keepNext")) is None:
                ppr = last[0]
                ppr.insert(1 if ppr[0].tag == qn("w:pStyle") else 0, _el("w:keepNext"))
            self.blank(2 if doc.sealed else 1, keep_next=True)
            self.write_signature()
        if doc.note:
            note = doc.note.strip()
            if not note.startswith("（"):
                note = f"（{note.strip('()（）')}）"
            self.add(
                _paragraph(
                    _ppr("GwBody", line=self.pitch, indent=self.grid_indent(firstLine=2)),
                    _run(note, self.body_font),
                )
            )

    def write_attachment_note(self) -> None:
        attachments = self.doc.attachments
        names = [a.title.strip() for a in attachments]
        if len(names) == 1:
            self.add(
                _paragraph(
                    _ppr("GwBody", line=self.pitch, indent=self.grid_indent(left=5, hanging=3)),
                    _run("附件：" + names[0], self.body_font),
                )
            )
            return
        for number, name in enumerate(names, start=1):
            marker = f"{number}."
            # Wrapped lines align with the name's first character: after "附件：" and the number.
            hang = _width_in_chars(marker)
            if number == 1:
                indent = self.grid_indent(left=5 + hang, hanging=3 + hang)
                text = f"附件：{marker}{name}"
            else:
                indent = self.grid_indent(left=5 + hang, hanging=hang)
                text = f"{marker}{name}"
            self.add(_paragraph(_ppr("GwBody", line=self.pitch, indent=indent), _run(text, self.body_font)))

    def write_signature(self) -> None:
        """GB/T 9704 7.3.5: where the 署名 and 成文日期 sit, with and without a seal."""
        doc = self.doc
        signature = (doc.signature or "").strip()
        date = chinese_date(doc.date) if doc.date else ""
        s, d = _width_in_chars(signature), _width_in_chars(date)
        if doc.sealed:
            # The date four 字 in from the right, the 署名 centred over it.
            date_right = 4.0
            signature_right = max(date_right + (d - s) / 2, 0.0)
        elif not date:
            signature_right, date_right = 2.0, 0.0
        elif s - d >= 2 or not signature:
            # The 署名 two 字 in; the date starts two 字 right of where the 署名 starts.
            signature_right, date_right = 2.0, max(s - d, 2.0)
        else:
            # A date longer than that: the date two 字 in, the 署名 moved left to keep the offset.
            signature_right, date_right = d + 4 - s, 2.0
        if signature:
            self.add(
                _paragraph(
                    _ppr(
                        "GwBody",
                        keep_next=True,
                        line=self.pitch,
                        indent=self.grid_indent(right=signature_right),
                        jc="right",
                    ),
                    _run(signature, self.body_font),
                )
            )
        if date:
            self.add(
                _paragraph(
                    _ppr("GwBody", line=self.pitch, indent=self.grid_indent(right=date_right), jc="right"),
                    _run(date, self.body_font),
                )
            )

    def write_attachment_pages(self) -> None:
        single = len(self.doc.attachments) == 1
        for number, attachment in enumerate(self.doc.attachments, start=1):
            if not attachment.body:
                continue
            self.level1 = self.level2 = 0
            label = "附件" if single else f"附件{number}"
            # GB/T 9704: "附件1" top left in 黑体, the title centred on the third line.
            self.add(
                _paragraph(
                    _ppr("GwBody", keep_next=True, page_break_before=True, line=self.pitch),
                    _run(label, self.heading1_font),
                )
            )
            self.blank()
            self.add(
                _paragraph(
                    _ppr("GwTitle", keep_next=True, line=self.pitch, jc="center"),
                    _run(attachment.title.strip(), self.title_font),
                )
            )
            self.blank()
            for block in attachment.body:
                self.write_block(block)

    # 版记

    def write_imprint(self) -> None:
        doc, style = self.doc, self.style
        copy_to = doc.copy_to if isinstance(doc.copy_to, str) else "，".join(c.strip() for c in doc.copy_to)
        copy_to = copy_to.strip().rstrip("。；;，,")
        printed_on = doc.printed_on or doc.date
        if not copy_to and not doc.printed_by:
            return
        width = style.text_width_twips
        # 版记 characters are 4号: one 字 of it is its own size, not the body grid's.
        char = round(style.imprint_size * 20)
        rows = []
        if copy_to:
            rows.append(
                _paragraph(
                    _ppr(
                        "GwImprint",
                        snap_to_grid=False,
                        line=self.pitch,
                        indent={"left": 4 * char, "right": char, "hanging": 3 * char},
                    ),
                    _run(f"抄送：{copy_to}。", self.imprint_font),
                )
            )
        if doc.printed_by:
            date = f"{chinese_date(printed_on)}印发" if printed_on else ""
            rows.append(
                _paragraph(
                    _ppr(
                        "GwImprint",
                        snap_to_grid=False,
                        tabs=[("right", width - char)],
                        line=self.pitch,
                        indent={"left": char},
                    ),
                    _run(f"{doc.printed_by.strip()}\t{date}", self.imprint_font),
                )
            )
        table_properties = [
            _el("w:tblW", {"w:w": width, "w:type": "dxa"}),
            _el("w:jc", {"w:val": "center"}),
            _el(
                "w:tblBorders",
                None,
                _border("top", _THICK_RULE, _BLACK),
                _el("w:left", {"w:val": "nil"}),
                _border("bottom", _THICK_RULE, _BLACK),
                _el("w:right", {"w:val": "nil"}),
                _border("insideH", _THIN_RULE, _BLACK),
                _el("w:insideV", {"w:val": "nil"}),
            ),
            _el("w:tblLayout", {"w:type": "fixed"}),
            _el(
                "w:tblCellMar",
                None,
                _el("w:left", {"w:w": 0, "w:type": "dxa"}),
                _el("w:right", {"w:w": 0, "w:type": "dxa"}),
            ),
        ]
        if style.imprint_at_page_bottom:
            # A floating table anchored to the bottom of the type area, where GB/T 9704 puts the 版记's last line.
            table_properties[:0] = [
                _el(
                    "w:tblpPr",
                    {
                        "w:leftFromText": 0,
                        "w:rightFromText": 0,
                        "w:topFromText": 0,
                        "w:bottomFromText": 0,
                        "w:vertAnchor": "margin",
                        "w:horzAnchor": "margin",
                        "w:tblpXSpec": "center",
                        "w:tblpYSpec": "bottom",
                    },
                ),
                _el("w:tblOverlap", {"w:val": "never"}),
            ]
        tbl = _el(
            "w:tbl",
            None,
            _el("w:tblPr", None, *table_properties),
            _el("w:tblGrid", None, _el("w:gridCol", {"w:w": width})),
            *(
                _el(
                    "w:tr",
                    None,
                    _el("w:trPr", None, _el("w:cantSplit")),
                    _el(
                        "w:tc", None, _el("w:tcPr", None, _el("w:tcW", {"w:w": width, "w:type": "dxa"})), row
                    ),
                )
                for row in rows
            ),
        )
        self.add(tbl)
        # The paragraph a floating table anchors to, one point high so it never starts a page of its own.
        self.add(_paragraph(_ppr("GwTable", snap_to_grid=False, line=20)))

    # Page, styles, fonts, page numbers

    def set_up_page(self, document: WordDocument) -> None:
        style = self.style
        section = document.sections[0]
        section.page_width = Twips(_twips(style.page_width_mm))
        section.page_height = Twips(_twips(style.page_height_mm))
        section.top_margin = Twips(_twips(style.top_mm))
        section.bottom_margin = Twips(_twips(style.bottom_mm))
        section.left_margin = Twips(_twips(style.left_mm))
        section.right_margin = Twips(_twips(style.right_mm))
        section.gutter = Twips(0)
        section.header_distance = Twips(_twips(15))
        section.footer_distance = Twips(style.footer_twips)
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = _el("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(self.pitch))
        grid.set(qn("w:charSpace"), str(style.char_space))

    def set_up_styles(self, document: WordDocument) -> None:
        """Fonts and spacing on the styles too, so text a clerk types into the document matches."""
        style, fonts = self.style, self.style.fonts
        # The template's second copy of its styles (Word 2010's stylesWithEffects) would lack ours: drop it.
        for rel_id, rel in list(document.part.rels.items()):
            if rel.reltype.endswith("/stylesWithEffects"):
                document.part.drop_rel(rel_id)
        styles = document.styles.element
        defaults = styles.find(qn("w:docDefaults"))
        assert defaults is not None
        for child in list(defaults):
            defaults.remove(child)
        body_rpr = self.style_rpr(self.body_font)
        defaults.append(_el("w:rPrDefault", None, body_rpr))
        defaults.append(_el("w:pPrDefault", None, _el("w:pPr", None, _el("w:spacing", {"w:after": 0}))))

        normal = styles.find(f"{qn('w:style')}[@{qn('w:styleId')}='Normal']")
        assert normal is not None
        for child in normal.findall(qn("w:pPr")) + normal.findall(qn("w:rPr")):
            normal.remove(child)
        # No widow control: it would pull lines to the next page and break the 22-line grid.
        normal_ppr = _ppr(line=self.pitch, jc="both")
        normal_ppr.insert(0, _el("w:widowControl", {"w:val": 0}))
        normal.append(normal_ppr)
        normal.append(copy.deepcopy(body_rpr))

        table_font = _Font(fonts.body, fonts.numerals, style.table_size)
        masthead_font = _Font(fonts.title, fonts.title, style.masthead_size, style.red)
        for style_id, name, ppr, font in [
            ("GwMasthead", "发文机关标志", _ppr(snap_to_grid=False, jc="center"), masthead_font),
            ("GwTitle", "公文标题", _ppr(keep_next=True, line=self.pitch, jc="center"), self.title_font),
            ("GwBody", "公文正文", _ppr(line=self.pitch, jc="both"), self.body_font),
            (
                "GwHeading1",
                "公文一级标题",
                _ppr(keep_next=True, line=self.pitch, indent=self.grid_indent(firstLine=2), outline_level=0),
                self.heading1_font,
            ),
            (
                "GwHeading2",
                "公文二级标题",
                _ppr(keep_next=True, line=self.pitch, indent=self.grid_indent(firstLine=2), outline_level=1),
                self.heading2_font,
            ),
            ("GwTable", "公文表格", _ppr(snap_to_grid=False), table_font),
            ("GwImprint", "公文版记", _ppr(snap_to_grid=False, line=self.pitch), self.imprint_font),
            ("GwPageNumber", "公文页码", _ppr(snap_to_grid=False), self.page_number_font),
        ]:
            styles.append(
                _el(
                    "w:style",
                    {"w:type": "paragraph", "w:customStyle": 1, "w:styleId": style_id},
                    _el("w:name", {"w:val": name}),
                    _el("w:basedOn", {"w:val": "Normal"}),
                    _el("w:qFormat"),
                    ppr,
                    self.style_rpr(font),
                )
            )

    @staticmethod
    def style_rpr(font: _Font) -> _Element:
        rpr = _rpr(font)
        rpr.append(_el("w:lang", {"w:val": "en-US", "w:eastAsia": "zh-CN", "w:bidi": "ar-SA"}))
        return rpr

    def set_up_fonts(self, document: WordDocument) -> None:
        """Declare the Chinese fonts (GB2312 charset, a fallback name) so a machine without one substitutes well."""
        settings = document.settings.element
        lang = settings.find(qn("w:themeFontLang"))
        if lang is not None:
            lang.set(qn("w:eastAsia"), "zh-CN")
        fonts = self.style.fonts
        names = {fonts.title, fonts.body, fonts.heading1, fonts.heading2, fonts.page_number}
        for part in document.part.package.iter_parts():
            if part.partname != "/word/fontTable.xml":
                continue
            table = parse_xml(part.blob)
            known = {f.get(qn("w:name")) for f in table.findall(qn("w:font"))}
            for name in sorted(names - known):
                font = _el("w:font", {"w:name": name})
                if name in _ALT_FONT_NAMES:
                    font.append(_el("w:altName", {"w:val": _ALT_FONT_NAMES[name]}))
                font.append(_el("w:charset", {"w:val": "86"}))
                font.append(_el("w:family", {"w:val": _FONT_FAMILIES.get(name, "auto")}))
                font.append(_el("w:pitch", {"w:val": "variable"}))
                table.append(font)
            # A plain Part keeps its bytes in _blob; python-docx has no setter for it.
            part._blob = serialize_part_xml(table)

    def write_page_numbers(self, document: WordDocument) -> None:
        """ "— 3 —" in 4号宋体: odd pages right and even pages left, one 字 in (GB/T 9704 7.5)."""
        section = document.sections[0]
        one_char = self.chars(1)
        if self.style.mirror_page_numbers:
            document.settings.odd_and_even_pages_header_footer = True
            placements = [
                (section.footer, "right", {"right": one_char}),
                (section.even_page_footer, "left", {"left": one_char}),
            ]
        else:
            placements = [(section.footer, "center", {})]
        for footer, jc, indent in placements:
            root = footer.part.element
            for child in list(root):
                root.remove(child)
            root.append(
                _paragraph(
                    _ppr("GwPageNumber", snap_to_grid=False, indent=indent, jc=jc),
                    *self.page_number_runs(),
                )
            )

    def page_number_runs(self) -> list[_Element]:
        font = self.page_number_font

        def field_char(kind: str) -> _Element:
            return _el("w:r", None, _rpr(font), _el("w:fldChar", {"w:fldCharType": kind}))

        instruction = _el("w:instrText", {"xml:space": "preserve"})
        instruction.text = " PAGE "
        return [
            _run("— ", font),
            field_char("begin"),
            _el("w:r", None, _rpr(font), instruction),
            field_char("separate"),
            _run("1", font),
            field_char("end"),
            _run(" —", font),
        ]
