"""The audit trail to Excel, for the audit administrator (by date range)."""


from django.utils import timezone

from gongjian.core.audit import action_label, readable_json
from gongjian.core.excel import Export

COLUMNS = ["序号", "时间", "操作人", "操作", "操作代码", "对象类型", "对象编号", "对象", "结果", "修改前", "修改后",
           "IP 地址", "说明", "链序号", "摘要"]
MAX_ROWS = 1_000_000  # an .xlsx sheet holds 1,048,576 rows


def audit_workbook(events, filename: str):
    """``events`` (a query set) as one sheet, oldest first, with each event's place in the hash chain."""
    export = Export("审计记录", COLUMNS)
    text = export.format(text_wrap=False)
    rows = events.order_by("occurred_at", "id").values_list(
        "id", "occurred_at", "actor_name", "action", "object_type", "object_id", "object_repr", "success",
        "before", "after", "ip_address", "note", "seq", "hash")[:MAX_ROWS]
    for line, row in enumerate(rows.iterator(chunk_size=5000), start=1):
        pk, when, actor, action, otype, oid, orepr, success, before, after, ip, note, seq, digest = row
        export.sheet.write_row(line, 0, [
            pk, timezone.localtime(when).strftime("%Y-%m-%d %H:%M:%S"), actor, action_label(action, otype), action,
            otype, oid, orepr, "成功" if success else "失败",
            readable_json(before, indent=None),
            readable_json(after, indent=None), ip or "", note,
            seq if seq is not None else "未封存", digest], text)
    return export.response(filename, {(0, 0): 8, (1, 1): 19, (2, 3): 14, (4, 6): 16, (7, 7): 30, (8, 8): 6,
                                      (9, 10): 40, (11, 11): 15, (12, 12): 30, (13, 13): 8, (14, 14): 40},
                           freeze=(1, 0))
