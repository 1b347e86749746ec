"""The forms of the meeting pages: a new meeting, and a decision of a meeting."""

from django import forms
from django.utils.translation import gettext, gettext_lazy

from gongjian.core.forms import Form
from gongjian.lights.choices import CaseState
from gongjian.meetings.choices import MeetingKind
from gongjian.meetings.models import Meeting
from gongjian.meetings.services import may_answer_for
from gongjian.org.choices import UnitKind
from gongjian.org.models import Person, Unit
from gongjian.projects.models import Project
from gongjian.reports.models import Problem


def _date_input(**attrs):
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


class _UnitPathSelect(forms.Select):
    """A select whose options carry the path of their unit (``data-path``), so the decision form's script
    (meetings/decision_form.js) can offer only the chosen unit's people; ``path_of`` gives an option's path."""

    def __init__(self, *args, path_of, **kwargs):
        super().__init__(*args, **kwargs)
        self.path_of = path_of

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-path"] = self.path_of(instance)
        return option


class MeetingForm(Form):
    kind = forms.ChoiceField(label=gettext_lazy("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=gettext_lazy("会议名称"), max_length=200)
    held_at = forms.DateTimeField(
        label=gettext_lazy("召开时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=gettext_lazy("地点"), max_length=200, required=False)
    chair = forms.ModelChoiceField(
        label=gettext_lazy("主持人"), required=False, queryset=Person.objects.none()
    )
    attendees = forms.ModelMultipleChoiceField(
        label=gettext_lazy("参会人员"),
        required=False,
        queryset=Person.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    other_attendees = forms.CharField(label=gettext_lazy("其他参会人员"), max_length=500, required=False)
    projects = forms.ModelMultipleChoiceField(
        label=gettext_lazy("调度项目"),
        required=False,
        queryset=Project.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy(
            "专题调度选择本次调度的项目（按住 Ctrl 可多选）；不选时，月度调度为全部在建项目，其他会议为议程涉及的项目。"
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.select_related("unit").order_by("unit__name", "name")
        self.fields["chair"].queryset = people
        self.fields["attendees"].queryset = people
        self.fields["projects"].queryset = Project.objects.filter(is_archived=False).order_by("code")

    def clean_projects(self):
        # None: the service picks the kind's projects (every project for a monthly dispatch, else the agenda's).
        return list(self.cleaned_data["projects"]) or None


class MeetingProjectsForm(Form):
    """The projects a meeting dispatches (a special meeting's chosen ones), changed on its page."""

    projects = forms.ModelMultipleChoiceField(
        label=gettext_lazy("调度项目"),
        required=False,
        queryset=Project.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=gettext_lazy("按住 Ctrl 可多选；交办事项的相关项目从这里选。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = Project.objects.filter(is_archived=False).order_by("code")


class DecisionForm(Form):
    text = forms.CharField(label=gettext_lazy("交办事项"), widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(
        label=gettext_lazy("责任单位"),
        queryset=Unit.objects.none(),
        widget=_UnitPathSelect(path_of=lambda unit: unit.path),
    )
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("责任人"),
        required=False,
        queryset=Person.objects.none(),
        widget=_UnitPathSelect(path_of=lambda person: person.unit.path if person.unit_id else ""),
        help_text=gettext_lazy("先选责任单位，再从该单位的人员中选择。"),
    )
    deadline = forms.DateField(label=gettext_lazy("完成时限"), widget=_date_input())
    projects = forms.ModelMultipleChoiceField(
        label=gettext_lazy("相关项目"),
        required=False,
        queryset=Project.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    problem = forms.ModelChoiceField(
        label=gettext_lazy("相关问题"),
        required=False,
        queryset=Problem.objects.none(),
        help_text=gettext_lazy("报告中提出、尚未销号的协调问题"),
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            Unit.objects.filter(is_active=True)
            .exclude(kind__in=[UnitKind.ENTERPRISE, UnitKind.LEADERSHIP])
            .order_by("kind", "name")
        )
        self.fields["assignee"].queryset = Person.objects.select_related("unit").order_by(
            "unit__name", "name"
        )
        covered = meeting.projects.all()
        self.fields["projects"].queryset = (
            covered if covered.exists() else Project.objects.filter(is_archived=False)
        )
        self.fields["problem"].queryset = (
            Problem.objects.filter(project__in=self.fields["projects"].queryset, case__isnull=False)
            .exclude(case__state=CaseState.CLOSED)
            .select_related("project")
            .order_by("project__code", "id")
        )
        self.fields["problem"].label_from_instance = lambda p: f"{p.project.name}：{p.description[:40]}"

    def clean(self):
        cleaned = super().clean()
        owner, assignee = cleaned.get("owner"), cleaned.get("assignee")
        if owner is not None and assignee is not None and not may_answer_for(assignee, owner):
            self.add_error(
                "assignee",
                gettext("%(person)s 不在%(unit)s，请选择该单位的人员。")
                % {"person": assignee, "unit": owner.name},
            )
        return cleaned
