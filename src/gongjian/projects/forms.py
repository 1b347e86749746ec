"""The project form: fields as a person enters them (money in 万元), turned into what the services take."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongjian.core.forms import Form, ModelForm
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
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )


def _add_plan_fields(form) -> None:
    """The 36 ten-day amounts of a plan (万元), plan_0 … plan_35, summed on the page as they are typed."""
    for i in range(DEKADS_PER_YEAR):
        field = form.fields[f"plan_{i}"] = _wan_field(f"{i // 3 + 1}月{DEKAD_NAMES[i % 3]}")
        field.widget.attrs.update({"data-plan-cell": "1", "aria-label": field.label})


def _plan_rows(form):
    """The 12 months, each with its three ten-day fields, for the plan table."""
    return [(m + 1, [form[f"plan_{m * 3 + d}"] for d in range(3)]) for m in range(12)]


class ProjectForm(ModelForm):
    """Create or edit a project with its annual plan by dekad and its leaders."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    leaders = forms.ModelMultipleChoiceField(
        label=_("包挂领导"),
        required=False,
        queryset=Person.objects.exclude(leadership_body="").order_by("leadership_body", "name"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("按住 Ctrl 可多选；第一位为包挂领导，其余为联系领导。"),
    )

    class Meta:
        model = Project
        fields = [
            "code",
            "national_code",
            "name",
            "category",
            "nature",
            "level",
            "batch",
            "funding",
            "year",
            "region",
            "park",
            "location",
            "longitude",
            "latitude",
            "owner",
            "responsible_unit",
            "headquarters",
            "commander",
            "contact_person",
            "contact_phone",
            "content",
            "planned_start",
            "planned_completion",
            "actual_start",
            "actual_completion",
            "land_area_mu",
            "land_status",
            "expected_jobs",
            "party_branch",
            "party_secretary",
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
        self.fields["owner"].queryset = Unit.objects.filter(
            kind__in=[UnitKind.ENTERPRISE, UnitKind.STATE_ENTERPRISE]
        )
        self.fields["responsible_unit"].queryset = Unit.objects.exclude(
            kind__in=[UnitKind.ENTERPRISE, UnitKind.STATE_ENTERPRISE]
        )
        self.fields["headquarters"].queryset = Unit.objects.filter(kind=UnitKind.HEADQUARTERS)
        self.fields["park"].queryset = Unit.objects.filter(kind=UnitKind.PARK)
        for name, label in MONEY_FIELDS.items():
            self.fields[name] = _wan_field(label, required=(name == "total_investment"))
        instance = self.instance
        plan = instance.plan_for(plan_year) if instance.pk else None
        dekads = plan.dekads if plan else [0] * DEKADS_PER_YEAR
        _add_plan_fields(self)
        # Initial values also on a bound form: a field locked for the editor (lock_baseline) takes its value
        # from them.
        for name in MONEY_FIELDS:
            value = getattr(instance, name, None) if instance.pk else None
            self.initial[name] = yuan_to_wan(value) if value is not None else None
        for i, amount in enumerate(dekads):
            self.initial[f"plan_{i}"] = yuan_to_wan(amount) if amount else None
        if instance.pk:
            self.initial.setdefault("version", instance.version)
            self.initial["leaders"] = [link.person_id for link in instance.leader_links.all()]

    def plan_rows(self):
        return _plan_rows(self)

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

    def lock_baseline(self) -> None:
        """For an editor who does not own the baseline: its fields are shown but not editable (a change goes
        through an adjustment proposal), so an unchanged form never trips the baseline guard."""
        for name in (
            "total_investment",
            "responsible_unit",
            "headquarters",
            "leaders",
            *(f"plan_{i}" for i in range(DEKADS_PER_YEAR)),
        ):
            self.fields[name].disabled = True
        self.fields["total_investment"].help_text = _(
            "考核基准，由项目办调整；如需变更请在项目页提出调整申请。"
        )

    def service_children(self, milestones=None, approvals=None) -> ProjectChildren:
        chosen = list(self.cleaned_data.get("leaders") or [])
        current = (
            {link.person_id: link.role for link in self.instance.leader_links.all()}
            if self.instance.pk
            else {}
        )
        if chosen and {p.pk for p in chosen} == set(current):  # the same people keep their roles
            leaders = [(p, current[p.pk]) for p in chosen]
        else:
            leaders = [(p, LeaderRole.LEAD if i == 0 else LeaderRole.DEPUTY) for i, p in enumerate(chosen)]
        return ProjectChildren(
            plan_year=self.plan_year,
            plan_dekads=self.cleaned_data["plan_dekads"],
            leaders=leaders,
            milestones=milestones,
            approvals=approvals,
        )


class MilestoneForm(ModelForm):
    class Meta:
        model = Milestone
        fields = ["kind", "name", "planned_date", "actual_date", "note"]
        widgets = {
            "planned_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "actual_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class ApprovalForm(ModelForm):
    class Meta:
        model = Approval
        fields = ["kind", "name", "status", "document_no", "authority", "planned_date", "approved_on", "note"]
        widgets = {
            "planned_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "approved_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


MilestoneFormSet = forms.inlineformset_factory(
    Project, Milestone, form=MilestoneForm, extra=2, can_delete=True
)
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
        row = {
            k: v
            for k, v in form.cleaned_data.items()
            if k in form._meta.fields and k not in {"id", "project", "DELETE"}
        }
        if form.instance.pk:  # the row it edits keeps its id (reports point at it)
            row["id"] = form.instance.pk
        rows.append(row)
    return rows


class BaselineChangeForm(Form):
    """A proposed change of the baseline (调整申请): the new values, prefilled with the current ones, the period
    it takes effect from and why. Only what differs from the current baseline is proposed."""

    effective_from = forms.ChoiceField(label=_("自哪一期起生效"))
    reason = forms.CharField(
        label=_("调整理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：规划调整、资金到位时间变化、政策处理延后等，写明依据。"),
    )
    total_investment = _wan_field(_("总投资（万元）"), required=True)
    responsible_unit = forms.ModelChoiceField(label=_("责任单位"), queryset=Unit.objects.none())
    headquarters = forms.ModelChoiceField(label=_("指挥部"), queryset=Unit.objects.none(), required=False)
    leaders = forms.ModelMultipleChoiceField(
        label=_("包挂领导"),
        required=False,
        queryset=Person.objects.exclude(leadership_body="").order_by("leadership_body", "name"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("第一位为包挂领导，其余为联系领导。"),
    )

    def __init__(self, *args, project: Project, plan_year: int, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.project, self.plan_year = project, plan_year
        self.fields["effective_from"].choices = [(p.code, str(p)) for p in periods]
        self.fields["responsible_unit"].queryset = Unit.objects.exclude(
            kind__in=[UnitKind.ENTERPRISE, UnitKind.STATE_ENTERPRISE]
        )
        self.fields["headquarters"].queryset = Unit.objects.filter(kind=UnitKind.HEADQUARTERS)
        plan = project.plan_for(plan_year)
        dekads = plan.dekads if plan else [0] * DEKADS_PER_YEAR
        _add_plan_fields(self)
        self.milestones = list(project.milestones.all())
        for m in self.milestones:
            self.fields[f"milestone_{m.pk}"] = forms.DateField(
                label=m.label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            )
        if not self.is_bound:
            self.initial.update(
                total_investment=yuan_to_wan(project.total_investment),
                responsible_unit=project.responsible_unit_id,
                headquarters=project.headquarters_id,
                leaders=[link.person_id for link in project.leader_links.all()],
                **{f"plan_{i}": yuan_to_wan(v) if v else None for i, v in enumerate(dekads)},
                **{f"milestone_{m.pk}": m.planned_date for m in self.milestones},
            )

    def plan_rows(self):
        return _plan_rows(self)

    def milestone_fields(self):
        return [self[f"milestone_{m.pk}"] for m in self.milestones]

    def proposed(self) -> dict:
        """The new baseline values in the services' shape (the service keeps only those that change)."""
        data = self.cleaned_data
        chosen = list(data.get("leaders") or [])
        current = {link.person_id: link.role for link in self.project.leader_links.all()}
        if {p.pk for p in chosen} == set(current):
            links = [[pk, role] for pk, role in current.items()]
        else:  # the lead stays lead while chosen; otherwise the first chosen leads
            lead = next(
                (p.pk for p in chosen if current.get(p.pk) == LeaderRole.LEAD),
                chosen[0].pk if chosen else None,
            )
            links = [[p.pk, LeaderRole.LEAD if p.pk == lead else LeaderRole.DEPUTY] for p in chosen]
        return {
            "total_investment": wan_to_yuan(data["total_investment"]),
            "responsible_unit": data["responsible_unit"].pk,
            "headquarters": data["headquarters"].pk if data.get("headquarters") else None,
            "leaders": links,
            "plans": {
                str(self.plan_year): [wan_to_yuan(data.get(f"plan_{i}") or 0) for i in range(DEKADS_PER_YEAR)]
            },
            "milestones": {str(m.pk): data[f"milestone_{m.pk}"].isoformat() for m in self.milestones},
        }
