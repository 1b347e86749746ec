"""Admin plumbing: every save and delete made in the Django admin is audited like any service write, and an
object a person edits (one with a ``version``) is edited there as everywhere: the change form carries the version
it showed, and saving over a change made since is refused (409) instead of overwriting it."""

from django import forms
from django.contrib import admin

from gongjian.core import audit
from gongjian.core.locking import Stale, check_version
from gongjian.core.models import CalendarDay, SystemSetting


def _versioned(model) -> bool:
    return any(f.name == "version" for f in model._meta.concrete_fields)


class VersionedForm(forms.ModelForm):
    """A model form that carries the version of the row it showed (``loaded_version``, hidden) and, on saving a
    row that exists, locks it, refuses the save when the version has moved on, and moves it one further."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stale = False
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.has_changed():
            model = type(self.instance)
            # The admin saves inside the request's transaction: the lock holds until the save.
            current = model._default_manager.select_for_update().filter(pk=self.instance.pk).first()
            if current is not None:
                try:
                    check_version(
                        current.version, cleaned.get("loaded_version"), str(model._meta.verbose_name)
                    )
                except Stale as exc:
                    self.stale = True
                    raise forms.ValidationError(exc.messages[0], code="stale") from None
                self.instance.version = current.version + 1
        return cleaned


class VersionedInline(admin.TabularInline):
    """An inline of rows with a ``version``: each row's form carries it (see :class:`VersionedForm`)."""

    form = VersionedForm
    exclude = ["version"]


def _stale(response) -> bool:
    context = getattr(response, "context_data", None) or {}
    adminform = context.get("adminform")
    forms_ = [adminform.form] if adminform is not None else []
    for inline in context.get("inline_admin_formsets", ()):
        forms_.extend(inline.formset.forms)
    return any(getattr(form, "stale", False) for form in forms_)


class AuditedModelAdmin(admin.ModelAdmin):
    def get_exclude(self, request, obj=None):
        excluded = super().get_exclude(request, obj)
        return [*(excluded or ()), "version"] if _versioned(self.model) else excluded

    def get_form(self, request, obj=None, change=False, **kwargs):
        if _versioned(self.model) and not issubclass(self.form, VersionedForm):
            kwargs["form"] = type(f"Versioned{self.form.__name__}", (VersionedForm, self.form), {})
        return super().get_form(request, obj, change, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        if request.method == "POST" and _stale(response):
            response.status_code = 409  # someone saved first: the form again, as typed, saying so
        return response

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            old = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = audit.snapshot(old) if old else None
        obj.full_clean()
        super().save_model(request, obj, form, change)
        label = obj._meta.label_lower
        audit.record(
            f"{label}.{'update' if change else 'create'}",
            actor=request.user,
            obj=obj,
            before=before,
            after=audit.snapshot(obj),
            only_changes=change,
            ip_address=audit.client_ip(request),
            note="系统管理后台",
        )

    def delete_model(self, request, obj):
        before, pk, text = audit.snapshot(obj), obj.pk, str(obj)
        super().delete_model(request, obj)
        audit.record(
            f"{obj._meta.label_lower}.delete",
            actor=request.user,
            object_type=obj._meta.label_lower,
            object_id=str(pk),
            object_repr=text,
            before=before,
            only_changes=False,
            note="系统管理后台",
            ip_address=audit.client_ip(request),
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(SystemSetting)
class SystemSettingAdmin(AuditedModelAdmin):
    list_display = ["key", "updated_at"]
    search_fields = ["key"]


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedModelAdmin):
    list_display = ["day", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"
