"""The project form: fields as a person enters them (money in 万元), turned into what the services take."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongjian.core.money import wan_to_yuan, yuan_to_wan
from gongjian.org.choices import UnitKind
from gongjian.org.models import Person, Unit
from gongjian.projects.choices import LeaderRole
from gongjian.projects.models import DEKADS_PER_YEAR, Approval, Milestone, Project
from gongjian.projects.services import ProjectChildren

MONEY_FIELDS = {
    "total_investment": _("总投资（万元）"),
    "expected_output": _("达产后年产值（万元）"),
    "expected_tax": _("达产后年税收（万元）"),
    "foreign_investment_usd": _("利用外资（万美元）"),
}
DEKAD_NAMES = [_("上旬"), _("中旬"), _("下旬")]


def _wan_field(label, required=False):
    return forms.DecimalField(label=label, required=required, min_value=Decimal(0), max_digits=16,
                              decimal_places=4, widget=forms.NumberInput(attrs={"step": "0.01"}))


class ProjectForm(forms.ModelForm):
    """Create or edit a project with its annual plan by dekad and its leaders."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    leaders = forms.ModelMultipleChoiceField(
        label=_("包挂领导"), required=False,
        queryset=Person.objects.exclude(leadership_body="").order_by("leadership_body", "name"),
        widget=forms.SelectMultiple(attrs={"size": 6}), help_text=_("按住 Ctrl 可多选；第一位为包挂领导，其余为联系领导。"))

    class Meta:
        model = Project
        fields = [
            "code", "national_code", "name", "category", "nature", "level", "funding", "year", "region", "park",
            "location", "longitude", "latitude", "owner", "responsible_unit", "headquarters", "commander", "contact_person", "contact_phone",
            "content", "planned_start", "planned_completion", "actual_start", "actual_completion", "land_area_mu",
            "land_status", "expected_jobs", "party_branch", "party_secretary",
        ]
        widgets = {
            "planned_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "planned_completion": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "actual_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "actual_completion": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "content": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, plan_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_year = plan_year
        self.fields["code"].required = False
        self.fields["code"].help_text = _("留空则自动编号。")
        if not self.instance.pk:
            self.initial["year"] = self.initial.get("year") or plan_year
        self.fields["owner"].queryset = Unit.objects.filter(kind__in=[UnitKind.ENTERPRISE, UnitKind.STATE_ENTERPRISE])
        self.fields["responsible_unit"].queryset = Unit.objects.exclude(
            kind__in=[UnitKind.ENTERPRISE, UnitKind.STATE_ENTERPRISE])
        self.fields["headquarters"].queryset = Unit.objects.filter(kind=UnitKind.HEADQUARTERS)
        self.fields["park"].queryset = Unit.objects.filter(kind=UnitKind.PARK)
        for name, label in MONEY_FIELDS.items():
            self.fields[name] = _wan_field(label, required=(name == "total_investment"))
        instance = self.instance
        plan = instance.plan_for(plan_year) if instance.pk else None
        dekads = plan.dekads if plan else [0] * DEKADS_PER_YEAR
        for i in range(DEKADS_PER_YEAR):
            self.fields[f"plan_{i}"] = _wan_field(f"{i // 3 + 1}月{DEKAD_NAMES[i % 3]}")
            self.fields[f"plan_{i}"].widget.attrs.update({"data-plan-cell": "1", "aria-label": self.fields[f"plan_{i}"].label})
        if not self.is_bound:
            for name in MONEY_FIELDS:
                value = getattr(instance, name, None) if instance.pk else None
                self.initial[name] = yuan_to_wan(value) if value is not None else None
            for i, amount in enumerate(dekads):
                self.initial[f"plan_{i}"] = yuan_to_wan(amount) if amount else None
            if instance.pk:
                self.initial["version"] = instance.version
                self.initial["leaders"] = [link.person_id for link in instance.leader_links.all()]

    def plan_rows(self):
        """The 12 months, each with its three dekad fields, for the plan table."""
        return [(m + 1, [self[f"plan_{m * 3 + d}"] for d in range(3)]) for m in range(12)]

    def clean(self):
        data = super().clean()
        for name in MONEY_FIELDS:
            if data.get(name) is not None:
                data[name] = wan_to_yuan(data[name])
        dekads = [wan_to_yuan(data.get(f"plan_{i}") or 0) for i in range(DEKADS_PER_YEAR)]
        data["plan_dekads"] = dekads
        total = data.get("total_investment")
        if total is not None and sum(dekads) > total:
            self.add_error("total_investment", ValidationError(_("总投资不能小于年度计划投资。")))
        return data

    def _post_clean(self):
        # Money fields are not model fields of the form (they are entered in 万元): put the yuan values on the
        # instance before the model validates itself.
        for name in MONEY_FIELDS:
            value = self.cleaned_data.get(name)
            if value is not None:
                setattr(self.instance, name, value)
        super()._post_clean()

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in self._meta.fields}
        if not data["code"]:  # blank: a new project is numbered by the service, an edited one keeps its code
            data.pop("code")
        for name in MONEY_FIELDS:
            data[name] = self.cleaned_data.get(name) or 0
        return data

    def service_children(self, milestones=None, approvals=None) -> ProjectChildren:
        leaders = list(self.cleaned_data.get("leaders") or [])
        return ProjectChildren(
            plan_year=self.plan_year,
            plan_dekads=self.cleaned_data["plan_dekads"],
            leaders=[(p, LeaderRole.LEAD if i == 0 else LeaderRole.DEPUTY) for i, p in enumerate(leaders)],
            milestones=milestones,
            approvals=approvals,
        )


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["kind", "name", "planned_date", "actual_date", "note"]
        widgets = {
            "planned_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "actual_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class ApprovalForm(forms.ModelForm):
    class Meta:
        model = Approval
        fields = ["kind", "name", "status", "document_no", "authority", "planned_date", "approved_on", "note"]
        widgets = {
            "planned_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "approved_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


MilestoneFormSet = forms.inlineformset_factory(Project, Milestone, form=MilestoneForm, extra=2, can_delete=True)
ApprovalFormSet = forms.inlineformset_factory(Project, Approval, form=ApprovalForm, extra=2, can_delete=True)


def formset_rows(formset) -> list[dict]:
    """The rows a person kept in an inline formset, as plain dicts for the service."""
    rows = []
    for form in formset.forms:
        if not form.has_changed() and not form.instance.pk:
            continue
        if formset.can_delete and form.cleaned_data.get("DELETE"):
            continue
        if not form.cleaned_data:
            continue
        row = {k: v for k, v in form.cleaned_data.items()
               if k in form._meta.fields and k not in {"id", "project", "DELETE"}}
        if form.instance.pk:  # the row it edits keeps its id (reports point at it)
            row["id"] = form.instance.pk
        rows.append(row)
    return rows
