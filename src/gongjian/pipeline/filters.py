import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongjian.core.forms import QuickSelect
from gongjian.org.choices import UnitKind
from gongjian.org.models import Unit
from gongjian.pipeline.choices import Origin, Readiness, ReserveState
from gongjian.pipeline.models import ReserveProject
from gongjian.projects.choices import Batch, Category


class ReserveFilterSet(django_filters.FilterSet):
    """The reserve list's filters; the HTML list, its Excel export and the API use this one."""

    q = django_filters.CharFilter(label=_("搜索"), method="search")
    readiness = django_filters.ChoiceFilter(label=_("前期工作深度"), choices=Readiness.choices)
    category = django_filters.ChoiceFilter(label=_("项目类别"), choices=Category.choices)
    unit = django_filters.ModelChoiceFilter(
        label=_("责任单位"),
        field_name="responsible_unit",
        queryset=Unit.objects.exclude(kind__in=[UnitKind.ENTERPRISE, UnitKind.STATE_ENTERPRISE]).only("name"),
        widget=QuickSelect,
    )
    batch = django_filters.ChoiceFilter(label=_("四个一批"), choices=Batch.choices)
    start_year = django_filters.NumberFilter(label=_("预计开工年度"), min_value=2000, max_value=2100)
    state = django_filters.ChoiceFilter(label=_("状态"), choices=ReserveState.choices)
    origin = django_filters.ChoiceFilter(label=_("项目来源"), choices=Origin.choices)

    class Meta:
        model = ReserveProject
        fields = ["q", "readiness", "category", "unit", "batch", "start_year", "state", "origin"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(investor__icontains=value) | Q(owner__name__icontains=value)
        )
