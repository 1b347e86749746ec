from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongjian.core.forms import Form, ModelForm
from gongjian.core.money import wan_to_yuan, yuan_to_wan
from gongjian.reports import services
from gongjian.reports.models import Problem, Report, ReportPhoto

WAN_FIELDS = {
    "amount": _("本期完成投资（万元）"),
    "stated_year_to_date": _("本年累计（万元，按台账填写，可空）"),
    "stated_since_start": _("开工累计（万元，按台账填写，可空）"),
}


class ReportForm(ModelForm):
    """A report as a reporter fills it: money in 万元, cumulative figures optional (they are computed)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Report
        fields = ["progress_percent", "progress_text", "workers", "next_plan", "explanation"]
        widgets = {
            f: forms.Textarea(attrs={"rows": 3}) for f in ("progress_text", "next_plan", "explanation")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in WAN_FIELDS.items():
            self.fields[name] = forms.DecimalField(
                label=label,
                required=(name == "amount"),
                min_value=Decimal(0),
                max_digits=16,
                decimal_places=4,
            )
            value = getattr(self.instance, name, None)
            if not self.is_bound and value is not None and (self.instance.pk or name == "amount"):
                self.initial[name] = yuan_to_wan(value)
        self.fields["progress_percent"].widget.attrs.update({"min": 0, "max": 100, "step": "0.1"})
        self.initial.setdefault("version", self.instance.version if self.instance.pk else None)
        self.order_fields(
            [
                "amount",
                "stated_year_to_date",
                "stated_since_start",
                "progress_percent",
                "progress_text",
                "workers",
                "next_plan",
                "explanation",
            ]
        )

    def clean_progress_percent(self):
        value = self.cleaned_data["progress_percent"]
        if value is not None and not 0 <= value <= 100:
            raise forms.ValidationError(_("形象进度应在 0 到 100 之间。"))
        return value

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        for name in WAN_FIELDS:
            value = self.cleaned_data.get(name)
            data[name] = None if value is None else wan_to_yuan(value)
        return data


class ProblemForm(ModelForm):
    class Meta:
        model = Problem
        fields = ["category", "description", "unit_asked"]
        widgets = {"description": forms.TextInput()}


ProblemFormSet = forms.formset_factory(ProblemForm, extra=2)


class MilestonesReachedForm(Form):
    """One date field per milestone not yet reached: a date means "reached on that day" in this period."""

    def __init__(self, *args, project, report=None, **kwargs):
        super().__init__(*args, **kwargs)
        reached = {m.milestone_id: m.actual_date for m in report.milestones_reached.all()} if report else {}
        self.milestones = [m for m in project.milestones.all() if m.actual_date is None or m.pk in reached]
        for milestone in self.milestones:
            self.fields[f"milestone_{milestone.pk}"] = forms.DateField(
                label=f"{milestone.label}（{_('计划')} {milestone.planned_date:%Y-%m-%d}）",
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                initial=reached.get(milestone.pk),
            )

    def reached(self):
        return [
            (m, self.cleaned_data[f"milestone_{m.pk}"])
            for m in self.milestones
            if self.cleaned_data.get(f"milestone_{m.pk}")
        ]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class PhotosForm(Form):
    """New site photos for a report and the ones to take off. Each file is read here, so a file that is not a
    photo is refused before anything of the report is saved."""

    photos = MultipleFileField(
        label=_("上传现场照片"),
        required=False,
        help_text=_(
            "可多选；JPEG、PNG 或 WebP。拍摄时间和位置取自照片自带的信息，"
            "拍摄过早或离项目现场过远的照片会提示审核人。"
        ),
    )
    remove = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, report=None, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["remove"].queryset = report.photos.all() if report else ReportPhoto.objects.none()

    def clean_photos(self):
        errors, files = [], self.cleaned_data.get("photos") or []
        for upload in files:
            try:
                services.check_photo(upload)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise forms.ValidationError(errors)
        return files
