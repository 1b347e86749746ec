from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from gongjian.land.choices import Option, RulingResult


class AgreementForm(forms.Form):
    option = forms.ChoiceField(label=_("安置方式"), choices=Option.choices)
    housing_area = forms.DecimalField(
        label=_("安置面积（㎡）"), min_value=0, max_value=10000, decimal_places=2, required=False
    )
    signed_on = forms.DateField(
        label=_("拟签约日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
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
    signed_on = forms.DateField(
        label=_("签约日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


# The lawful path (依法征收): a form per step, each with its document

DOCUMENT_TYPES = ["pdf", "jpg", "jpeg", "png", "doc", "docx", "ofd"]
DOCUMENT_MAX = 20 * 1024 * 1024


class _DocumentForm(forms.Form):
    document = forms.FileField(
        label=_("文书（PDF、图片或 Word，20MB 以内）"),
        required=False,
        validators=[FileExtensionValidator(DOCUMENT_TYPES)],
    )

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document is not None and document.size > DOCUMENT_MAX:
            raise forms.ValidationError(_("文书不能超过 20MB。"))
        return document


def _day(label):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class DecisionForm(_DocumentForm):
    decision_number = forms.CharField(label=_("补偿决定文号"), max_length=100)
    decided_on = _day(_("决定日期"))


class ServeForm(_DocumentForm):
    served_on = _day(_("送达日期"))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ChallengeForm(forms.Form):
    challenged_on = _day(_("申请复议或起诉日期"))
    challenge_note = forms.CharField(label=_("复议或诉讼情况"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CourtForm(_DocumentForm):
    applied_on = _day(_("申请日期"))
    court = forms.CharField(label=_("受理法院"), max_length=100)
    version = forms.IntegerField(widget=forms.HiddenInput)


class RulingForm(_DocumentForm):
    ruled_on = _day(_("裁定日期"))
    ruling_result = forms.ChoiceField(label=_("裁定结果"), choices=RulingResult.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


LAWFUL_FORMS = {
    "decision": DecisionForm,
    "serve": ServeForm,
    "challenge": ChallengeForm,
    "court": CourtForm,
    "ruling": RulingForm,
}
