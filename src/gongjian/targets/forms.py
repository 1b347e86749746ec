"""The forms of the targets' pages: an indicator, a unit's actual of a month, the actuals' import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.core.forms import Form, ModelForm
from gongjian.targets.choices import Category, Direction, Source
from gongjian.targets.models import Indicator


class IndicatorForm(ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "measure", "category", "direction", "source", "source_key", "order", "note"]

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = Category.choices
        self.fields["direction"].choices = Direction.choices
        self.fields["source"].choices = Source.choices
        self.fields["source_key"] = forms.ChoiceField(
            label=_("计算口径"),
            required=False,
            choices=[("", _("（单位填报）"))] + [(s.key, s.label) for s in sources],
        )
        self.fields["order"].required = False


class ActualForm(Form):
    target = forms.TypedChoiceField(label=_("指标"), coerce=int)
    month = forms.TypedChoiceField(
        label=_("月份"), coerce=int, choices=[(m, _("%(m)d月") % {"m": m}) for m in range(1, 13)]
    )
    # 亿元 to the yuan needs eight places; the service keeps four for other measures and whole yuan for money
    value = forms.DecimalField(label=_("本年累计完成（按计量单位）"), max_digits=26, decimal_places=8)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)
    evidence = forms.FileField(label=_("佐证材料"), required=False)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [
            (t.pk, f"{t.indicator.name}（{t.indicator.measure}）") for t in targets
        ]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("完成情况表（.xlsx）"))
