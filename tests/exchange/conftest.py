"""A small district to import into, and helpers that build the files people upload."""

import io
from dataclasses import dataclass

import openpyxl
import pytest

from gongjian.org.choices import LeadershipBody, UnitKind
from gongjian.org.models import Person, Region, Unit
from tests.factories import PersonFactory, UnitFactory, credit_code, region

HEADERS = [
    "项目编号",
    "项目名称",
    "项目类别",
    "建设性质",
    "项目级别",
    "入库年度",
    "所在区划代码",
    "所属园区",
    "业主单位",
    "责任单位",
    "指挥部",
    "指挥长",
    "包挂领导",
    "总投资（万元）",
    "3月计划（万元）",
    "4月计划（万元）",
    "计划开工",
    "计划竣工",
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Error reports are files: keep the tests' ones out of the real data directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class District:
    county: Region
    industry: Unit
    commerce: Unit
    park: Unit
    headquarters: Unit
    company: Unit
    leader: Person
    deputy: Person


@pytest.fixture
def district(db) -> District:
    county = region("320311", "泉山区")
    return District(
        county=county,
        industry=UnitFactory(name="区工业和信息化局"),
        commerce=UnitFactory(name="区商务局"),
        park=UnitFactory(name="泉山经济开发区", kind=UnitKind.PARK),
        headquarters=UnitFactory(name="智能装备产业园指挥部", kind=UnitKind.HEADQUARTERS),
        company=UnitFactory(
            name="徐州精工科技有限公司", kind=UnitKind.ENTERPRISE, credit_code=credit_code(1)
        ),
        leader=PersonFactory(name="王强", post="副区长", leadership_body=LeadershipBody.GOVERNMENT),
        deputy=PersonFactory(name="李娜", post="区政协副主席", leadership_body=LeadershipBody.CPPCC),
    )


def project_row(**changes) -> dict:
    """A valid row of the 项目 sheet as a dict by header; ``changes`` replace or add cells by header."""
    row = {
        "项目编号": "",
        "项目名称": "智能装备产业园",
        "项目类别": "工业",
        "建设性质": "新建",
        "项目级别": "区重点",
        "入库年度": 2026,
        "所在区划代码": "320311",
        "所属园区": "泉山经济开发区",
        "业主单位": "徐州精工科技有限公司",
        "责任单位": "区工业和信息化局",
        "指挥部": "智能装备产业园指挥部",
        "指挥长": "王强",
        "包挂领导": "王强、李娜",
        "总投资（万元）": 50000,
        "3月计划（万元）": 1000,
        "4月计划（万元）": 2000.5,
        "计划开工": "2026-03-01",
        "计划竣工": "2027/12/31",
    }
    row.update(changes)
    return row


def workbook(rows: list[dict], *, sheets: dict[str, list[dict]] | None = None) -> io.BytesIO:
    """An .xlsx with a 项目 sheet holding ``rows`` (dicts by header) and any further sheets."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, items in {"项目": rows, **(sheets or {})}.items():
        sheet = book.create_sheet(name)
        headers = list(dict.fromkeys(h for item in items for h in item)) or HEADERS
        sheet.append(headers)
        for item in items:
            sheet.append([item.get(h) for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def csv_bytes(rows: list[dict], encoding: str) -> io.BytesIO:
    headers = list(rows[0])
    lines = [",".join(headers)] + [",".join(str(row[h]) for h in headers) for row in rows]
    return io.BytesIO(("\r\n".join(lines) + "\r\n").encode(encoding))


def read_sheet(data: bytes, name: str = "项目") -> list[dict]:
    """The rows of one sheet of an .xlsx as dicts by header."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]
