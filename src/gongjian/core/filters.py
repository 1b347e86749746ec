import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongjian.core.models import AuditEvent


class AuditEventFilterSet(django_filters.FilterSet):
    actor = django_filters.CharFilter(label=_("操作人账号"), field_name="actor_name", lookup_expr="icontains")
    action = django_filters.CharFilter(label=_("操作"), field_name="action", lookup_expr="startswith")
    object_type = django_filters.CharFilter(
        label=_("对象类型"), field_name="object_type", lookup_expr="icontains"
    )
    q = django_filters.CharFilter(label=_("对象"), method="search")
    since = django_filters.DateFilter(label=_("起始日期"), field_name="occurred_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("截止日期"), field_name="occurred_at", lookup_expr="date__lte")
    # A yes/no filter's empty choice is 全部 too (Django's select of a yes/no field offers 未知).
    success = django_filters.BooleanFilter(
        label=_("是否成功"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("成功")), ("false", _("失败"))]),
    )

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object_type", "q", "since", "until", "success"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(object_repr__icontains=value) | Q(object_id=value)) if value else queryset
