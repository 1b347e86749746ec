"""What every app shares: the audit trail and a small key-value store of system settings."""

from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils.translation import gettext_lazy as _

from gongjian.core.documents import document_number
from gongjian.core.workdays import WorkCalendar


class AuditEvent(models.Model):
    """One recorded action (审计记录): who did what to which object, when, and the values before and after.

    Written by services, never edited or deleted by the application; only the audit administrator reads it.
    """

    occurred_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text too, so the trail still names a user who was later removed.
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    success = models.BooleanField(_("是否成功"), default=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # The hash chain (core/chain.py), set when the event is sealed right after its transaction commits.
    seq = models.BigIntegerField(_("链序号"), null=True, blank=True, unique=True)
    prev_hash = models.CharField(_("前一记录摘要"), max_length=80, blank=True)
    hash = models.CharField(_("摘要"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-occurred_at", "-id"]
        permissions = [("view_audit_trail", _("查看和导出审计记录"))]
        indexes = [models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"


class AuditChain(models.Model):
    """The head of the audit trail's hash chain (one row): the last sealed event, and the last full check."""

    last_seq = models.BigIntegerField(_("最后序号"), default=0)
    last_hash = models.CharField(_("最后摘要"), max_length=80, default="genesis")
    # The last check of the whole chain (`gongjian audit verify`, or the tick once a day), or a broken window.
    checked_at = models.DateTimeField(_("最近校验时间"), null=True, blank=True)
    checked_through = models.BigIntegerField(_("校验至序号"), null=True, blank=True)
    check_ok = models.BooleanField(_("校验通过"), null=True)
    check_result = models.TextField(_("最近校验结果"), blank=True)
    broken_id = models.BigIntegerField(_("断裂记录"), null=True, blank=True)
    broken_kind = models.CharField(_("断裂类型"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("审计链")
        verbose_name_plural = _("审计链")

    def __str__(self) -> str:
        return f"{self.last_seq} {self.last_hash}"


class SystemSetting(models.Model):
    """A named system setting (系统参数) kept in the database, e.g. the demo accounts shown on the login page."""

    key = models.CharField(_("键"), max_length=100, unique=True)
    value = models.JSONField(_("值"), default=dict)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("系统参数")
        verbose_name_plural = _("系统参数")

    def __str__(self) -> str:
        return self.key

    @classmethod
    def get(cls, key: str, default=None):
        row = cls.objects.filter(key=key).first()
        return default if row is None else row.value


class Notification(models.Model):
    """An in-app message (站内通知) to one user: a reminder, an assignment, an escalation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ClosedPeriod(models.Model):
    """A period whose assessment has been published (封账): what it was measured by may no longer change, so a
    re-baselining cannot take effect from it or before it. Written by the assessment when it publishes."""

    code = models.CharField(_("期别"), max_length=12, unique=True)
    ends_on = models.DateField(_("期末"), db_index=True)
    closed_at = models.DateTimeField(_("封账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已封账期别")
        verbose_name_plural = _("已封账期别")

    def __str__(self) -> str:
        return self.code

    @classmethod
    def close(cls, code: str, ends_on) -> None:
        cls.objects.get_or_create(code=code, defaults={"ends_on": ends_on})

    @classmethod
    def latest_from(cls, start):
        """The last closed period ending on or after ``start`` (its code), or None."""
        return (
            cls.objects.filter(ends_on__gte=start).order_by("-ends_on").values_list("code", flat=True).first()
        )


class CalendarDay(models.Model):
    """A day the official calendar moves (节假日安排): a weekday off (国庆) or a weekend working day (调休).
    Time limits in working days (problems, 督办) count with these."""

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("上班"), help_text=_("勾选：周末调休上班；不勾选：工作日放假。"))
    name = models.CharField(_("说明"), max_length=50, blank=True, help_text=_("如 国庆节、春节调休。"))

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


def work_calendar():
    """The working-day calendar the office has entered."""
    days = list(CalendarDay.objects.values_list("day", "is_workday"))
    return WorkCalendar(
        holidays=frozenset(d for d, work in days if not work),
        workdays=frozenset(d for d, work in days if work),
    )


class DocumentCounter(models.Model):
    """The last serial issued for a document prefix in a year (发文字号): numbers never repeat or go back."""

    prefix = models.CharField(_("机关代字"), max_length=30)
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用至"), default=0)

    class Meta:
        verbose_name = _("发文编号")
        verbose_name_plural = _("发文编号")
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="one_counter_per_prefix_year")]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.last}号"


def _counter_for_update(prefix: str, year: int, floor: Callable[[], int] | None) -> DocumentCounter:
    """The counter row, locked until the transaction ends; made the first time, starting after ``floor()`` (the
    highest number already used by records made before the counter existed)."""
    counter = DocumentCounter.objects.select_for_update().filter(prefix=prefix, year=year).first()
    if counter is not None:
        return counter
    try:
        with transaction.atomic():
            return DocumentCounter.objects.create(prefix=prefix, year=year, last=floor() if floor else 0)
    except IntegrityError:  # created by another request a moment ago
        return DocumentCounter.objects.select_for_update().get(prefix=prefix, year=year)


def next_serial(prefix: str, year: int, *, count: int = 1, floor: Callable[[], int] | None = None) -> int:
    """The next number of ``prefix``'s yearly counter, or the first of ``count`` consecutive ones (never repeated,
    one locked row: O(1) whatever the year holds); call inside the transaction that records what it numbers, so
    a rolled-back one gives its numbers back."""
    # One statement moves the counter and locks its row to the end of the transaction: everyone numbering the
    # same year queues on that row from here to their commit, so it is taken in one round trip (issue 14).
    if connection.features.can_return_columns_from_insert:  # RETURNING: PostgreSQL, SQLite 3.35+
        table = connection.ops.quote_name(DocumentCounter._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last = last + %s WHERE prefix = %s AND year = %s RETURNING last",
                [count, prefix, year],
            )
            row = cursor.fetchone()
        if row is not None:
            return row[0] - count + 1
    with transaction.atomic():  # the year's first number: the counter is made
        counter = _counter_for_update(prefix, year, floor)
        first = counter.last + 1
        counter.last += count
        counter.save(update_fields=["last"])
        return first


def raise_serial(prefix: str, year: int, at_least: int, *, floor: Callable[[], int] | None = None) -> None:
    """Move the counter up to ``at_least`` when a record took that number by hand (a code typed or imported), so
    the counter never hands it out again."""
    with transaction.atomic():
        counter = _counter_for_update(prefix, year, floor)
        if counter.last < at_least:
            counter.last = at_least
            counter.save(update_fields=["last"])


def peek_serial(prefix: str, year: int, *, floor: Callable[[], int] | None = None) -> int:
    """The number :func:`next_serial` would give now, for a preview; reserves nothing."""
    last = DocumentCounter.objects.filter(prefix=prefix, year=year).values_list("last", flat=True).first()
    return (last if last is not None else (floor() if floor else 0)) + 1


def issue_document_number(prefix: str, year: int) -> str:
    """The next 发文字号 of ``prefix`` in ``year``, e.g. 泉重点办〔2026〕13号 (see :func:`next_serial`)."""
    return document_number(prefix, year, next_serial(prefix, year))
