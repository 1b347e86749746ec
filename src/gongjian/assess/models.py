"""Assessment (考核): scheme versions and the scheme of each year, evaluators' scores, the office's bonus and
penalty items, and the results of each run — scores, ranks, consequences with their explanations — which are
a draft until published and then immutable (a correction is a new, linked revision)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjian.assess import engine
from gongjian.assess import scheme as schemes
from gongjian.core.periods import Period
from gongjian.org.choices import UnitKind
from gongjian.projects.choices import Category


class SubjectKind(models.TextChoices):
    PROJECT = "project", _("项目")
    HEADQUARTERS = "headquarters", _("指挥部")
    UNIT = "unit", _("责任单位")
    LEADER = "leader", _("包挂领导")
    AREA = "area", _("街道/园区")


class ConsequenceKind(models.TextChoices):
    RED_FLAG = "red_flag", _("红旗")
    REWARD = "reward", _("经济奖励")
    YELLOW_CARD = "yellow_card", _("黄牌")
    INTERVIEW = "interview", _("约谈")
    BLACK_CARD = "black_card", _("黑牌")
    PUBLIC_CRITICISM = "public_criticism", _("通报批评")


def indicator_label(key: str) -> str:
    """An indicator's name as the scheme gives it (投资完成, 形象进度, …) for a key of ``Score.points``."""
    try:
        return schemes.IndicatorKind(key).label
    except ValueError:
        return key


def indicator_keys(points: dict) -> list[str]:
    """The keys of ``Score.points`` in the scheme's order of indicators (投资完成, 形象进度, …), whatever order the
    database gives them back in (PostgreSQL's jsonb keeps its keys sorted by length)."""
    order = {kind.value: at for at, kind in enumerate(schemes.IndicatorKind)}
    return sorted(points, key=lambda key: order.get(key, len(order)))


def group_label(group: str) -> str:
    """A ranking group in words: 全部 when all are ranked together, else the projects' category (工业…) or the
    units' kind (部门, 街道, 国有企业…) the scheme groups them by."""
    if group in ("", engine.ALL):
        return str(_("全部"))
    for choices in (Category, UnitKind):
        if group in choices.values:
            return str(choices(group).label)
    return group


class RunState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被修订")


class Scheme(models.Model):
    """One version of an assessment scheme (考核方案), as the engine reads it. Versions are never edited: a
    change, a copy or an import is a new row."""

    name = models.CharField(_("方案名称"), max_length=200)
    version = models.PositiveIntegerField(_("版本"))
    content = models.JSONField(_("方案内容"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="one_scheme_version")]
        permissions = [("run_assessment", _("运行和发布考核"))]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def engine_scheme(self) -> schemes.Scheme:
        return schemes.Scheme.from_dict(self.content)


class SchemeYear(models.Model):
    """The scheme in force for a year (启用)."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("考核方案"), on_delete=models.PROTECT, related_name="years"
    )
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField(_("启用时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("年度考核方案")
        verbose_name_plural = _("年度考核方案")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.scheme}"


class EvaluatorAssignment(models.Model):
    """Who scores whom in the comprehensive evaluation (综合评价打分)."""

    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("打分人"),
        on_delete=models.CASCADE,
        related_name="evaluation_assignments",
    )
    subject_kind = models.CharField(_("考核对象类型"), max_length=16, choices=SubjectKind.choices)
    subject_id = models.PositiveIntegerField(_("考核对象"))

    class Meta:
        verbose_name = _("评价分工")
        verbose_name_plural = _("评价分工")
        constraints = [
            models.UniqueConstraint(fields=["rater", "subject_kind", "subject_id"], name="one_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.rater} → {self.subject_kind} {self.subject_id}"


class Evaluation(models.Model):
    """One rater's comprehensive-evaluation score of one subject for one period (0–100)."""

    period_code = models.CharField(_("期别"), max_length=12)
    subject_kind = models.CharField(_("考核对象类型"), max_length=16, choices=SubjectKind.choices)
    subject_id = models.PositiveIntegerField(_("考核对象"))
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("打分人"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    score = models.DecimalField(_("评分"), max_digits=5, decimal_places=2)
    comment = models.CharField(_("评语"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("评分时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("综合评价")
        verbose_name_plural = _("综合评价")
        constraints = [
            models.UniqueConstraint(
                fields=["period_code", "subject_kind", "subject_id", "rater"], name="one_evaluation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_code} {self.subject_kind} {self.subject_id}: {self.score}"


class Adjustment(models.Model):
    """A bonus or penalty item the office enters with its reason (加减分: +3 praised by the city …)."""

    period_code = models.CharField(_("期别"), max_length=12)
    subject_kind = models.CharField(_("考核对象类型"), max_length=16, choices=SubjectKind.choices)
    subject_id = models.PositiveIntegerField(_("考核对象"))
    points = models.DecimalField(_("加减分"), max_digits=6, decimal_places=2)
    reason = models.CharField(_("事由"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("加减分事项")
        verbose_name_plural = _("加减分事项")
        ordering = ["period_code", "id"]

    def __str__(self) -> str:
        return f"{self.period_code} {self.points:+} {self.reason}"


class Run(models.Model):
    """The assessment of one period by one scheme version: a draft until published; published results never
    change — a correction is a new revision that supersedes it, with the reason. A draft computed before the
    period's filing deadline is an early draft (提前试算), kept with the office's reason."""

    period_code = models.CharField(_("期别"), max_length=12, db_index=True)
    period_kind = models.CharField(_("期别类型"), max_length=10)
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("考核方案"), on_delete=models.PROTECT, related_name="runs"
    )
    revision = models.PositiveIntegerField(_("修订号"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("修订自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    reason = models.CharField(_("修订原因"), max_length=300, blank=True)
    # 提前试算: the office assessed the period before its filing deadline, and why; such a draft is not published.
    early_reason = models.CharField(_("提前试算原因"), max_length=300, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=RunState.choices, default=RunState.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("计算时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    notice_number = models.CharField(_("通报文号"), max_length=40, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["-period_code", "-revision"]
        constraints = [models.UniqueConstraint(fields=["period_code", "revision"], name="one_run_revision")]

    def __str__(self) -> str:
        return f"{Period.parse(self.period_code)} 第{self.revision}版 {self.get_state_display()}"

    def is_early(self) -> bool:
        """Whether the office drafted it before the period's filing deadline (提前试算)."""
        return bool(self.early_reason)


class Score(models.Model):
    """A subject's score, rank in its group and points of every indicator, in one run. Its explanation is written
    from the run's figures when someone reads it (``assess.queries.explanation``)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="scores")
    subject_kind = models.CharField(_("考核对象类型"), max_length=16, choices=SubjectKind.choices)
    subject_id = models.PositiveIntegerField(_("考核对象"))
    subject_name = models.CharField(_("考核对象名称"), max_length=200)
    group = models.CharField(_("排名分组"), max_length=60, blank=True)
    score = models.FloatField(_("得分"))
    rank = models.PositiveIntegerField(_("组内名次"))
    group_size = models.PositiveIntegerField(_("组内数"))
    points = models.JSONField(_("各项得分"), default=dict)
    # The explanation as runs before issue 14 kept it, a line per item; empty since (see RunFigures).
    stored_explanation = models.JSONField(_("计分说明"), db_column="explanation", default=list, blank=True)

    class Meta:
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        ordering = ["run", "subject_kind", "group", "rank", "subject_name"]
        indexes = [models.Index(fields=["run", "subject_kind", "rank"])]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.score:.2f} #{self.rank}"

    @property
    def group_label(self) -> str:
        return group_label(self.group)

    def labelled_points(self) -> list[tuple[str, float]]:
        """Each indicator's points with its Chinese name, in the scheme's order."""
        return [(indicator_label(key), self.points[key]) for key in indicator_keys(self.points)]


class RunFigures(models.Model):
    """The figures every score of a run was computed from (计分依据) — each subject's inputs, rates, points and
    the rules it met, as the engine gives them (``engine.Results.figures``, in its layout ``layout``) — kept as
    one compressed Parquet file: a score's explanation is written from them, with the run's scheme, when someone
    reads it, instead of being kept as text with every score."""

    run = models.OneToOneField(Run, on_delete=models.CASCADE, primary_key=True, related_name="figures")
    layout = models.PositiveSmallIntegerField(_("格式"))
    data = models.BinaryField(_("数据"))

    class Meta:
        verbose_name = _("计分依据")
        verbose_name_plural = _("计分依据")

    def __str__(self) -> str:
        return f"{self.run} ({len(self.data)} B)"


class Consequence(models.Model):
    """What follows from a score in a run: red flag, reward, yellow card, interview, black card, criticism."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="consequences")
    subject_kind = models.CharField(_("考核对象类型"), max_length=16, choices=SubjectKind.choices)
    subject_id = models.PositiveIntegerField(_("考核对象"))
    subject_name = models.CharField(_("考核对象名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=ConsequenceKind.choices)
    amount = models.BigIntegerField(_("金额（元）"), default=0)
    reason = models.CharField(_("依据"), max_length=300)

    class Meta:
        verbose_name = _("奖惩结果")
        verbose_name_plural = _("奖惩结果")
        ordering = ["run", "kind", "subject_name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject_name}"


class Interview(models.Model):
    """An interview (约谈) that follows a yellow card: who talked to whom, when, and what they committed to."""

    consequence = models.OneToOneField(
        Consequence,
        verbose_name=_("依据"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interview_record",
    )
    subject_kind = models.CharField(_("考核对象类型"), max_length=16, choices=SubjectKind.choices)
    subject_id = models.PositiveIntegerField(_("考核对象"))
    held_on = models.DateField(_("约谈日期"))
    interviewer = models.CharField(_("约谈人"), max_length=100)
    interviewee = models.CharField(_("被约谈人"), max_length=100)
    content = models.TextField(_("约谈内容"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("约谈记录")
        verbose_name_plural = _("约谈记录")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.interviewee}"


class Commitment(models.Model):
    """A rectification commitment (整改承诺) made in an interview, tracked to its deadline."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="commitments")
    text = models.CharField(_("整改事项"), max_length=300)
    deadline = models.DateField(_("整改时限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    result = models.CharField(_("完成情况"), max_length=300, blank=True)
    reminded_on = models.DateField(_("逾期提醒日期"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("整改承诺")
        verbose_name_plural = _("整改承诺")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.text
