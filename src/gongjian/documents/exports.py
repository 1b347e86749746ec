"""Briefings and minutes as official documents (GB/T 9704 .docx)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from gongjian.core import documents as doc
from gongjian.documents.choices import DocumentKind, DocumentState
from gongjian.documents.models import Document


def build(row: Document, *, number: str = "", issue: int | None = None, on=None) -> doc.OfficialDocument:
    """The official document of ``row``: a briefing under the 工作通报 masthead with its issue, minutes under the
    organ's 纪要 masthead with the number."""
    on = on or timezone.localdate()
    body: list[doc.Block] = []
    for section in row.sections:
        body.append(doc.Heading(section["heading"]))
        body.extend(doc.Paragraph(line) for line in section["text"].splitlines() if line.strip())
        table = section.get("table")
        if table and table["rows"]:
            numeric = table.get("numeric") or [False] * len(table["columns"])
            body.append(
                doc.Table(
                    columns=[
                        doc.Column(title, numeric=flag)
                        for title, flag in zip(table["columns"], numeric, strict=True)
                    ],
                    rows=[[str(v) for v in r] for r in table["rows"]],
                    font_size=12,
                )
            )
    organ = settings.GONGJIAN_ORGAN
    if row.kind == DocumentKind.BRIEFING:
        masthead: doc.Masthead | doc.Briefing = doc.Briefing(
            name="重点项目建设调度通报", issue=issue or "", editor=organ, date=on
        )
        return doc.OfficialDocument(
            title=row.title, masthead=masthead, body=body, printed_by=organ, printed_on=on
        )
    return doc.OfficialDocument(
        title=row.title,
        masthead=doc.Masthead(organ, suffix="纪要"),
        number=number or None,
        body=body,
        signature=organ,
        date=on,
        printed_by=organ,
        printed_on=on,
    )


def docx(row: Document) -> bytes:
    """The issued .docx as issued, or a draft's preview (unnumbered)."""
    if row.state == DocumentState.ISSUED and row.content:
        return bytes(row.content)
    return doc.render(build(row))
