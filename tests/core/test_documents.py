"""Official documents (公文) as .docx (gongjian.core.documents), checked the way an office clerk checks them.

Each test renders a document, opens the bytes with python-docx and looks at what Word or WPS would show: the
page, the fonts and sizes of each part, indents, the 发文字号, the date, tables, the page numbers and the 版记.
No database.
"""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from gongjian.core.documents import (
    GBK_FONTS,
    Attachment,
    Briefing,
    Column,
    DocumentStyle,
    Heading,
    Masthead,
    NumberedList,
    OfficialDocument,
    Table,
    chinese_date,
    document_number,
    render,
)

DAY = dt.date(2026, 11, 23)
OFFICE = "泉山区重点项目建设指挥部办公室"
CHAR = 8845 / 28  # one 字 of the grid, in twips: the 156 mm type area over 28 characters


def a_letter(**changes):
    """A 交办函 with every part a clerk looks at; ``changes`` replace fields."""
    fields = {
        "title": "关于加快推进重点项目建设有关问题整改的交办函",
        "masthead": Masthead("徐州市泉山区重点项目建设指挥部办公室"),
        "number": document_number("泉重点办", 2026, 12),
        "addressee": "各街道、各有关部门",
        "body": [
            "根据《泉山区重点项目建设考核办法》，现将11月中旬调度中发现的问题交办如下。",
            Heading("总体情况"),
            "截至11月20日，全区58个重点项目累计完成投资123.45亿元。",
            Heading("存在问题"),
            Heading("进度滞后", level=2, run_in="部分项目形象进度滞后于计划。"),
            Heading("手续办理", level=2),
            NumberedList(["泉山科技园二期：土地手续未完成", "徐州东站配套：施工许可未办理"]),
            Heading("工作要求"),
            Heading("按时整改", level=2),
            Table(
                [
                    Column("序号", numeric=True),
                    "项目名称",
                    "责任单位",
                    Column("完成投资（万元）", numeric=True),
                ],
                [[1, "泉山科技园二期", "王陵街道", "12,345.67"], [2, "徐州东站配套", "区住建局", 8000]],
                caption="滞后项目",
            ),
        ],
        "signature": OFFICE,
        "date": DAY,
        "copy_to": ["区委办公室", "区政府办公室"],
        "printed_by": OFFICE,
    }
    return OfficialDocument(**(fields | changes))


def open_docx(doc, style=None):
    data = render(doc) if style is None else render(doc, style)
    return docx.Document(io.BytesIO(data))


def paragraph(word, text):
    """The body paragraph whose text starts with ``text``."""
    found = [p for p in word.paragraphs if p.text.startswith(text)]
    assert found, f"no paragraph starts with {text!r}"
    return found[0]


def east_asian_font(run):
    return run._r.rPr.rFonts.get(qn("w:eastAsia"))


def indent(paragraph_, side):
    """An indent in twips, read from the paragraph's own w:ind."""
    ind = paragraph_._p.pPr.find(qn("w:ind"))
    return int(ind.get(qn(f"w:{side}"), 0)) if ind is not None else 0


def is_red(run):
    return run.font.color.rgb is not None and str(run.font.color.rgb) == "FF0000"


# The page


def test_the_page_is_a4_with_the_gb_t_9704_margins():
    section = open_docx(a_letter()).sections[0]

    assert section.page_width.mm == pytest.approx(210, abs=0.5)
    assert section.page_height.mm == pytest.approx(297, abs=0.5)
    assert section.top_margin.mm == pytest.approx(37, abs=0.5)
    assert section.bottom_margin.mm == pytest.approx(35, abs=0.5)
    assert section.left_margin.mm == pytest.approx(28, abs=0.5)
    assert section.right_margin.mm == pytest.approx(26, abs=0.5)


def test_a_page_holds_22_lines_of_28_characters():
    word = open_docx(a_letter())
    grid = word.sections[0]._sectPr.find(qn("w:docGrid"))

    assert grid.get(qn("w:type")) == "linesAndChars"
    assert grid.get(qn("w:linePitch")) == "579"
    # Word's character pitch is the body size plus charSpace/4096 pt; 28 of them must fit the 156 mm width.
    pitch_twips = (16 + int(grid.get(qn("w:charSpace"))) / 4096) * 20
    assert int(8845 // pitch_twips) == 28
    # Body lines are exactly one grid line (28.95 pt) apart, and 22 of them fit the 225 mm type area.
    body = paragraph(word, "根据")
    assert body.paragraph_format.line_spacing.pt == pytest.approx(28.95)
    assert 22 * 579 <= 12756 < 23 * 579


def test_margins_and_fonts_follow_the_style():
    style = DocumentStyle(bottom_mm=27, left_mm=29, right_mm=29, fonts=GBK_FONTS)
    word = open_docx(a_letter(), style)
    section = word.sections[0]

    assert section.bottom_margin.mm == pytest.approx(27, abs=0.5)
    assert section.left_margin.mm == pytest.approx(29, abs=0.5)
    # The grid follows: still 22 lines in the taller type area.
    pitch = int(section._sectPr.find(qn("w:docGrid")).get(qn("w:linePitch")))
    assert 22 * pitch <= style.text_height_twips < 23 * pitch
    assert east_asian_font(paragraph(word, "根据").runs[0]) == "方正仿宋_GBK"
    assert paragraph(word, "关于加快").runs[0].font.name == "方正小标宋_GBK"


# 版头


def test_the_masthead_is_red_xiaobiaosong_squeezed_to_the_type_area():
    word = open_docx(a_letter())
    masthead = word.paragraphs[0]
    run = masthead.runs[0]

    assert masthead.text == "徐州市泉山区重点项目建设指挥部办公室文件"
    assert masthead.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert is_red(run)
    assert run.font.name == "方正小标宋简体"
    assert masthead.paragraph_format.space_before.mm == pytest.approx(35, abs=0.5)
    # 20 characters at 36 pt are 720 pt; the type area is 442 pt wide, so the characters are narrowed.
    scale = int(run._r.rPr.find(qn("w:w")).get(qn("w:val")))
    assert 20 * 36 * scale / 100 <= 442


def test_the_document_number_uses_hexagonal_brackets_and_no_padding():
    assert document_number("泉重点办", 2026, 12) == "泉重点办〔2026〕12号"
    assert document_number("泉重点办", 2026, 1) == "泉重点办〔2026〕1号"
    with pytest.raises(ValueError):
        document_number("泉重点办", 2026, 0)
    with pytest.raises(ValueError):
        document_number("泉重点办", 26, 3)


def test_the_number_sits_two_lines_below_the_masthead_over_the_red_line():
    word = open_docx(a_letter())
    texts = [p.text for p in word.paragraphs[:7]]
    number = word.paragraphs[3]

    assert texts[1:4] == ["", "", "泉重点办〔2026〕12号"]
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"
    assert int(rule.get(qn("w:space"))) == 11  # 4 mm
    # The title two blank lines below the red line.
    assert texts[4:7] == ["", "", "关于加快推进重点项目建设有关问题整改的交办函"]


def test_a_document_sent_up_puts_the_number_left_and_the_issuer_right():
    word = open_docx(a_letter(issuer="李四"))
    number = paragraph(word, "泉重点办")

    assert number.text == "泉重点办〔2026〕12号\t签发人：李四"
    assert east_asian_font(number.runs[-1]) == "楷体_GB2312"
    assert indent(number, "left") == round(CHAR)


# 主体


def test_the_title_is_22_point_xiaobiaosong_centred():
    word = open_docx(a_letter())
    title = paragraph(word, "关于加快")

    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    for run in title.runs:
        assert run.font.name == "方正小标宋简体"
        assert east_asian_font(run) == "方正小标宋简体"
        assert run.font.size.pt == 22


def test_a_long_title_breaks_where_the_author_says():
    word = open_docx(a_letter(title="关于2026年11月重点项目\n考核情况的通报"))

    assert "关于2026年11月重点项目\n考核情况的通报" in [p.text for p in word.paragraphs]


def test_the_addressee_is_flush_left_with_a_full_width_colon():
    word = open_docx(a_letter())
    addressee = paragraph(word, "各街道")

    assert addressee.text == "各街道、各有关部门："
    assert indent(addressee, "firstLine") == 0
    # One blank line below the title.
    index = [p.text for p in word.paragraphs].index(addressee.text)
    assert word.paragraphs[index - 1].text == ""
    assert word.paragraphs[index - 2].text.startswith("关于加快")


def test_body_text_is_16_point_fangsong_with_the_east_asian_font_and_a_two_character_indent():
    word = open_docx(a_letter())

    for text in ["根据", "截至11月20日", "1.泉山科技园二期", "2.徐州东站配套"]:
        body = paragraph(word, text)
        assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert body.paragraph_format.first_line_indent.twips == round(2 * CHAR)
        assert body._p.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
        for run in body.runs:
            assert east_asian_font(run) == "仿宋_GB2312"
            assert run.font.name == "Times New Roman"  # numerals and Latin letters
            assert run.font.size.pt == 16


def test_headings_are_numbered_in_heiti_and_kaiti():
    word = open_docx(a_letter())
    texts = [p.text for p in word.paragraphs]

    assert [t for t in texts if t[:2] in ("一、", "二、", "三、")] == [
        "一、总体情况",
        "二、存在问题",
        "三、工作要求",
    ]
    # Level 2 numbers restart under each level-1 heading.
    assert [t for t in texts if t.startswith("（")] == [
        "（一）进度滞后部分项目形象进度滞后于计划。",
        "（二）手续办理",
        "（一）按时整改",
    ]
    level1 = paragraph(word, "一、总体情况")
    assert east_asian_font(level1.runs[0]) == "黑体"
    assert level1.runs[0].font.size.pt == 16
    assert not level1.runs[0].font.bold
    assert level1.paragraph_format.first_line_indent.twips == round(2 * CHAR)
    level2 = paragraph(word, "（一）进度滞后")
    assert east_asian_font(level2.runs[0]) == "楷体_GB2312"
    # Text run in after a level-2 heading goes back to 仿宋.
    assert east_asian_font(level2.runs[1]) == "仿宋_GB2312"


def test_a_heading_written_with_its_number_is_refused():
    with pytest.raises(ValueError, match="already has its number"):
        Heading("一、总体情况")
    with pytest.raises(ValueError, match="already has its number"):
        Heading("（二）手续办理", level=2)


def test_numbered_items_can_use_the_fourth_level_marker_and_continue():
    word = open_docx(a_letter(body=[NumberedList(["甲", "乙"], marker="（1）", start=3)]))

    assert [p.text for p in word.paragraphs if p.text.startswith("（")] == ["（3）甲", "（4）乙"]


def test_the_date_is_written_in_full_without_zero_padding():
    assert chinese_date(DAY) == "2026年11月23日"
    assert chinese_date(dt.date(2026, 3, 5)) == "2026年3月5日"


def test_an_unsealed_signature_sits_two_characters_in_and_the_date_two_further_right():
    word = open_docx(a_letter())
    signature, date = paragraph(word, OFFICE), paragraph(word, "2026年11月23日")

    assert signature.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert indent(signature, "right") == round(2 * CHAR)
    # 15-character 署名, 7-character date: the date starts two 字 right of the 署名's start.
    assert indent(date, "right") == round(8 * CHAR)
    # One blank line below the body.
    index = [p.text for p in word.paragraphs].index(OFFICE)
    assert word.paragraphs[index - 1].text == ""


def test_a_short_signature_moves_left_so_the_date_keeps_two_characters_from_the_edge():
    word = open_docx(a_letter(signature="区重点办"))

    assert indent(paragraph(word, "2026年11月23日"), "right") == round(2 * CHAR)
    assert indent(paragraph(word, "区重点办"), "right") == round(7 * CHAR)


def test_a_sealed_document_puts_the_date_four_characters_in_and_centres_the_signature_over_it():
    word = open_docx(a_letter(sealed=True))
    date = paragraph(word, "2026年11月23日")
    signature = paragraph(word, OFFICE)

    assert indent(date, "right") == round(4 * CHAR)
    # Centred over the date: 4 + (7 - 15) / 2 = 0 字.
    assert indent(signature, "right") == 0
    index = [p.text for p in word.paragraphs].index(OFFICE)
    assert [p.text for p in word.paragraphs[index - 2 : index]] == ["", ""]


def test_attachments_are_listed_after_the_body_and_start_on_their_own_page():
    doc = a_letter(
        attachments=[
            Attachment("滞后项目清单", body=[Table(["项目", Column("投资", numeric=True)], [["A", 1]])]),
            Attachment("整改情况报送表"),
        ]
    )
    word = open_docx(doc)
    texts = [p.text for p in word.paragraphs]

    assert "附件：1.滞后项目清单" in texts
    assert "2.整改情况报送表" in texts
    assert texts.index("附件：1.滞后项目清单") < texts.index(OFFICE)
    label = paragraph(word, "附件1")
    assert label.text == "附件1"
    assert label.paragraph_format.page_break_before
    assert east_asian_font(label.runs[0]) == "黑体"
    assert "附件2" not in texts  # the second has no pages of its own
    # The attachment's title on the third line of its page.
    index = texts.index("附件1")
    assert texts[index + 1 : index + 3] == ["", "滞后项目清单"]
    assert paragraph(word, "滞后项目清单").runs[0].font.size.pt == 22


def test_a_single_attachment_has_no_number():
    word = open_docx(a_letter(attachments=[Attachment("滞后项目清单", body=["见下表。"])]))
    texts = [p.text for p in word.paragraphs]

    assert "附件：滞后项目清单" in texts
    assert "附件" in texts


# Tables


def test_a_table_holds_the_numbers_given_and_repeats_its_header_row():
    word = open_docx(a_letter())
    table = word.tables[0]

    assert [c.text for c in table.rows[0].cells] == ["序号", "项目名称", "责任单位", "完成投资（万元）"]
    assert [[c.text for c in row.cells] for row in table.rows[1:]] == [
        ["1", "泉山科技园二期", "王陵街道", "12,345.67"],
        ["2", "徐州东站配套", "区住建局", "8000"],
    ]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert paragraph(word, "滞后项目").alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_a_table_fits_the_type_area_in_smaller_fangsong_with_numbers_right_aligned():
    word = open_docx(a_letter())
    table = word.tables[0]
    widths = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]

    assert sum(widths) == 8845  # 156 mm
    header, first = table.rows[0].cells, table.rows[1].cells
    assert east_asian_font(header[1].paragraphs[0].runs[0]) == "黑体"
    run = first[1].paragraphs[0].runs[0]
    assert east_asian_font(run) == "仿宋_GB2312"
    assert run.font.size.pt == 14
    assert first[0].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert first[3].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert first[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    # The widest text gets the widest column.
    assert widths[3] == max(widths)


def test_a_table_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="row 2 has 1 cells for 2 columns"):
        Table(["项目", "单位"], [["A", "B"], ["C"]])


def test_a_500_row_table_renders_in_well_under_a_second():
    rows = [
        [i, f"泉山区重点项目第{i}号工程", "王陵街道办事处", f"{i * 1234.5:,.2f}", f"{i % 100}.5", "滞后"]
        for i in range(1, 501)
    ]
    columns = [Column("序号", numeric=True), "项目名称", "责任单位", Column("完成投资（万元）", numeric=True)]
    table = Table([*columns, Column("得分", numeric=True), "状态"], rows, font_size=12)
    doc = a_letter(body=["各项目考核情况如下。", table])

    started = time.perf_counter()
    data = render(doc)
    elapsed = time.perf_counter() - started
    print(f"500-row table: rendered in {elapsed:.3f} s, {len(data) / 1024:.0f} KiB")

    word = docx.Document(io.BytesIO(data))
    assert len(word.tables[0].rows) == 501
    assert word.tables[0].rows[500].cells[3].text == "617,250.00"
    assert word.tables[0].rows[500].cells[1].paragraphs[0].runs[0].font.size.pt == 12
    assert elapsed < 5  # about 0.1 s on the development machine


# Page numbers


def test_page_numbers_are_em_dashed_odd_right_and_even_left():
    word = open_docx(a_letter())
    section = word.sections[0]

    assert word.settings.odd_and_even_pages_header_footer
    odd, even = section.footer, section.even_page_footer
    for footer, alignment, side in [
        (odd, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (even, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ]:
        number = footer.paragraphs[0]
        assert number.alignment == alignment
        assert indent(number, side) == round(CHAR)  # one 字 in
        assert number.text == "— 1 —"  # "1" is the field's placeholder until Word updates it
        instructions = [el.text for el in number._p.iter(qn("w:instrText"))]
        assert instructions == [" PAGE "]
        kinds = [el.get(qn("w:fldCharType")) for el in number._p.iter(qn("w:fldChar"))]
        assert kinds == ["begin", "separate", "end"]
        assert number.runs[0].text == "— " and number.runs[-1].text == " —"
        for run in number.runs:
            assert run.font.name == east_asian_font(run) == "宋体"
            assert run.font.size.pt == 14


def test_page_numbers_can_be_centred_instead():
    word = open_docx(a_letter(), DocumentStyle(mirror_page_numbers=False))

    assert not word.settings.odd_and_even_pages_header_footer
    assert word.sections[0].footer.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_the_page_number_dash_sits_seven_millimetres_below_the_type_area():
    section = open_docx(a_letter()).sections[0]

    # Footer distance plus half a 4号 character (where the dash sits) is 7 mm below the 35 mm margin.
    assert section.footer_distance.mm + 14 / 2 * 25.4 / 72 == pytest.approx(35 - 7, abs=0.2)


# 版记


def test_the_imprint_lists_copies_and_the_printing_office_at_the_bottom_of_the_last_page():
    word = open_docx(a_letter())
    imprint = word.tables[-1]
    copies, printed = (row.cells[0].paragraphs[0] for row in imprint.rows)

    assert copies.text == "抄送：区委办公室，区政府办公室。"
    assert printed.text == f"{OFFICE}\t2026年11月23日印发"
    for run in copies.runs + printed.runs:
        assert east_asian_font(run) == "仿宋_GB2312"
        assert run.font.size.pt == 14
    position = imprint._tbl.tblPr.find(qn("w:tblpPr"))
    assert position.get(qn("w:vertAnchor")) == "margin"
    assert position.get(qn("w:tblpYSpec")) == "bottom"
    borders = imprint._tbl.tblPr.find(qn("w:tblBorders"))
    sizes = {edge: borders.find(qn(f"w:{edge}")).get(qn("w:sz")) for edge in ("top", "bottom", "insideH")}
    assert sizes == {"top": "8", "bottom": "8", "insideH": "6"}  # 0.35 mm outside, 0.25 mm between


def test_the_imprint_can_follow_the_text_instead():
    word = open_docx(a_letter(), DocumentStyle(imprint_at_page_bottom=False))

    assert word.tables[-1]._tbl.tblPr.find(qn("w:tblpPr")) is None


def test_a_document_without_copies_or_printing_office_has_no_imprint():
    word = open_docx(a_letter(body=["正文。"], copy_to=(), printed_by=None))

    assert word.tables == []


# Variants


def test_a_plain_letter_has_no_masthead_and_starts_with_its_title():
    doc = OfficialDocument(
        title="关于报送项目进度的提醒函",
        addressee="王陵街道办事处",
        body=["请于11月25日前报送本旬进度。"],
        signature="区重点办",
        date=DAY,
    )
    word = open_docx(doc)

    assert word.paragraphs[0].text == "关于报送项目进度的提醒函"
    assert not any(is_red(run) for p in word.paragraphs for run in p.runs)
    assert word.paragraphs[0]._p.pPr.find(qn("w:pBdr")) is None
    assert paragraph(word, "请于").runs[0].font.size.pt == 16


def test_a_letter_with_a_number_but_no_masthead_puts_the_number_top_right():
    word = open_docx(a_letter(masthead=None))

    assert word.paragraphs[0].text == "泉重点办〔2026〕12号"
    assert word.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_minutes_put_the_red_line_under_the_masthead_when_there_is_no_number():
    word = open_docx(a_letter(masthead=Masthead("泉山区重点项目推进会", suffix="纪要"), number=None))
    masthead = word.paragraphs[0]

    assert masthead.text == "泉山区重点项目推进会纪要"
    assert masthead.runs[0]._r.rPr.find(qn("w:w")) is None  # short enough to keep its shape
    assert masthead._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:color")) == "FF0000"


def test_a_briefing_has_its_own_red_masthead_issue_editor_and_date():
    doc = a_letter(
        masthead=Briefing("重点项目建设工作通报", issue=12, editor=OFFICE, date=DAY),
        number=None,
        title="全区重点项目11月中旬调度情况",
    )
    word = open_docx(doc)
    texts = [p.text for p in word.paragraphs]

    assert texts[:3] == ["重点项目建设工作通报", "第12期", f"{OFFICE}\t2026年11月23日"]
    assert is_red(word.paragraphs[0].runs[0])
    assert not is_red(word.paragraphs[1].runs[0])
    rule = word.paragraphs[2]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"
    assert texts[3:6] == ["", "", "全区重点项目11月中旬调度情况"]


# What Word needs to open the file


def test_styles_carry_the_east_asian_fonts_too():
    word = open_docx(a_letter())
    styles = word.styles.element

    def fonts_of(style_id):
        style = styles.find(f"{qn('w:style')}[@{qn('w:styleId')}='{style_id}']")
        return style.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia"))

    assert fonts_of("Normal") == "仿宋_GB2312"
    assert fonts_of("GwTitle") == "方正小标宋简体"
    assert fonts_of("GwHeading1") == "黑体"
    assert fonts_of("GwHeading2") == "楷体_GB2312"
    assert word.styles["公文正文"].font.size.pt == 16
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"


# The schema's order of children; Word refuses files whose properties come out of order.
_ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd "
    "tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
    "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
    "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
    "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText "
    "vertAlign rtl cs em lang eastAsianLayout specVanish oMath",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
    "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark",
    "tblBorders": "top left bottom right insideH insideV",
    "pBdr": "top left bottom right between bar",
    "style": "name aliases basedOn next link autoRedefine hidden uiPriority semiHidden unhideWhenUsed qFormat "
    "locked personal personalCompose personalReply rsid pPr rPr tblPr trPr tcPr tblStylePr",
}


def test_every_property_element_lists_its_children_in_schema_order():
    doc = a_letter(
        attachments=[Attachment("清单", body=[Table(["甲"], [["1"]])]), Attachment("表")],
        issuer="李四",
        sealed=True,
        note="此件公开发布",
    )
    word = open_docx(doc)
    section = word.sections[0]
    roots = [word.element, word.styles.element, section.footer._element, section.even_page_footer._element]
    checked = 0
    for root in roots:
        for tag, order in _ORDER.items():
            names = order.split()
            for element in root.iter(qn(f"w:{tag}")):
                children = [child.tag.split("}")[1] for child in element]
                positions = [names.index(name) for name in children]
                assert positions == sorted(positions), f"{tag} children out of order: {children}"
                checked += 1
    assert checked > 100


def test_characters_xml_cannot_hold_are_dropped():
    word = open_docx(a_letter(body=["从表格粘贴\x0b的文字\x01"]))

    assert paragraph(word, "从表格粘贴").text == "从表格粘贴的文字"


def test_the_note_goes_in_brackets_below_the_date():
    word = open_docx(a_letter(note="此件公开发布"))
    texts = [p.text for p in word.paragraphs]

    assert texts[texts.index("2026年11月23日") + 1] == "（此件公开发布）"


def test_the_signature_never_stands_alone_on_a_page():
    word = open_docx(a_letter(body=["第一段。", "最后一段。"], attachments=[Attachment("清单")]))
    texts = [p.text for p in word.paragraphs]
    start = texts.index("附件：清单")

    # The 附件 note, the blank line and the 署名 all keep with the next line, down to the date.
    for p in word.paragraphs[start : texts.index(OFFICE) + 1]:
        assert p.paragraph_format.keep_with_next, p.text
    assert not paragraph(word, "第一段").paragraph_format.keep_with_next


def test_the_package_holds_one_copy_of_the_styles():
    names = zipfile.ZipFile(io.BytesIO(render(a_letter()))).namelist()

    assert "word/styles.xml" in names
    assert "word/stylesWithEffects.xml" not in names
