"""The pipeline's forms: fields as a person enters them (money in 万元), turned into what the services take."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongjian.core.forms import Form, ModelForm
from gongjian.core.money import wan_to_yuan, yuan_to_wan
from gongjian.org.choices import UnitKind
from gongjian.org.models import Person, Unit
from gongjian.pipeline.models import Campaign, PlanItem, ReserveProject
from gongjian.projects.choices import ApprovalKind
from gongjian.projects.models import Project

ENTERPRISES = [UnitKind.ENTERPRISE, UnitKind.STATE_ENTERPRISE]


def wan_field(label, required=False):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )


class ReserveForm(ModelForm):
    """Propose or edit a reserve project."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    total_investment = wan_field(_("预计总投资（万元）"), required=True)
    approvals_done = forms.MultipleChoiceField(
        label=_("已办结手续"),
        choices=ApprovalKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ReserveProject
        fields = [
            "name",
            "category",
            "nature",
            "level",
            "batch",
            "region",
            "park",
            "owner",
            "investor",
            "responsible_unit",
            "content",
            "start_year",
            "planned_start",
            "planned_completion",
            "readiness",
        ]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3}),
            "planned_start": forms.DateInput(attrs={"type": "date"}),
            "planned_completion": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["park"].queryset = Unit.objects.filter(kind=UnitKind.PARK)
        self.fields["owner"].queryset = Unit.objects.filter(kind__in=ENTERPRISES)
        self.fields["responsible_unit"].queryset = Unit.objects.exclude(kind__in=ENTERPRISES)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
            self.initial["total_investment"] = yuan_to_wan(self.instance.total_investment)
            self.initial["approvals_done"] = list(self.instance.approvals_done)

    def _post_clean(self):
        # The amount is entered in 万元 and kept in yuan; the model's own checks run in the service.
        pass

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self._meta.fields}
        data["total_investment"] = wan_to_yuan(self.cleaned_data["total_investment"])
        data["approvals_done"] = list(self.cleaned_data.get("approvals_done") or [])
        for name in ("investor", "content", "batch"):
            data[name] = data.get(name) or ""
        return data


class WithdrawForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("退出原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class PlanItemForm(ModelForm):
    """What one listed project's registry baseline will be."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)  # the plan's
    planned_investment = wan_field(_("年度计划投资（万元）"), required=True)
    leaders = forms.ModelMultipleChoiceField(
        label=_("包挂领导"),
        required=False,
        queryset=Person.objects.exclude(leadership_body="").order_by("leadership_body", "name"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("第一位为包挂领导，其余为联系领导。"),
    )

    class Meta:
        model = PlanItem
        fields = ["planned_start", "planned_completion", "level", "responsible_unit", "headquarters"]
        widgets = {
            "planned_start": forms.DateInput(attrs={"type": "date"}),
            "planned_completion": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = Unit.objects.exclude(kind__in=ENTERPRISES)
        self.fields["headquarters"].queryset = Unit.objects.filter(kind=UnitKind.HEADQUARTERS)
        for m in range(12):
            self.fields[f"month_{m}"] = wan_field(_("%(m)s月") % {"m": m + 1})
        item = self.instance
        self.initial.setdefault("version", item.plan.version)
        self.initial["planned_investment"] = yuan_to_wan(item.planned_investment)
        self.initial["leaders"] = [p.pk for p in item.ordered_leaders()]
        for m, amount in enumerate(item.months or []):
            self.initial[f"month_{m}"] = yuan_to_wan(amount)

    def _post_clean(self):
        pass

    def month_fields(self):
        return [self[f"month_{m}"] for m in range(12)]

    def clean(self):
        data = super().clean()
        months = [data.get(f"month_{m}") for m in range(12)]
        data["months"] = [] if all(v is None for v in months) else [wan_to_yuan(v or 0) for v in months]
        return data

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self._meta.fields}
        data["planned_investment"] = wan_to_yuan(self.cleaned_data["planned_investment"])
        data["months"] = self.cleaned_data["months"]
        return data

    def ordered_leaders(self) -> list[Person]:
        """The leaders in the order of the posted ids (a select gives them in the page's order)."""
        chosen = {p.pk: p for p in self.cleaned_data.get("leaders") or []}
        ids = [int(v) for v in self.data.getlist("leaders") if v.isdigit() and int(v) in chosen]
        return [chosen[i] for i in ids]


class CampaignForm(ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Campaign
        fields = ["kind", "name", "held_on", "place", "note"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)

    def _post_clean(self):
        pass


class CampaignItemForm(Form):
    project = forms.ModelChoiceField(
        label=_("库内项目"),
        queryset=Project.objects.filter(is_archived=False).only("code", "name"),
        required=False,
    )
    reserve = forms.ModelChoiceField(
        label=_("储备项目"), queryset=ReserveProject.objects.only("name"), required=False
    )
    amount = wan_field(_("金额（万元）"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("project") and data.get("reserve"):
            raise ValidationError(_("库内项目和储备项目只选一个。"))
        if (data.get("project") or data.get("reserve")) and data.get("amount") is None:
            self.add_error("amount", _("请填写金额。"))
        return data

    def row(self) -> dict | None:
        data = self.cleaned_data
        if not data or not (data.get("project") or data.get("reserve")):
            return None
        return {
            "project": data.get("project"),
            "reserve": data.get("reserve"),
            "amount": wan_to_yuan(data["amount"]),
            "note": data.get("note") or "",
        }


CampaignItemFormSet = forms.formset_factory(CampaignItemForm, extra=3, max_num=500, validate_max=True)


class ImportForm(Form):
    file = forms.FileField(label=_("Excel 文件"), help_text=_("按模板填写的 .xlsx 文件。"))
