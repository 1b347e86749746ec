import datetime as dt

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.core.forms import QuickSelect
from gongjian.core.periods import Period
from gongjian.org.choices import UnitKind
from gongjian.org.models import Person, Region, Unit
from gongjian.projects.choices import Batch, Category, Level, MilestoneKind, Nature
from gongjian.projects.models import Milestone, Project

STATES = [("active", _("在库")), ("archived", _("已出库"))]
# The light colours as lights.choices.Colour has them (that app sits above this one).
LIGHTS = [(0, _("绿灯")), (1, _("黄灯")), (2, _("红灯"))]


def validate_period_code(value: str) -> None:
    try:
        period = Period.parse(value)
    except ValueError:
        period = None
    if period is None or period.month is None:
        raise ValidationError(_("期别格式如 2026-11-3（11月下旬）或 2026-11（11月）。"))


SORTABLE = {
    "code": "code",
    "name": "name",
    "category": "category",
    "nature": "nature",
    "level": "level",
    "unit": "responsible_unit__name",
    "total": "total_investment",
    "plan": "plan_total",
    "start": "planned_start",
    "region": "region__code",
}


class ProjectFilterSet(django_filters.FilterSet):
    """The project list's filters; the HTML list, the Excel export and the API all use this one."""

    q = django_filters.CharFilter(label=_("搜索"), method="search")
    category = django_filters.ChoiceFilter(label=_("项目类别"), choices=Category.choices)
    nature = django_filters.ChoiceFilter(label=_("建设性质"), choices=Nature.choices)
    level = django_filters.ChoiceFilter(label=_("项目级别"), choices=Level.choices)
    batch = django_filters.ChoiceFilter(label=_("四个一批"), choices=Batch.choices)
    unit = django_filters.ModelChoiceFilter(
        label=_("责任单位"),
        field_name="responsible_unit",
        queryset=Unit.objects.exclude(kind__in=["enterprise", "soe"]).only("name"),
        widget=QuickSelect,
    )
    headquarters = django_filters.ModelChoiceFilter(
        label=_("指挥部"),
        queryset=Unit.objects.filter(kind=UnitKind.HEADQUARTERS).only("name"),
        widget=QuickSelect,
    )
    leader = django_filters.ModelChoiceFilter(
        label=_("包挂领导"),
        method="by_leader",
        queryset=Person.objects.exclude(leadership_body="").only("name", "post"),
        widget=QuickSelect,
    )
    region = django_filters.ModelChoiceFilter(
        label=_("所在区划"),
        method="by_region",
        queryset=Region.objects.filter(level__in=["prefecture", "county", "township"]).only("name", "path"),
        widget=QuickSelect,
    )
    park = django_filters.ModelChoiceFilter(
        label=_("所属园区"),
        queryset=Unit.objects.filter(kind=UnitKind.PARK).only("name"),
        widget=QuickSelect,
    )
    year = django_filters.NumberFilter(label=_("入库年度"))
    state = django_filters.ChoiceFilter(
        label=_("在库状态"), choices=STATES, method="by_state", empty_label=_("全部")
    )
    # The cockpit's figures open this list filtered as they were counted: the plan of a year without narrowing
    # the year of entry, the projects lit a colour in a period, those with a milestone due within some days.
    plan_year = django_filters.NumberFilter(
        label=_("计划年度"), method="keep", min_value=2000, max_value=2100
    )
    light = django_filters.ChoiceFilter(
        label=_("灯色"), choices=LIGHTS, method="by_light", empty_label=_("全部")
    )
    light_period = django_filters.CharFilter(
        label=_("亮灯期别"),
        method="keep",
        validators=[validate_period_code],
    )
    milestone = django_filters.ChoiceFilter(
        label=_("节点类型"), choices=MilestoneKind.choices, method="by_milestone", empty_label=_("全部")
    )
    due_within = django_filters.NumberFilter(
        label=_("节点到期天数内"), method="keep", min_value=0, max_value=366
    )
    sort = django_filters.CharFilter(label=_("排序"), method="order")

    class Meta:
        model = Project
        fields = [
            "q",
            "category",
            "nature",
            "level",
            "batch",
            "unit",
            "headquarters",
            "leader",
            "region",
            "park",
            "year",
            "state",
            "plan_year",
            "light",
            "light_period",
            "milestone",
            "due_within",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(code__icontains=value)
            | Q(national_code__icontains=value)
            | Q(location__icontains=value)
            | Q(owner__name__icontains=value)
        )

    def keep(self, queryset, name, value):
        """A parameter read by another filter (or by the plan's year), not a filter of its own."""
        return queryset

    def by_state(self, queryset, name, value):
        return queryset.filter(is_archived=value == "archived") if value else queryset

    def by_light(self, queryset, name, value):
        """Projects lit ``value`` in ``light_period`` (this ten-day period when not given)."""
        if value in (None, ""):
            return queryset
        code = self.form.cleaned_data.get("light_period") or Period.dekad_of(timezone.localdate()).code
        return queryset.filter(lights__period_code=Period.parse(code).code, lights__colour=int(value))

    def by_milestone(self, queryset, name, value):
        """Projects with a ``value`` milestone not yet reached and planned from today to ``due_within`` days
        ahead (30 when not given)."""
        if not value:
            return queryset
        days = self.form.cleaned_data.get("due_within")
        today = timezone.localdate()
        last = today + dt.timedelta(days=int(30 if days is None else days))
        return queryset.filter(
            pk__in=Milestone.objects.filter(
                kind=value, actual_date__isnull=True, planned_date__gte=today, planned_date__lte=last
            ).values("project_id")
        )

    def by_leader(self, queryset, name, person):
        return queryset.filter(leader_links__person=person) if person else queryset

    def by_region(self, queryset, name, region):
        return queryset.filter(region__path__startswith=region.path) if region else queryset

    def order(self, queryset, name, value):
        field = SORTABLE.get(value.lstrip("-"))
        if not field:
            return queryset
        prefix = "-" if value.startswith("-") else ""
        return queryset.order_by(f"{prefix}{field}", "code")


def filter_projects(user, data):
    """``user``'s projects filtered and sorted as ``data`` (the list page's query string) says, each with the
    plan of the year it names (this year when none): (filterset, queryset, year). The list page, its export and
    the export's background job run this same query."""
    try:
        year = int(data.get("plan_year") or data.get("year") or timezone.localdate().year)
        if not 2000 <= year <= 2100:
            raise ValueError(year)
    except ValueError:
        year = timezone.localdate().year
    queryset = (
        Project.objects.in_scope(user)
        .with_plan(year)
        .select_related("responsible_unit", "region", "park", "headquarters")
    )
    filterset = ProjectFilterSet(data or None, queryset=queryset)
    return filterset, (filterset.qs if filterset.is_bound and filterset.is_valid() else queryset), year


# The project filters that lists of other things (cases, a period's filing) also take, so that a cockpit figure
# opens its list filtered as it was counted.
PROJECT_FILTERS = ("region", "park", "category", "level")


def narrow(data, queryset):
    """``queryset`` (projects) narrowed by the region, park, category and level in ``data``, and those filters
    in words (``所在区划：城关街道``) for the list to say it is narrowed; an invalid value matches nothing."""
    wanted = {k: data[k] for k in PROJECT_FILTERS if data.get(k)}
    if not wanted:
        return queryset, []
    filterset = ProjectFilterSet(wanted, queryset=queryset)
    if not filterset.is_valid():
        return queryset.none(), [_("筛选条件无效")]
    words = []
    for name in PROJECT_FILTERS:
        value = filterset.form.cleaned_data.get(name)
        if value:
            field = filterset.form.fields[name]
            label = value.name if hasattr(value, "pk") else dict(field.choices).get(value, value)
            words.append(f"{field.label}：{label}")
    return filterset.qs, words
