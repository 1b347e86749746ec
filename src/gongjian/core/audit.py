"""Writing the audit trail. Services call :func:`record` inside their transaction, so an action and its
audit event are saved together or not at all."""

from __future__ import annotations

import atexit
import datetime as dt
import decimal
import ipaddress
import json
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, models, transaction
from django.utils import timezone

from gongjian.core import bulk, chain
from gongjian.core.models import AuditChain, AuditEvent

logger = logging.getLogger(__name__)

_PRIMITIVE = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """Turn a field value into something JSON can hold and a person can read."""
    # Fast paths: most values are primitives, and plans are lists of 36 integers.
    if type(value) in _PRIMITIVE:
        return value
    if type(value) is list and all(type(v) in _PRIMITIVE for v in value):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` (foreign keys as ids), for the before/after of an event."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _plain(getattr(obj, name)) for name in names}


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[dict | None, dict | None]:
    """Keep only the keys whose values differ, so an event shows what changed and nothing else."""
    if before is None or after is None:
        return before, after
    keys = [k for k in after.keys() | before.keys() if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in sorted(keys)}, {k: after.get(k) for k in sorted(keys)}


def build_event(
    action: str,
    *,
    actor=None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    success: bool = True,
    note: str = "",
    ip_address: str | None = None,
    only_changes: bool = True,
) -> AuditEvent:
    """An unsaved audit event, for writers that save many at once with ``bulk_create``."""
    if only_changes:
        before, after = changes(before, after)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    user = actor_or_none(actor)
    return AuditEvent(
        actor=user,
        actor_name=getattr(user, "username", "") or ("system" if actor is None else str(actor)),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        before=_plain(before),
        after=_plain(after),
        success=success,
        note=note,
        ip_address=ip_address,
    )


def actor_or_none(actor):
    """The account behind ``actor`` for a foreign key: None for the command line, a task or an anonymous user."""
    return actor if getattr(actor, "is_authenticated", False) else None


def record(action: str, **kwargs: Any) -> AuditEvent:
    """Save one audit event. ``action`` is a dotted verb such as ``project.update``; see :func:`build_event`."""
    event = build_event(action, **kwargs)
    event.save()
    schedule_seal()
    return event


def record_all(events: list[AuditEvent], *, rows: Iterable[models.Model] = ()) -> None:
    """Save audit events made by :func:`build_event` (in their order) together with the other new ``rows`` of the
    same change (a report's kept revision), in one round trip (core/bulk.py); their ids are not read back."""
    bulk.insert_together([*rows, *events])
    schedule_seal()


# The hash chain (core/chain.py)
#
# Events are written unsealed inside the transaction of the change they record, so writers never wait for one
# another; right after each commit the events committed so far are sealed in id order by whoever holds the chain's
# head row, one sealer at a time. Chain order is seal order: an event committed late gets a later place.

_COVERED = [name for name in chain.FIELDS if name != "prev_hash"] + ["prev_hash", "hash"]


def schedule_seal() -> None:
    """Seal after the current transaction commits (at once outside one); once per transaction."""
    conn = transaction.get_connection()
    if conn.in_atomic_block and any(
        func is _seal_after_commit for _sids, func, _robust in conn.run_on_commit
    ):
        return
    transaction.on_commit(_seal_after_commit, robust=True)


def _seal_after_commit() -> None:
    if _sealer.enabled:
        _sealer.start()  # no-op once running; a worker forked from a preloaded master starts its own
        _sealer.wake()
    else:
        seal()


class _Sealer:
    """The web server's sealer: one thread per process that seals whatever has been committed each time a
    request wakes it, so a request pays for a wake-up, not for a second transaction (issue 11: at most 1 ms per
    filing). Commands, tasks and tests seal right after their commit instead.

    Woken, it waits :data:`SEAL_GATHER_SECONDS` before sealing, so that under load one round seals what many
    commits wrote instead of one round for each (a round is a transaction of its own, five round trips before the
    first event: issue 14 found it costing the server as much as the filing it followed); and it looks whether
    anything is left to seal before taking the chain's head, which another process's sealer may have just done."""

    def __init__(self) -> None:
        self.enabled = False
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def running(self) -> bool:
        return self._thread is not None and self._pid == os.getpid() and self._thread.is_alive()

    def start(self) -> None:
        self.enabled = True
        if self.running():
            return
        self._pid = os.getpid()  # a forked worker starts its own
        self._thread = threading.Thread(target=self._run, name="gongjian-audit-sealer", daemon=True)
        self._thread.start()
        atexit.register(self._last_seal)

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(SEAL_GATHER_SECONDS)
            self._wake.clear()
            try:
                close_old_connections()
                if AuditEvent.objects.filter(seq__isnull=True).exists():
                    seal()
            except Exception:  # the next wake-up (or the tick) seals what this one could not
                logger.exception("sealing the audit trail failed")
                time.sleep(1)

    def _last_seal(self) -> None:
        if self._pid == os.getpid():
            try:
                seal()
            except Exception:
                logger.exception("sealing the audit trail at exit failed")


# How long the background sealer gathers commits before a round: an event is sealed this much later at most (plus
# the round itself); under a burst of filings one round then covers dozens of them.
SEAL_GATHER_SECONDS = 0.1

_sealer = _Sealer()


def seal_in_background() -> None:
    """Called by the WSGI entry point: this process seals in its own thread from now on."""
    _sealer.start()


def _head_for_update() -> AuditChain:
    head = AuditChain.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    # First use (or the row was removed): start from the last sealed event, never from scratch.
    last = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").values("seq", "hash").first()
    try:
        with transaction.atomic():
            return AuditChain.objects.create(
                pk=1, last_seq=last["seq"] if last else 0, last_hash=last["hash"] if last else chain.GENESIS
            )
    except IntegrityError:  # another sealer created it a moment ago
        return AuditChain.objects.select_for_update().get(pk=1)


def _hashable(row: dict[str, Any]) -> dict[str, Any]:
    """A row as read from the database, in the form its hash is taken over (times in UTC, ISO 8601)."""
    row["occurred_at"] = row["occurred_at"].astimezone(dt.UTC).isoformat()
    return row


def seal(batch: int = 2000) -> int:
    """Chain every committed, unsealed event; returns how many. Safe to run at any time and by many at once."""
    algorithm = settings.GONGJIAN_AUDIT_HASH
    sealed = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The events are already durable; a seal lost in a crash is simply made again by the next one, so
                # its commit need not wait for the disk (PostgreSQL-only, like core/bulk.py).
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            head = _head_for_update()
            rows = [
                _hashable(row)
                for row in AuditEvent.objects.filter(seq__isnull=True)
                .order_by("id")
                .values(*_COVERED)[:batch]
            ]
            if not rows:
                return sealed
            done = list(
                chain.seal(rows, last_seq=head.last_seq, last_hash=head.last_hash, algorithm=algorithm)
            )
            table = connection.ops.quote_name(AuditEvent._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
                    [(e["seq"], e["prev_hash"], e["hash"], e["id"]) for e in done],
                )
            head.last_seq, head.last_hash = done[-1]["seq"], done[-1]["hash"]
            head.save(update_fields=["last_seq", "last_hash"])
        sealed += len(done)
        if len(done) < batch:
            return sealed


def _events(queryset) -> Iterator[dict[str, Any]]:
    for row in queryset.values(*_COVERED).iterator(chunk_size=2000):
        yield _hashable(row)


def verify_chain(*, since: dt.datetime | None = None, last: int | None = None) -> chain.Verdict:
    """Check the chain: from its start, from the first event sealed at or after ``since``, or its ``last``
    events, a window being anchored on its predecessor's hash. Read-only: pages may call it."""
    sealed = AuditEvent.objects.filter(seq__isnull=False).order_by("seq")
    prev_seq, prev_hash = 0, chain.GENESIS
    first = None
    if since is not None:
        first = sealed.filter(occurred_at__gte=since).values("seq").first()
    elif last is not None:
        first = sealed.reverse().values("seq")[last - 1 : last].first() or sealed.values("seq").first()
    if since is not None or last is not None:
        if first is None:
            return chain.Verdict(0, None, "", None)
        prev_seq = first["seq"] - 1
        if prev_seq:
            before = AuditEvent.objects.filter(seq=prev_seq).values_list("hash", flat=True).first()
            prev_hash = before or "(missing)"
        sealed = sealed.filter(seq__gte=first["seq"])
    verdict = chain.verify(_events(sealed), prev_seq=prev_seq, prev_hash=prev_hash)
    head = AuditChain.objects.filter(pk=1).values("last_seq", "last_hash").first()
    if verdict.ok and head and verdict.last_seq is not None and head["last_seq"] > verdict.last_seq:
        missing = head["last_seq"] - verdict.last_seq
        last = AuditEvent.objects.filter(seq=verdict.last_seq).values("id", "occurred_at").first() or {}
        problem = f"the chain's head is at {head['last_seq']}: the last {missing} sealed event(s) are missing"
        broken = chain.Break(
            verdict.last_seq, last.get("id", 0), str(last.get("occurred_at", "")), problem, "head"
        )
        return chain.Verdict(verdict.checked, verdict.last_seq, verdict.last_hash, broken)
    return verdict


def unsealed_since(minutes: int = 10) -> int:
    """Events committed more than ``minutes`` ago that are still unsealed (a sealer failed, or rows were inserted
    behind the application's back)."""
    return AuditEvent.objects.filter(
        seq__isnull=True, occurred_at__lt=timezone.now() - dt.timedelta(minutes=minutes)
    ).count()


def check_and_remember(*, since: dt.datetime | None = None) -> chain.Verdict:
    """Seal what is pending and verify; keep the outcome on the chain's head for the auditor's page when the
    whole chain was checked, or when a window was found broken."""
    seal()
    verdict = verify_chain(since=since)
    scope = f"since {since.isoformat()}" if since else "whole chain"
    result = f"{scope}: {verdict.checked} events, " + (
        "intact" if verdict.ok else f"BROKEN at {verdict.broken}"
    )
    if since is None or not verdict.ok:
        broken = verdict.broken
        AuditChain.objects.filter(pk=1).update(
            checked_at=timezone.now(),
            checked_through=verdict.last_seq,
            check_ok=verdict.ok,
            check_result=result,
            broken_id=broken.id if broken else None,
            broken_kind=broken.kind if broken else "",
        )
    if not verdict.ok:
        logger.error("audit chain broken: %s", verdict.broken)
    return verdict


def last_full_check() -> AuditChain | None:
    return AuditChain.objects.filter(pk=1, checked_at__isnull=False).first()


def full_check_due(hours: int = 24) -> bool:
    head = last_full_check()
    return head is None or head.checked_at < timezone.now() - dt.timedelta(hours=hours)


def client_ip(request) -> str | None:
    """The address a request came from: behind the TLS proxy (GONGJIAN_SECURE_PROXY) the last address the proxy
    added to X-Forwarded-For, otherwise the socket's peer. None when it is not an IP address."""
    if request is None:
        return None
    candidate = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and forwarded:
        candidate = forwarded.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


# How the trail reads in Chinese

ACTION_LABELS = {
    "login.success": "登录成功",
    "login.failed": "登录失败",
    "login.locked": "锁定期内尝试登录",
    "login.otp_failed": "动态口令错误",
    "logout": "退出登录",
    "user.unlock": "解锁账号",
    "user.sign_out_all": "强制下线",
    "user.assign_roles": "分配角色",
    "user.create": "新建账号",
    "user.update": "修改账号",
    "password.set": "设置初始密码",
    "password.change": "修改密码",
    "password.reset": "重置密码",
    "otp.enrol": "绑定动态口令",
    "otp.remove": "移除动态口令",
    "otp.recovery_codes": "重新生成恢复码",
    "otp.recovery_used": "使用恢复码登录",
    "api_token.create": "创建接口令牌",
    "api_token.revoke": "吊销接口令牌",
    "api_token.expire": "接口令牌到期",
    "role_policy.update": "修改安全策略",
    "audit.view": "查看审计记录",
    "audit.export": "导出审计记录",
    "audit.verify": "校验审计链",
    "person.create": "新建人员",
    "person.link_account": "人员关联账号",
    "unit.create": "新建单位",
    "project.create": "新建项目",
    "project.update": "修改项目",
    "project.delete": "删除项目",
    "baseline.propose": "提出基准调整申请",
    "baseline.approve": "批准基准调整",
    "baseline.refuse": "不予批准基准调整",
    "baseline.withdraw": "撤回基准调整申请",
    "project.import": "导入项目",
    "project.export": "导出项目",
    "milestone.reach": "节点完成",
    "period.open": "开放填报期",
    "period.remind": "催报",
    "report.create": "填报",
    "report.update": "修改填报",
    "report.submit": "提交报表",
    "report.approve": "审核通过",
    "report.return": "退回报表",
    "report.photo.add": "上传现场照片",
    "report.photo.remove": "删除现场照片",
    "lights.judgement": "研判亮灯",
    "lights.rules.publish": "发布亮灯规则",
    "case.open": "督办件立案",
    "case.accept": "督办件签收",
    "case.act": "督办件办理",
    "case.resolve": "督办件办结",
    "case.close": "督办件销号",
    "case.reopen": "督办件重新打开",
    "case.pass_up": "督办件上交",
    "case.climb": "督办件升级",
    "case.remind": "督办件提醒",
    "case.letter": "印发督办函件",
    "assess.scheme.save": "保存考核方案",
    "assess.scheme.activate": "启用考核方案",
    "assess.run": "考核计算",
    "assess.publish": "发布考核结果",
    "assess.revise": "修订考核结果",
    "assess.notice": "印发考核通报",
    "assess.evaluation": "综合评价打分",
    "assess.interview.create": "记录约谈",
    "assess.commitment.create": "新建整改承诺",
    "assess.commitment.complete": "整改承诺完成",
    # meetings and documents record under the names they had in dispatch: old and new events read alike
    "dispatch.meeting.create": "新建调度会",
    "dispatch.meeting.update": "修改调度会",
    "dispatch.decision.create": "新建交办事项",
    "dispatch.document.draft": "起草公文",
    "dispatch.document.edit": "修改公文",
    "dispatch.document.issue": "印发公文",
    "daily_report.create": "填写工作日报",
    "daily_report.update": "修改工作日报",
    "daily_report.photo.add": "上传日报照片",
    "daily_report.photo.remove": "删除日报照片",
    "daily_task.create": "部署明日任务",
    "assignment.create": "新建交办",
    "assignment.submit": "报送交办材料",
    "assignment.resubmit": "重新报送交办材料",
    "assignment.remind": "交办催报",
    "demo.attraction": "载入演示招商数据",
    "attraction.trip.create": "登记外出招商",
    "attraction.trip.update": "修改外出招商",
    "attraction.lead.create": "登记意向项目",
    "attraction.lead.update": "修改意向项目",
    "attraction.lead.sign": "项目签约",
    "attraction.lead.start": "项目开工",
    "attraction.lead.drop": "终止招商项目",
    "attraction.lead.propose": "招商项目提交项目储备",
    "attraction.lead.registered": "招商项目纳入重点项目库",
    "attraction.lead.stall_remind": "停滞招商项目提醒",
    "attraction.lead.export": "导出意向项目",
    "attraction.step.create": "登记招商跟进",
    "attraction.step.update": "修改招商跟进",
    "attraction.tranche.create": "登记资金到位",
    "attraction.tranche.update": "修改资金到位",
    "attraction.tranche.export": "导出资金到位",
    "attraction.production.record": "登记投产达效",
    "attraction.target.create": "下达招商目标",
    "attraction.target.update": "修改招商目标",
    "attraction.funnel.export": "导出招商五个环节",
    "targets.indicator.create": "新增目标指标",
    "targets.indicator.update": "修改目标指标",
    "targets.target.create": "分解单位目标",
    "targets.target.update": "修改单位目标",
    "targets.contract.create": "起草目标责任书",
    "targets.contract.update": "修改目标责任书",
    "targets.contract.issue": "下达目标责任书",
    "targets.contract.sign": "签订目标责任书",
    "targets.actual.create": "报送目标完成情况",
    "targets.actual.update": "修改目标完成情况",
    "targets.actual.compute": "系统计算目标完成情况",
    "targets.actual.approve": "审核通过目标完成情况",
    "targets.actual.return": "退回目标完成情况",
    "targets.settlement.run": "计算责任状兑现",
    "targets.settlement.recompute": "重新计算责任状兑现",
    "targets.settlement.revise": "修订责任状兑现",
    "targets.settlement.publish": "发布责任状兑现",
    "pipeline.reserve.propose": "提出储备项目",
    "pipeline.reserve.update": "修改储备项目",
    "pipeline.reserve.withdraw": "储备项目退出",
    "pipeline.plan.create": "起草年度重点项目计划",
    "pipeline.plan.add": "储备项目列入计划",
    "pipeline.plan.edit_item": "修改计划项目",
    "pipeline.plan.remove": "移出计划项目",
    "pipeline.plan.issue": "印发年度重点项目计划",
    "pipeline.campaign.create": "新建集中活动",
    "pipeline.campaign.update": "修改集中活动",
    "land.task.create": "新建征迁任务",
    "land.task.update": "修改征迁任务",
    "land.household.create": "登记被征迁户",
    "land.household.update": "修改被征迁户",
    "land.household.move": "调整被征迁户",
    "land.household.read": "查看被征迁户身份信息",
    "land.agreement.create": "起草补偿协议",
    "land.agreement.update": "修改补偿协议",
    "land.agreement.approve": "审核通过补偿协议",
    "land.agreement.refuse": "退回补偿协议",
    "land.agreement.sign": "签订补偿协议",
    "land.standard.save": "保存补偿标准",
    "land.ledger.read": "查看征迁台账",
    "land.ledger.export": "导出征迁台账",
    "land.import": "导入征迁数据",
    "demo.load": "载入演示数据",
    "demo.reset": "重置演示数据",
    "system.backup": "备份",
    "system.restore": "恢复",
}
BREAK_LABELS = {
    "gap": "链序号不连续：其后有记录被删除。",
    "link": "前一记录摘要对不上：记录被删除、调换顺序或插入。",
    "content": "内容与封存时的摘要不一致：记录在封存后被修改。",
    "head": "链头记录的最后序号大于现存记录：最近的记录被删除。",
    "algorithm": "摘要算法无法校验。",
}
VERB_LABELS = {
    "create": "新建",
    "update": "修改",
    "delete": "删除",
    "import": "导入",
    "export": "导出",
    "submit": "提交",
    "approve": "审核通过",
    "return": "退回",
    "publish": "发布",
    "revise": "修订",
    "activate": "启用",
    "save": "保存",
    "issue": "印发",
    "close": "销号",
    "reopen": "重新打开",
}


def action_label(action: str, object_type: str = "") -> str:
    """An action in words: its own label, else the object's name and the verb (``项目 修改``), else the code."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    head, _dot, verb = action.rpartition(".")
    noun = ""
    for label in (object_type, head):
        try:
            noun = str(apps.get_model(label)._meta.verbose_name) if label.count(".") == 1 else ""
        except (LookupError, ValueError):
            noun = ""
        if noun:
            break
    if noun and verb in VERB_LABELS:
        return f"{VERB_LABELS[verb]}{noun}"
    return f"{VERB_LABELS[verb]}（{action}）" if verb in VERB_LABELS else action


def readable_json(value: Any, *, indent: int | None = 1) -> str:
    """A before/after value for a person (Chinese as it is); a lone surrogate shows as ? instead of breaking the
    page or the workbook."""
    if value is None or value == {}:
        return ""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return text.encode("utf-8", errors="replace").decode("utf-8")
