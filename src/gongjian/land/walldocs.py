"""The wall list on paper (公开上墙): an A3 landscape .docx (python-docx) and .pdf (reportlab with its built-in CID
font STSong-Light, so no font file is needed), each with a QR code (segno) linking to the public page where the
same version can be read. Plain Python over plain data, no Django: the rows come already masked."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

import docx
import segno
from docx.enum.section import WD_ORIENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from reportlab.lib import colors
from reportlab.lib.pagesizes import A3, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Image, LongTable, Paragraph, SimpleDocTemplate, Spacer

FONT = "宋体"
PDF_FONT = "STSong-Light"


@dataclass(frozen=True)
class Sheet:
    """One wall list as printed: the title, the lines under it, the header and the rows (strings, masked), the
    note at the foot and the public page's address for the QR code."""

    title: str
    subtitle: Sequence[str]
    header: Sequence[str]
    widths: Sequence[float]  # relative
    rows: Sequence[Sequence[str]]
    marked: Sequence[bool]  # rows of cadres' and key persons' households
    footer: Sequence[str]
    url: str
    qr_caption: str


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=6, border=2)
    return out.getvalue()


# .docx


def _cell_xml(text: str, width: int, *, bold: bool = False, shade: bool = False) -> str:
    runs = []
    for i, part in enumerate(text.split("\n")):
        br = "<w:br/>" if i else ""
        runs.append(
            f'<w:r><w:rPr>{"<w:b/>" if bold else ""}</w:rPr>{br}<w:t xml:space="preserve">{escape(part)}</w:t></w:r>'
        )
    fill = '<w:shd w:val="clear" w:color="auto" w:fill="FCE9D9"/>' if shade else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{fill}</w:tcPr><w:p>{"".join(runs)}</w:p></w:tc>'
    )


def render_docx(sheet: Sheet) -> bytes:
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(420), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(9)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    title = document.add_paragraph()
    title.alignment = 1
    run = title.add_run(sheet.title)
    run.bold, run.font.size, run.font.name = True, Pt(20), FONT
    run._element.rPr.get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    for line in sheet.subtitle:
        document.add_paragraph(line).alignment = 1
    total_twips = int(390 / 25.4 * 1440)
    scale = total_twips / sum(sheet.widths)
    widths = [int(w * scale) for w in sheet.widths]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    header = "".join(_cell_xml(t, w, bold=True) for t, w in zip(sheet.header, widths, strict=True))
    body = [
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        + "".join(_cell_xml(t, w, shade=mark) for t, w in zip(row, widths, strict=True))
        + "</w:tr>"
        for row, mark in zip(sheet.rows, sheet.marked, strict=True)
    ]
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    table = parse_xml(
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>"
        f"<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>{header}</w:tr>{''.join(body)}</w:tbl>"
    )
    # before the section's properties, which stay the body's last child
    document.element.body.sectPr.addprevious(table)
    for line in sheet.footer:
        document.add_paragraph(line)
    picture = document.add_paragraph()
    picture.add_run().add_picture(io.BytesIO(qr_png(sheet.url)), width=Mm(30))
    document.add_paragraph(f"{sheet.qr_caption} {sheet.url}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# .pdf


def render_pdf(sheet: Sheet) -> bytes:
    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    out = io.BytesIO()
    page = landscape(A3)
    doc = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=sheet.title,
    )
    title = ParagraphStyle("title", fontName=PDF_FONT, fontSize=20, leading=28, alignment=1)
    centre = ParagraphStyle("centre", fontName=PDF_FONT, fontSize=10, leading=14, alignment=1)
    cell = ParagraphStyle("cell", fontName=PDF_FONT, fontSize=8, leading=10, wordWrap="CJK")
    plain = ParagraphStyle("plain", fontName=PDF_FONT, fontSize=10, leading=14)
    width = page[0] - 30 * mm
    scale = width / sum(sheet.widths)
    story: list = [Paragraph(escape(sheet.title), title)]
    story += [Paragraph(escape(line), centre) for line in sheet.subtitle]
    story.append(Spacer(1, 4 * mm))

    def para(text: str) -> Paragraph | str:
        # short cells as plain strings (fast); long ones wrap
        return Paragraph(escape(text).replace("\n", "<br/>"), cell) if len(text) > 8 or "\n" in text else text

    data = [[Paragraph(escape(h), cell) for h in sheet.header]]
    data += [[para(text) for text in row] for row in sheet.rows]
    table = LongTable(data, colWidths=[w * scale for w in sheet.widths], repeatRows=1)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), PDF_FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
    ]
    style += [
        ("BACKGROUND", (0, i), (-1, i), colors.HexColor("#FCE9D9"))
        for i, mark in enumerate(sheet.marked, start=1)
        if mark
    ]
    table.setStyle(style)
    story.append(table)
    story.append(Spacer(1, 4 * mm))
    story += [Paragraph(escape(line), plain) for line in sheet.footer]
    story.append(Image(io.BytesIO(qr_png(sheet.url)), width=30 * mm, height=30 * mm, hAlign="LEFT"))
    story.append(Paragraph(escape(f"{sheet.qr_caption} {sheet.url}"), plain))
    doc.build(story)
    return out.getvalue()
