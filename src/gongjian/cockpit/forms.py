"""The cockpit's filters: year, region, park, category and level (全部 when not chosen)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongjian.core.forms import Form
from gongjian.org.choices import UnitKind
from gongjian.org.models import Region, Unit
from gongjian.projects.choices import Category, Level

# The filters the cockpit passes on to the lists behind its figures (the year is its own: the plan's and the
# lights' year, never the projects' year of entry).
PASSED_ON = ("region", "park", "category", "level")


class CockpitFilterForm(Form):
    year = forms.IntegerField(
        label=_("年度"),
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={"invalid": _("请填写四位年份，如 2026。")},
    )
    region = forms.ModelChoiceField(
        label=_("所在区划"),
        required=False,
        empty_label=_("全部"),
        queryset=Region.objects.filter(level__in=["county", "township"]),
    )
    park = forms.ModelChoiceField(
        label=_("所属园区"),
        required=False,
        empty_label=_("全部"),
        queryset=Unit.objects.filter(kind=UnitKind.PARK),
    )
    category = forms.ChoiceField(
        label=_("项目类别"), required=False, choices=[("", _("全部")), *Category.choices]
    )
    level = forms.ChoiceField(label=_("项目级别"), required=False, choices=[("", _("全部")), *Level.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in ("region", "park"):
            self.fields[field].error_messages["invalid_choice"] = _("没有这个选项，请从列表中选择。")
        for field in ("category", "level"):
            self.fields[field].error_messages["invalid_choice"] = _("没有这个选项，请从列表中选择。")

    def year_or_this(self) -> int:
        return self.cleaned_data.get("year") or timezone.localdate().year

    def passed_on(self) -> dict[str, str]:
        """The filters as the lists take them ({name: value} of the chosen ones)."""
        out = {}
        for name in PASSED_ON:
            value = self.cleaned_data.get(name)
            if value:
                out[name] = str(value.pk) if hasattr(value, "pk") else str(value)
        return out
