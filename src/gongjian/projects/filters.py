import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.core.forms import QuickSelect
from gongjian.org.choices import UnitKind
from gongjian.org.models import Person, Region, Unit
from gongjian.projects.choices import Category, Level, Nature
from gongjian.projects.models import Project

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
    sort = django_filters.CharFilter(label=_("排序"), method="order")

    class Meta:
        model = Project
        fields = [
            "q",
            "category",
            "nature",
            "level",
            "unit",
            "headquarters",
            "leader",
            "region",
            "park",
            "year",
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
        year = int(data.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    queryset = (
        Project.objects.in_scope(user)
        .with_plan(year)
        .select_related("responsible_unit", "region", "park", "headquarters")
    )
    filterset = ProjectFilterSet(data or None, queryset=queryset)
    return filterset, (filterset.qs if filterset.is_bound and filterset.is_valid() else queryset), year
