from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from gongjian.core.forms import CHOOSE, Form, QuickSelect
from gongjian.land.choices import (
    AttachmentKind,
    CadreRelation,
    LandCategory,
    MemberRelation,
    Option,
    RulingResult,
    StructureGrade,
    TaskState,
)
from gongjian.land.models import Village
from gongjian.org.choices import UnitKind
from gongjian.org.models import Person, Unit
from gongjian.projects.models import Project

# Documents kept with a household: the appraisal report, the lawful path's decisions, notices and rulings
DOCUMENT_TYPES = ["pdf", "jpg", "jpeg", "png", "doc", "docx", "ofd"]
DOCUMENT_MAX = 20 * 1024 * 1024


class AgreementForm(Form):
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


class ApprovalForm(Form):
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


class _DocumentForm(Form):
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


# Tasks and households on the page (the API and the Excel import write them through the same services)

_DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class TaskForm(Form):
    """A task's fields; its villages (one a line, 村居：组、组) only when it is created."""

    name = forms.CharField(label=_("任务名称"), max_length=200)
    project = forms.ModelChoiceField(
        label=_("项目"), queryset=Project.objects.order_by("code"), required=False, widget=QuickSelect
    )
    park = forms.ModelChoiceField(label=_("园区"), queryset=Unit.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("服务工作队"), queryset=Unit.objects.none())
    area_mu = forms.DecimalField(label=_("征收面积（亩）"), min_value=0, max_value=100000, decimal_places=2)
    deadline = forms.DateField(label=_("完成时限"), required=False, **_DATE)
    legal_basis = forms.CharField(
        label=_("法律依据"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    announcement_number = forms.CharField(label=_("征收公告文号"), required=False, max_length=100)
    announcement_date = forms.DateField(label=_("公告日期"), required=False, **_DATE)
    cadre_first_days = forms.IntegerField(label=_("干部带头签约期限（天）"), min_value=1, max_value=365)
    state = forms.ChoiceField(label=_("状态"), choices=TaskState.choices)
    villages = forms.CharField(
        label=_("村居及村民小组"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个村居，村民小组写在冒号后、用顿号分隔，如：金星村：一组、二组"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["park"].queryset = Unit.objects.filter(kind=UnitKind.PARK, is_active=True).order_by(
            "name"
        )
        self.fields["team"].queryset = Unit.objects.filter(
            kind=UnitKind.SERVICE_TEAM, is_active=True
        ).order_by("name")
        if not creating:
            del self.fields["villages"]

    def village_rows(self) -> list[dict]:
        rows = []
        for line in (self.cleaned_data.get("villages") or "").splitlines():
            name, _sep, groups = line.replace(":", "：").partition("：")
            if name.strip():
                rows.append(
                    {
                        "name": name.strip(),
                        "groups": [g for g in groups.replace(",", "、").split("、") if g.strip()],
                    }
                )
        return rows

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            key: data.get(key)
            for key in (
                "name",
                "area_mu",
                "deadline",
                "legal_basis",
                "announcement_number",
                "announcement_date",
                "cadre_first_days",
                "state",
            )
        }
        for key in ("project", "park", "team"):
            fields[f"{key}_id"] = data[key].pk if data.get(key) else None
        return fields


class HouseholdForm(Form):
    village = forms.ModelChoiceField(label=_("村居"), queryset=Village.objects.none())
    group = forms.CharField(label=_("村民小组"), required=False, max_length=50)
    number = forms.CharField(label=_("户编号"), max_length=30)
    head_name = forms.CharField(label=_("户主姓名"), max_length=50)
    head_id_number = forms.CharField(label=_("户主身份证号"), max_length=18)
    cadre_relation = forms.ChoiceField(label=_("干部党员关系"), choices=CadreRelation.choices, required=False)
    cadre = forms.ModelChoiceField(
        label=_("关联干部"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("干部本人户或干部亲属户，选择是哪位干部。"),
    )
    cadre_note = forms.CharField(label=_("关系说明"), required=False, max_length=100)
    business_name = forms.CharField(label=_("经营项目"), required=False, max_length=200)
    business_area = forms.DecimalField(
        label=_("经营面积（㎡）"), min_value=0, max_value=1_000_000, decimal_places=2, required=False
    )
    appraiser = forms.CharField(label=_("评估机构"), required=False, max_length=200)
    appraiser_registration = forms.CharField(label=_("评估机构备案号"), required=False, max_length=100)
    appraised_on = forms.DateField(
        label=_("评估日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    appraised_amount = forms.IntegerField(
        label=_("评估金额（元）"), required=False, min_value=0, max_value=10_000_000_000
    )
    appraisal_report = forms.FileField(
        label=_("评估报告（PDF、图片或 Word，20MB 以内）"),
        required=False,
        validators=[FileExtensionValidator(DOCUMENT_TYPES)],
        help_text=_("已有报告时留空即保留原报告。"),
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = task.villages.order_by("order", "id")
        self.fields["cadre"].queryset = Person.objects.select_related("unit").order_by("unit__name", "name")
        self.fields["cadre"].label_from_instance = lambda p: (
            f"{p.name}（{p.unit.name}）" if p.unit else p.name
        )

    def clean_appraisal_report(self):
        report = self.cleaned_data.get("appraisal_report")
        if report is not None and report.size > DOCUMENT_MAX:
            raise forms.ValidationError(_("评估报告不能超过 20MB。"))
        return report


class MemberForm(Form):
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    relation = forms.ChoiceField(
        label=_("与户主关系"), choices=[("", CHOOSE), *MemberRelation.choices], required=False
    )


class ParcelForm(Form):
    category = forms.ChoiceField(
        label=_("地类"), choices=[("", CHOOSE), *LandCategory.choices], required=False
    )
    area_mu = forms.DecimalField(label=_("面积（亩）"), min_value=0, decimal_places=2, required=False)


class BuildingForm(Form):
    grade = forms.ChoiceField(
        label=_("结构等级"), choices=[("", CHOOSE), *StructureGrade.choices], required=False
    )
    area = forms.DecimalField(label=_("面积（㎡）"), min_value=0, decimal_places=2, required=False)
    legal = forms.TypedChoiceField(
        label=_("合法性"),
        choices=[("1", _("合法")), ("0", _("违建（不予补偿）"))],
        coerce=lambda v: v == "1",
        initial="1",
        required=False,
        empty_value=True,
    )
    note = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)


class AttachmentForm(Form):
    kind = forms.ChoiceField(
        label=_("附属物"), choices=[("", CHOOSE), *AttachmentKind.choices], required=False
    )
    count = forms.IntegerField(label=_("数量"), min_value=1, max_value=100000, required=False)


def _rows(form_class, extra):
    return forms.formset_factory(form_class, extra=extra)


HOUSEHOLD_LISTS = {
    # service key → (form, its label, the fields that make a row not blank)
    "members": (_rows(MemberForm, 2), _("家庭成员"), ("name", "id_number")),
    "parcels": (_rows(ParcelForm, 2), _("土地（按地类）"), ("category", "area_mu")),
    "buildings": (_rows(BuildingForm, 2), _("房屋（按结构等级）"), ("grade", "area")),
    "attachments": (_rows(AttachmentForm, 1), _("地上附属物"), ("kind", "count")),
}
