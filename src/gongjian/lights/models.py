"""Traffic lights (红绿灯) and the cases that handle them (督办件).

Every project is lit every period by the rules in :mod:`gongjian.lights.rules`, whose thresholds the project
office edits in the admin (:class:`LightRule`); each change publishes a new :class:`RuleVersion` and every light
records the version that produced it. A red light opens a case (:class:`Case`) for the responsible unit; a problem
raised in an approved report opens one for the unit asked to solve it. Cases climb a ladder when unhandled.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjian.lights import rules
from gongjian.lights.choices import CaseKind, CaseState, Colour, Dimension, EventKind, Level
from gongjian.org.models import Person, Unit
from gongjian.projects.choices import Category
from gongjian.projects.models import Project


class RuleVersion(models.Model):
    """One published set of light rules (a snapshot of every :class:`LightRule`)."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    rules = models.JSONField(_("规则"))
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("亮灯规则版本")
        verbose_name_plural = _("亮灯规则版本")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"v{self.number}"

    def ruleset(self) -> rules.RuleSet:
        return rules.RuleSet.from_dict(self.rules | {"version": self.number})


PARAM_HELP = {
    Dimension.INVESTMENT: "green_from_percent（默认 90）、yellow_from_percent（默认 70）",
    Dimension.MILESTONE: "yellow_after_days（默认 0）、red_after_days（默认 30）",
    Dimension.MISSING: "yellow_from（默认 1）、red_from（默认 2）",
    Dimension.PROBLEM: "yellow_from_workdays（默认 0）、red_from_workdays（默认 10）",
    Dimension.START: "red_from_months_after（默认 1）",
}


class LightRule(models.Model):
    """A rule as the office edits it: a dimension, the categories it is for (none: all), and its thresholds."""

    dimension = models.CharField(_("维度"), max_length=20, choices=Dimension.choices)
    categories = models.JSONField(
        _("适用项目类别"),
        default=list,
        blank=True,
        help_text=_('项目类别代码列表，如 ["industry"]；留空适用于全部类别（未单独设规则的）。'),
    )
    enabled = models.BooleanField(_("启用"), default=True)
    params = models.JSONField(
        _("阈值"),
        default=dict,
        blank=True,
        help_text=_(
            "投资：green_from_percent、yellow_from_percent；节点：yellow_after_days、red_after_days；"
            "未报：yellow_from、red_from；问题：yellow_from_workdays、red_from_workdays；开工：red_from_months_after。"
            "留空取默认值。"
        ),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("亮灯规则")
        verbose_name_plural = _("亮灯规则")
        ordering = ["dimension", "id"]

    def __str__(self) -> str:
        scope = "、".join(self.categories) if self.categories else _("全部类别")
        return f"{self.get_dimension_display()}（{scope}）"

    def as_rule(self) -> rules.Rule:
        return rules.Rule.from_dict(
            {
                "kind": self.dimension,
                "categories": list(self.categories or []),
                "enabled": self.enabled,
                **(self.params or {}),
            }
        )

    def clean(self) -> None:
        if not isinstance(self.categories, list) or not all(isinstance(c, str) for c in self.categories):
            raise ValidationError({"categories": _("应为类别代码的列表。")})
        unknown = set(self.categories) - set(Category.values)
        if unknown:
            raise ValidationError(
                {
                    "categories": _("未知的项目类别：%(c)s（可选：%(all)s）")
                    % {"c": "、".join(sorted(unknown)), "all": "、".join(Category.values)}
                }
            )
        try:
            self.as_rule()
        except (TypeError, ValueError) as exc:
            raise ValidationError({"params": f"{exc}（{PARAM_HELP.get(self.dimension, '')}）"}) from None


class Light(models.Model):
    """A project's computed light for one period, with its reasons in words and the facts it was judged on, from
    which the figures behind the reasons are written on demand (:attr:`figures`)."""

    # No index of its own: the (project, period) constraint's index starts with the project. No foreign key in the
    # database either: it would check each of a project's 36 lights at commit, taking a lock on the project each
    # time, most of a recompute's time after the writing itself. The recompute takes that lock once a project
    # instead (services._hold_projects), and deleting a project deletes its lights (Django's cascade).
    project = models.ForeignKey(
        Project,
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="lights",
        db_index=False,
        db_constraint=False,
    )
    period_code = models.CharField(_("期别"), max_length=12)
    colour = models.PositiveSmallIntegerField(_("灯色"), choices=Colour.choices)
    # The colour of each dimension, null where it is not judged for the project (see :attr:`dimensions`).
    investment_colour = models.PositiveSmallIntegerField(
        Dimension.INVESTMENT.label, choices=Colour.choices, null=True, blank=True
    )
    milestone_colour = models.PositiveSmallIntegerField(
        Dimension.MILESTONE.label, choices=Colour.choices, null=True, blank=True
    )
    missing_colour = models.PositiveSmallIntegerField(
        Dimension.MISSING.label, choices=Colour.choices, null=True, blank=True
    )
    problem_colour = models.PositiveSmallIntegerField(
        Dimension.PROBLEM.label, choices=Colour.choices, null=True, blank=True
    )
    start_colour = models.PositiveSmallIntegerField(
        Dimension.START.label, choices=Colour.choices, null=True, blank=True
    )
    reasons = models.JSONField(_("原因"), default=list)
    # What the light was judged on (rules.FACTS), each null where its dimension is not judged. Kept instead of the
    # figures themselves (580 of a light's 975 bytes as JSON, most of a recompute's time in the database): the
    # figures are written from these when a light is shown. The investment columns are also what the cockpit sums
    # from an index.
    as_of = models.DateField(_("判定日期"))
    plan_to_date = models.BigIntegerField(_("序时计划（元）"), null=True, blank=True, editable=False)
    done_to_date = models.BigIntegerField(_("本年累计完成（元）"), null=True, blank=True, editable=False)
    milestones_overdue = models.PositiveSmallIntegerField(_("逾期节点数"), null=True, blank=True)
    # null, not "": no milestone is overdue (the engine's null, which the figures show as such)
    milestone_label = models.TextField(_("最早逾期节点"), null=True, blank=True)  # noqa: DJ001
    milestone_planned = models.DateField(_("最早逾期节点计划日期"), null=True, blank=True)
    missed_in_a_row = models.PositiveSmallIntegerField(_("连续未报期数"), null=True, blank=True)
    problems_overdue = models.PositiveSmallIntegerField(_("逾期问题数"), null=True, blank=True)
    problem_description = models.TextField(_("最早逾期问题"), null=True, blank=True)  # noqa: DJ001
    problem_deadline = models.DateField(_("最早逾期问题解决期限"), null=True, blank=True)
    problem_workdays = models.IntegerField(_("问题逾期工作日"), null=True, blank=True)
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工"), null=True, blank=True)
    start_red_from = models.DateField(_("未开工亮红灯起始日"), null=True, blank=True)
    # The project's baseline (基准) the light measured against: the plan and milestone dates then in force.
    baseline = models.PositiveIntegerField(_("基准版本"), default=1)
    rule_version = models.PositiveIntegerField(_("规则版本"))
    computed_at = models.DateTimeField(_("计算时间"))
    # A hash of everything above but the time: a recompute rewrites only the lights whose digest changed.
    digest = models.CharField(max_length=16, editable=False)

    class Meta:
        verbose_name = _("项目亮灯")
        verbose_name_plural = _("项目亮灯")
        constraints = [
            # Also the cockpit's figures of some projects (a filter, a scope): their lights by period with colour
            # and investment, from this index alone (PostgreSQL keeps the included columns in it).
            models.UniqueConstraint(
                fields=["project", "period_code"],
                include=["colour", "plan_to_date", "done_to_date"],
                name="one_light_per_period",
            )
        ]
        indexes = [
            # The board: counts by period and colour, and its list worst first, read from this index alone; the
            # cockpit's investment of every project summed from it too.
            models.Index(
                fields=["period_code", "-colour", "project", "plan_to_date", "done_to_date"],
                name="light_period_colour",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.period_code} {self.get_colour_display()}"

    @property
    def dimensions(self) -> dict[str, int | None]:
        """The colour of each dimension by its name (``{"investment": 2, "milestone": 0, …}``), None where not
        judged."""
        return {name: getattr(self, field) for name, field in DIMENSION_FIELDS.items()}

    @property
    def figures(self) -> dict[str, Any]:
        """The figures behind each judged dimension (None where not judged), written from the facts the light
        was judged on: the same the engine gave when it lit it."""
        return figures_of({name: getattr(self, name) for name in FIGURE_FIELDS})


#: The field keeping each dimension's colour.
DIMENSION_FIELDS: dict[str, str] = {d.value: f"{d.value}_colour" for d in rules.DIMENSIONS}
#: What a light's :func:`figures_of` reads: its dimension colours and facts.
FIGURE_FIELDS: list[str] = [*DIMENSION_FIELDS.values(), *rules.FACTS]


def dimensions_of(row: Mapping[str, Any]) -> dict[str, int | None]:
    """A light's dimension colours by dimension, from a ``values()`` row of its fields."""
    return {name: row[field] for name, field in DIMENSION_FIELDS.items()}


def figures_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """A light's figures from its :data:`FIGURE_FIELDS` (a ``values()`` row, or the light's own values)."""
    return rules.figures_of([dimensions_of(row) | {name: row[name] for name in rules.FACTS}])[0]


class BoardVersion(models.Model):
    """How often what the board (红绿灯看板) shows has changed, in one row: ``lights`` moves with every light and
    judgement written, ``registry`` with every change of the projects and the organisation behind the board's
    groups, names and scopes. A board answer is the same for one user as long as both stand still, which is what
    its ETag and the board's kept figures rest on."""

    lights = models.PositiveBigIntegerField(default=0)
    registry = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("看板版本")
        verbose_name_plural = _("看板版本")

    def __str__(self) -> str:
        return f"{self.lights}.{self.registry}"


class BoardSummary(models.Model):
    """The board's figures of one period for those who see every project (红绿灯看板汇总): the totals by colour,
    the counts of every grouping and the judgements that differ, computed when the period's lights are written
    and read as one row; a row computed before the registry last changed (``registry``) is not read."""

    period_code = models.CharField(_("期别"), max_length=12, unique=True)
    registry = models.PositiveBigIntegerField()
    figures = models.JSONField(_("数据"))
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("看板汇总")
        verbose_name_plural = _("看板汇总")

    def __str__(self) -> str:
        return self.period_code


class Judgement(models.Model):
    """A leader's judgement light (研判) beside the computed one, with the reason; the gap is a signal."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="judgements"
    )
    period_code = models.CharField(_("期别"), max_length=12)
    colour = models.PositiveSmallIntegerField(_("研判灯色"), choices=Colour.choices)
    reason = models.TextField(_("研判理由"))
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("研判人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    judged_at = models.DateTimeField(_("研判时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("领导研判")
        verbose_name_plural = _("领导研判")
        constraints = [
            models.UniqueConstraint(fields=["project", "period_code"], name="one_judgement_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.period_code} {self.get_colour_display()}"


class Case(models.Model):
    """A case to handle (督办件): opened by a red light, by a problem in an approved report or by a decision of a
    dispatch meeting (gongjian.meetings), owned by the unit
    that must solve it, climbing the ladder (unit → supervising leader → headquarters → principal leaders) when
    its deadline passes. Closing needs evidence and the reviewer's acceptance (销号)."""

    kind = models.CharField(_("类型"), max_length=10, choices=CaseKind.choices)
    number = models.CharField(_("督办编号"), max_length=30, unique=True)
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), null=True, blank=True, on_delete=models.CASCADE, related_name="cases"
    )  # none for a meeting's decision about no one project
    light = models.ForeignKey(
        Light,
        verbose_name=_("触发亮灯"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    problem = models.OneToOneField(
        "reports.Problem",
        verbose_name=_("协调问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case",
    )
    # the unit that raised a problem and confirms its solution, when it is not the project's responsible unit (a
    # service team's daily report, gongjian.daily)
    raised_by = models.ForeignKey(
        Unit,
        verbose_name=_("提出单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="raised_cases",
    )
    period_code = models.CharField(_("立案期别"), max_length=12)
    title = models.CharField(_("事项"), max_length=300)
    reasons = models.JSONField(_("立案原因"), default=list)
    owner = models.ForeignKey(
        Unit, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="cases"
    )
    supervisor = models.ForeignKey(
        Person,
        verbose_name=_("督办领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_cases",
    )
    level = models.CharField(_("督办层级"), max_length=16, choices=Level.choices, default=Level.UNIT)
    state = models.CharField(
        _("状态"), max_length=10, choices=CaseState.choices, default=CaseState.NEW, db_index=True
    )
    deadline = models.DateField(_("办理时限"))
    opened_at = models.DateTimeField(_("立案时间"))
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    last_action_at = models.DateTimeField(_("最近处置时间"))
    last_reminded_at = models.DateTimeField(_("最近催办时间"), null=True, blank=True)
    resolution = models.TextField(_("办理结果"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("督办件")
        verbose_name_plural = _("督办件")
        ordering = ["-opened_at", "-id"]
        permissions = [("handle_case", _("办理督办件")), ("close_case", _("督办件销号与升级"))]
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def about(self) -> str:
        """What the case is about, for letters and lists: the project's name, or nothing."""
        return self.project.name if self.project_id else ""

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED


def _evidence_path(event: CaseEvent, filename: str) -> str:
    return f"cases/{event.case.number}/{filename}"


class CaseEvent(models.Model):
    """One step in a case's history, shown to everyone on it: opened, accepted, an action, resolved with its
    evidence, closed or reopened, climbed or passed up (with the reason), reminded."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("环节"), max_length=12, choices=EventKind.choices)
    text = models.TextField(_("内容"), blank=True)
    level = models.CharField(_("当时层级"), max_length=16, choices=Level.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("经办人"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"))
    evidence = models.FileField(_("佐证材料"), upload_to=_evidence_path, max_length=200, blank=True)
    evidence_name = models.CharField(_("材料名称"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("督办环节")
        verbose_name_plural = _("督办环节")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"
