from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongjian.assess import services
from gongjian.assess.exports import scheme_workbook
from gongjian.assess.models import (
    Adjustment,
    Commitment,
    EvaluatorAssignment,
    Interview,
    Scheme,
    SchemeYear,
)
from gongjian.core.admin import AuditedModelAdmin, VersionedInline
from gongjian.core.downloads import attachment
from gongjian.core.locking import Stale, posted_version
from gongjian.core.periods import Period


class SchemeTextForm(forms.Form):
    """A scheme's YAML and a note on what changed, to be kept as a new version."""

    text = forms.CharField(
        label=_("YAML 文本"),
        required=False,
        strip=False,
        help_text=_("保存时按方案规则校验；版本号由系统顺次编排，文中的 version 不起作用。"),
        widget=forms.Textarea(
            attrs={
                "rows": 32,
                "spellcheck": "false",
                "style": "width: 100%; box-sizing: border-box; font-family: monospace;",
            }
        ),
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        if not self.has_error("text") and not (cleaned.get("text") or "").strip():
            self.add_error("text", _("请填写方案的 YAML。"))
        return cleaned


class SchemeImportForm(SchemeTextForm):
    """A scheme's YAML uploaded as a file (UTF-8) or pasted."""

    MAX_BYTES = 1024 * 1024

    file = forms.FileField(
        label=_("YAML 文件"),
        required=False,
        help_text=_("扩展名 .yaml 或 .yml，UTF-8 编码；也可以不上传文件，在下面粘贴文本。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml"}),
    )

    field_order = ["file", "text", "note"]

    def clean(self):
        upload = self.cleaned_data.get("file")
        if upload:
            if (self.cleaned_data.get("text") or "").strip():
                raise ValidationError(_("请上传文件或粘贴文本，二者选一。"))
            text = self._read(upload)
            if text is None:
                return self.cleaned_data
            # The file's text goes into the text box, so that an error in it can be fixed on the page.
            self.data = self.data.copy()
            self.data[self.add_prefix("text")] = text
            self.cleaned_data["text"] = text
        return super().clean()

    def _read(self, upload) -> str | None:
        if not upload.name.lower().endswith((".yaml", ".yml")):
            self.add_error("file", _("只接受 .yaml 或 .yml 文件。"))
            return None
        if upload.size > self.MAX_BYTES:
            self.add_error("file", _("文件不能超过 1 MB。"))
            return None
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            self.add_error("file", _("文件须为 UTF-8 编码。"))
            return None


class ActivateForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    """Versions are kept as they are: a new version comes from importing YAML, editing a version's YAML or
    copying one, and a version is put in force by activating it for a year. Every change goes through the
    services, which check ``assess.run_assessment`` and audit; the pages ask first only to spare a form that
    cannot be sent."""

    list_display = ["name", "version", "active_years", "note", "created_by", "created_at"]
    list_select_related = ["created_by"]
    readonly_fields = ["name", "version", "active_years", "content", "note", "created_by", "created_at"]
    actions = ["copy_as_new_version", "activate_for_year", "export_yaml", "export_excel"]

    def get_queryset(self, request):
        years = Prefetch("years", queryset=SchemeYear.objects.order_by("year"))
        return super().get_queryset(request).prefetch_related(years)

    def has_add_permission(self, request):
        # The admin's own add form cannot make a valid version: importing or editing YAML does.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_run_assessment_permission(self, request):
        return request.user.has_perm("assess.run_assessment")

    @admin.display(description=_("启用年度"))
    def active_years(self, obj):
        return "、".join(str(row.year) for row in obj.years.all()) or None

    # Pages

    def get_urls(self):
        view = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("import/", view(self.import_view), name=f"{name}_import"),
            path("<int:pk>/edit/", view(self.edit_view), name=f"{name}_edit"),
            path("<int:pk>/activate/", view(self.activate_view), name=f"{name}_activate"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"can_manage": self.has_run_assessment_permission(request)}
        return super().changelist_view(request, extra | (extra_context or {}))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"can_manage": self.has_run_assessment_permission(request)}
        return super().change_view(request, object_id, form_url, extra | (extra_context or {}))

    def import_view(self, request):
        """导入 YAML: a file or pasted text becomes the next version of the scheme it names."""
        self._require_office(request)
        if request.method == "POST":
            form = SchemeImportForm(request.POST, request.FILES)
            if form.is_valid():
                row = self._save_yaml(request, form, default_note=gettext("导入"))
                if row:
                    return self._saved(request, row)
        else:
            form = SchemeImportForm()
        return self._render(request, "admin/assess/scheme/yaml_form.html", form, gettext("导入 YAML"))

    def edit_view(self, request, pk):
        """编辑为新版本: a version's YAML, edited and kept as the next version; the version itself stays."""
        self._require_office(request)
        row = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method == "POST":
            form = SchemeTextForm(request.POST)
            if form.is_valid():
                saved = self._save_yaml(
                    request, form, default_note=gettext("编辑自 v%(version)s") % {"version": row.version}
                )
                if saved:
                    return self._saved(request, saved)
        else:
            form = SchemeTextForm(initial={"text": services.export_yaml(row)})
        return self._render(request, "admin/assess/scheme/yaml_form.html", form, gettext("编辑为新版本"), row)

    def activate_view(self, request, pk):
        """启用于年度: the version the assessments of a year are run by. The page lists the years' schemes with
        the version of each choice (hidden): replacing one chosen since the page was read is refused (409)."""
        self._require_office(request)
        row = get_object_or_404(self.get_queryset(request), pk=pk)
        active = SchemeYear.objects.select_related("scheme").order_by("-year")
        versions = {str(y.year): y.version for y in active}
        status = 200
        if request.method == "POST":
            form = ActivateForm(request.POST)
            versions = {
                key.removeprefix("version-"): value
                for key, value in request.POST.items()
                if key.startswith("version-")
            }
            if form.is_valid():
                year = form.cleaned_data["year"]
                try:
                    services.activate(
                        row,
                        year,
                        actor=request.user,
                        expected_version=posted_version(request.POST, f"version-{year}"),
                    )
                except Stale as exc:
                    form.add_error(None, exc.messages)
                    status = 409
                else:
                    messages.success(
                        request,
                        gettext("%(scheme)s 已启用于 %(year)s 年度。") % {"scheme": row, "year": year},
                    )
                    return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            else:
                status = 400
        else:
            form = ActivateForm(initial={"year": timezone.localdate().year})
        response = self._render(
            request,
            "admin/assess/scheme/activate.html",
            form,
            gettext("启用于年度"),
            row,
            active=active,
            versions=versions,
        )
        response.status_code = status
        return response

    def _require_office(self, request):
        if not self.has_run_assessment_permission(request):
            raise PermissionDenied

    def _save_yaml(self, request, form, *, default_note):
        try:
            return services.import_yaml(
                form.cleaned_data["text"], actor=request.user, note=form.cleaned_data["note"] or default_note
            )
        except ValidationError as exc:
            form.add_error("text", exc.messages)
            return None

    def _saved(self, request, row):
        messages.success(request, gettext("已保存为新版本：%(scheme)s。") % {"scheme": row})
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", row.pk)

    def _render(self, request, template, form, title, original=None, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": title,
                "original": original,
                "form": form,
                "media": self.media + form.media,
                "has_view_permission": self.has_view_permission(request, original),
                **context,
            },
        )

    # Actions

    @admin.action(description=_("复制为新版本"), permissions=["run_assessment"])
    def copy_as_new_version(self, request, queryset):
        for row in queryset:
            try:
                copy = services.save_scheme(row.content, actor=request.user, note=f"复制自 v{row.version}")
                messages.success(request, str(copy))
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))

    @admin.action(description=_("启用于年度…"), permissions=["run_assessment"])
    def activate_for_year(self, request, queryset):
        rows = list(queryset[:2])
        if len(rows) != 1:
            messages.warning(request, gettext("请只选择一个版本来启用。"))
            return None
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_activate", rows[0].pk)

    @admin.action(description=_("导出 Excel"))
    def export_excel(self, request, queryset):
        row = queryset.order_by("name", "-version").first()
        return attachment(scheme_workbook(row), f"{row.name}_v{row.version}.xlsx")

    @admin.action(description=_("导出 YAML"))
    def export_yaml(self, request, queryset):
        return attachment("\n---\n".join(services.export_yaml(row) for row in queryset), "scheme.yaml")


@admin.register(SchemeYear)
class SchemeYearAdmin(AuditedModelAdmin):
    list_display = ["year", "scheme", "activated_at"]


class SubjectForm(forms.ModelForm):
    """A model form whose subject (kind and id) is chosen by name from every assessable subject."""

    subject = forms.ChoiceField(label=_("考核对象"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [("", "---------"), *services.subject_choices()]
        if self.instance.pk:
            self.initial["subject"] = f"{self.instance.subject_kind}:{self.instance.subject_id}"

    def clean(self):
        cleaned = super().clean()
        kind, _sep, pk = (cleaned.get("subject") or "").partition(":")
        if kind and pk:
            self.instance.subject_kind, self.instance.subject_id = kind, int(pk)
        return cleaned


class SubjectNameMixin:
    """Shows a row's subject by name (names are read once per page)."""

    @admin.display(description=_("考核对象"))
    def subject(self, obj):
        names = getattr(self, "_names", None)
        if names is None:
            self._names = names = services.subject_names()
        return names.get((obj.subject_kind, obj.subject_id), obj.subject_id)

    def get_queryset(self, request):
        self._names = None
        return super().get_queryset(request)


class EvaluatorAssignmentForm(SubjectForm):
    class Meta:
        model = EvaluatorAssignment
        fields = ["rater"]

    def validate_unique(self):
        if (
            EvaluatorAssignment.objects.exclude(pk=self.instance.pk)
            .filter(
                rater_id=self.instance.rater_id,
                subject_kind=self.instance.subject_kind,
                subject_id=self.instance.subject_id,
            )
            .exists()
        ):
            self.add_error("subject", gettext("该打分人已分配此考核对象。"))


@admin.register(EvaluatorAssignment)
class EvaluatorAssignmentAdmin(SubjectNameMixin, AuditedModelAdmin):
    form = EvaluatorAssignmentForm
    list_display = ["rater", "subject_kind", "subject"]
    list_filter = ["subject_kind"]
    search_fields = ["rater__username"]


class AdjustmentForm(SubjectForm):
    class Meta:
        model = Adjustment
        fields = ["period_code", "points", "reason"]
        help_texts = {
            "period_code": _("如 2026-11-2（旬）或 2026-11（月）"),
            "points": _("加分为正，减分为负"),
        }

    def clean_period_code(self):
        try:
            period = Period.parse(self.cleaned_data["period_code"])
        except ValueError:
            raise ValidationError(gettext("无法识别的期别，应如 2026-11-2 或 2026-11。")) from None
        if period.dekad is None and period.month is None:
            raise ValidationError(gettext("考核期须为某一旬或某一月。"))
        return period.code

    def clean_points(self):
        if not self.cleaned_data["points"]:
            raise ValidationError(gettext("加减分不能为 0。"))
        return self.cleaned_data["points"]


@admin.register(Adjustment)
class AdjustmentAdmin(SubjectNameMixin, AuditedModelAdmin):
    form = AdjustmentForm
    list_display = ["period_code", "subject_kind", "subject", "points", "reason", "created_by"]
    list_filter = ["period_code", "subject_kind"]
    search_fields = ["reason"]

    def save_model(self, request, obj, form, change):
        obj.created_by = obj.created_by or request.user
        super().save_model(request, obj, form, change)


class CommitmentInline(VersionedInline):
    model = Commitment
    extra = 2


class InterviewForm(SubjectForm):
    class Meta:
        model = Interview
        fields = ["held_on", "interviewer", "interviewee", "content"]


@admin.register(Interview)
class InterviewAdmin(SubjectNameMixin, AuditedModelAdmin):
    """Interviews not called for by a yellow card (the office's own), and corrections; those on a yellow card
    are recorded from the 约谈与整改 page."""

    form = InterviewForm
    list_display = ["held_on", "interviewee", "interviewer", "subject_kind", "subject"]
    inlines = [CommitmentInline]
