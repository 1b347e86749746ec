"""The attraction forms: fields as a person enters them (money in 万元, foreign amounts in 万 of their currency),
turned into what the services take (yuan and whole units)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.attraction.choices import Chain, Currency, Metric, Stage
from gongjian.core.forms import Form
from gongjian.core.money import wan_to_yuan
from gongjian.org.models import Person, Region, Unit
from gongjian.pipeline.choices import Readiness
from gongjian.projects.choices import Category


def wan_field(label, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_value=Decimal(1_000_000_000),
        max_digits=16,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )


def yuan(value) -> int | None:
    return None if value is None else wan_to_yuan(value)


class DateInput(forms.DateInput):
    input_type = "date"


class TripForm(Form):
    unit = forms.ModelChoiceField(Unit.objects.filter(is_active=True), label=_("组织单位"))
    start_date = forms.DateField(label=_("出发日期"), widget=DateInput)
    end_date = forms.DateField(label=_("返回日期"), widget=DateInput)
    destination = forms.CharField(label=_("目的地"), max_length=200)
    leader = forms.ModelChoiceField(Person.objects.all(), label=_("带队领导"), required=False)
    delegation = forms.ModelMultipleChoiceField(Person.objects.all(), label=_("团组成员"), required=False)
    units = forms.ModelMultipleChoiceField(
        Unit.objects.filter(is_active=True), label=_("参加单位"), required=False
    )
    companies = forms.CharField(
        label=_("洽谈企业"), required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=_("每行一家")
    )
    cost = wan_field(_("费用（万元）"), required=False)
    notes = forms.CharField(label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["cost"] = yuan(data.get("cost")) or 0
        return data


class LeadForm(Form):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    investor = forms.CharField(label=_("投资方"), max_length=200)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    chain = forms.ChoiceField(label=_("产业链"), choices=Chain.choices)
    amount = wan_field(_("意向投资额（万元）"))
    currency = forms.ChoiceField(label=_("币种"), choices=Currency.choices, initial=Currency.CNY)
    country = forms.CharField(label=_("资金来源国家/地区"), max_length=50, required=False)
    unit = forms.ModelChoiceField(Unit.objects.filter(is_active=True), label=_("跟踪单位"))
    introducer = forms.ModelChoiceField(Person.objects.all(), label=_("引荐人"), required=False)
    trip = forms.ModelChoiceField(None, label=_("来源外出招商"), required=False)
    found_on = forms.DateField(label=_("登记日期"), widget=DateInput)
    next_step = forms.CharField(label=_("下一步工作"), max_length=300, required=False)

    def __init__(self, *args, trips=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trip"].queryset = trips

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["amount"] = yuan(data["amount"])
        return data


class StepForm(Form):
    on = forms.DateField(label=_("日期"), widget=DateInput)
    text = forms.CharField(label=_("跟进情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    next_step = forms.CharField(label=_("下一步工作"), max_length=300, required=False)


class SignForm(Form):
    on = forms.DateField(label=_("签约日期"), widget=DateInput)
    amount = wan_field(_("签约金额（万元）"))
    contract = forms.FileField(label=_("合同扫描件"), required=False)
    text = forms.CharField(label=_("说明"), required=False, max_length=500)


class TrancheForm(Form):
    date = forms.DateField(label=_("到位日期"), widget=DateInput)
    currency = forms.ChoiceField(label=_("币种"), choices=Currency.choices, initial=Currency.CNY)
    amount = wan_field(_("到位金额（万元，人民币）"), required=False)
    foreign_amount = wan_field(_("原币金额（万）"), required=False)
    rate = forms.DecimalField(
        label=_("折算汇率（元/原币）"),
        required=False,
        min_value=Decimal("0.000001"),
        max_digits=12,
        decimal_places=6,
    )
    usd_amount = wan_field(_("折合美元（万美元，非美元外资填写）"), required=False)
    source = forms.CharField(label=_("资金来源"), max_length=100, required=False)
    evidence = forms.FileField(label=_("到位凭证"), required=False)


class StartForm(Form):
    on = forms.DateField(label=_("开工日期"), widget=DateInput)
    project = forms.ModelChoiceField(
        None,
        label=_("对应已有重点项目"),
        required=False,
        help_text=_("不选则按本项目信息在重点项目库新建项目（需项目办权限）。"),
    )

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class ProductionForm(Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    output_value = wan_field(_("产值（万元）"))
    tax = wan_field(_("税收（万元）"))
    jobs = forms.IntegerField(label=_("就业（人）"), min_value=0, max_value=1_000_000)
    on = forms.DateField(label=_("投产日期"), widget=DateInput, required=False)


class ReserveForm(Form):
    """提交项目储备: what the reserve needs beyond what the lead gives (name, investor, unit, signed amount)."""

    category = forms.ChoiceField(label=_("项目类别"), choices=Category.choices, initial=Category.INDUSTRY)
    region = forms.ModelChoiceField(
        Region.objects.all(),
        label=_("所在区划"),
        required=False,
        help_text=_("不选则取跟踪单位所在区划。"),
    )
    start_year = forms.IntegerField(label=_("预计开工年度"), min_value=2000, max_value=2100)
    readiness = forms.ChoiceField(
        label=_("前期工作深度"), choices=Readiness.choices, initial=Readiness.CONCEPT
    )


class DropForm(Form):
    reason = forms.CharField(label=_("终止原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    on = forms.DateField(label=_("终止日期"), widget=DateInput, required=False)


class LeadFilterForm(Form):
    stage = forms.ChoiceField(label=_("环节"), choices=[("", _("全部")), *Stage.choices], required=False)
    unit = forms.ModelChoiceField(
        Unit.objects.none(), label=_("跟踪单位"), required=False, empty_label=_("全部")
    )
    chain = forms.ChoiceField(label=_("产业链"), choices=[("", _("全部")), *Chain.choices], required=False)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
    stalled = forms.BooleanField(label=_("仅停滞"), required=False)
    q = forms.CharField(label=_("名称或投资方"), required=False, max_length=100)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()


class TargetForm(Form):
    unit = forms.ModelChoiceField(Unit.objects.filter(is_active=True), label=_("单位"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    metric = forms.ChoiceField(label=_("指标"), choices=Metric.choices)
    value = forms.DecimalField(
        label=_("目标值"),
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=4,
        help_text=_("个数填个；金额填万元（外资填万美元）"),
    )
