from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.land.choices import Option


class AgreementForm(forms.Form):
    option = forms.ChoiceField(label=_("安置方式"), choices=Option.choices)
    housing_area = forms.DecimalField(
        label=_("安置面积（㎡）"), min_value=0, max_value=10000, decimal_places=2, required=False
    )
    signed_on = forms.DateField(label=_("拟签约日期"), widget=forms.DateInput(attrs={"type": "date"}))
    agreed_total = forms.IntegerField(
        label=_("协议金额（元）"),
        required=False,
        help_text=_("留空即按标准计算金额；不同即为偏离，须写明理由并报指挥部审批。"),
    )
    deviation_reason = forms.CharField(
        label=_("偏离理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ApprovalForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批"), choices=[("1", _("批准")), ("0", _("不予批准"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("审批意见"), required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("签约日期"), widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
