"""The audit trail to Excel, for the audit administrator (by date range)."""

from django.utils import timezone

from gongjian.core import excel
from gongjian.core.audit import action_label, readable_json

MAX_ROWS = 1_000_000  # an .xlsx sheet holds 1,048,576 rows
FIELDS = (
    "id",
    "occurred_at",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "success",
    "before",
    "after",
    "ip_address",
    "note",
    "seq",
    "hash",
)
COLUMNS = [
    excel.Column("序号", 0, "auto", width=8),
    excel.Column("时间", lambda r: timezone.localtime(r[1]).strftime("%Y-%m-%d %H:%M:%S"), width=19),
    excel.Column("操作人", 2, "auto", width=14),
    excel.Column("操作", lambda r: action_label(r[3], r[4]), "auto", width=14),
    excel.Column("操作代码", 3, "auto", width=16),
    excel.Column("对象类型", 4, "auto", width=16),
    excel.Column("对象编号", 5, "auto", width=16),
    excel.Column("对象", 6, "auto", width=30),
    excel.Column("结果", lambda r: "成功" if r[7] else "失败", width=6),
    excel.Column("修改前", lambda r: readable_json(r[8], indent=None), "auto", width=40),
    excel.Column("修改后", lambda r: readable_json(r[9], indent=None), "auto", width=40),
    excel.Column("IP 地址", lambda r: r[10] or "", "auto", width=15),
    excel.Column("说明", 11, "auto", width=30),
    excel.Column("链序号", lambda r: r[12] if r[12] is not None else "未封存", "auto", width=8),
    excel.Column("摘要", 13, "auto", width=40),
]


def audit_workbook(events, filename: str):
    """``events`` (a query set) as one sheet, oldest first, with each event's place in the hash chain; streamed,
    since a year of events runs to hundreds of thousands of rows."""
    rows = events.order_by("occurred_at", "id").values_list(*FIELDS)[:MAX_ROWS]
    content = excel.workbook(
        excel.Sheet("审计记录", COLUMNS, rows.iterator(chunk_size=5000)), constant_memory=True
    )
    return excel.response(content, filename)
