"""The form of the daily report, as a team member types it on a phone."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from gongjian.core.forms import Form
from gongjian.daily import services as daily
from gongjian.daily.models import DailyPhoto
from gongjian.reports.forms import MultipleFileField
from gongjian.reports.services import check_photo


def _figure(label):
    return forms.IntegerField(
        label=label,
        min_value=0,
        required=False,
        widget=forms.NumberInput(
            attrs={"inputmode": "numeric", "pattern": "[0-9]*", "min": "0", "step": "1", "placeholder": "0"}
        ),
    )


def _text(label, rows, **attrs):
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows, **attrs}))


class DailyReportForm(Form):
    """The day's report as typed on a phone; the service checks it again (and is the one that decides)."""

    households_signed = _figure(daily.FIGURES["households_signed"])
    buildings_demolished = _figure(daily.FIGURES["buildings_demolished"])
    problems_solved = _figure(daily.FIGURES["problems_solved"])
    done = forms.CharField(
        label=daily.TEXTS["done"],
        error_messages={"required": gettext_lazy("请填写今日完成情况。")},
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": gettext_lazy("如：入户走访 12 户，签约 3 户，拆除 2 处")}
        ),
    )
    plan = _text(daily.TEXTS["plan"], 2)
    needs = _text(daily.TEXTS["needs"], 2, placeholder=gettext_lazy("没有可不填"))
    photos = MultipleFileField(
        label=gettext_lazy("现场照片"),
        required=False,
        help_text=gettext_lazy("可多选，可直接拍照；JPEG、PNG 或 WebP。拍摄时间和位置取自照片自带的信息。"),
    )
    remove = forms.ModelMultipleChoiceField(
        queryset=DailyPhoto.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)  # of the report the page showed

    def __init__(self, *args, report=None, computed=None, **kwargs):
        super().__init__(*args, **kwargs)
        if report is not None:
            self.fields["remove"].queryset = report.photos.all()
        # Figures a ledger keeps for the team (the land acquisition's households signed, buildings demolished) are
        # shown as counted there and not typed: the service files them from the ledger whatever is posted.
        for name, value in (computed or {}).items():
            field = self.fields[name]
            field.disabled = True
            field.help_text = gettext_lazy("由征迁台账自动统计")
            self.initial[name] = value

    def clean_photos(self):
        """Each file is read here, so one that is not a photo is refused before anything is filed."""
        errors, files = [], self.cleaned_data.get("photos") or []
        for upload in files:
            try:
                check_photo(upload)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise forms.ValidationError(errors)
        return files
