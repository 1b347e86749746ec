"""Accounts in the admin, split along the three administrators' duties (三员分立):

- the system administrator creates accounts and edits names, e-mail and whether an account is active;
- the security administrator assigns the business roles and unlocks accounts, and can change nothing else;
- nobody changes a password here (the security administrator resets a business account's on the security
  pages; an administrator's only on the server console), nobody edits an administrator's account or their own;
- nobody gets ``is_superuser`` or direct permissions here: roles are the only way to grant rights.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from gongjian.accounts import services
from gongjian.accounts.models import User
from gongjian.accounts.roles import ADMIN_ROLES, Role
from gongjian.core.audit import client_ip

admin.site.unregister(Group)


class RolesForm(forms.ModelForm):
    # The administrators' roles are given on the server console only.
    roles = forms.MultipleChoiceField(
        label=_("角色"),
        choices=[(c, label) for c, label in Role.choices if c not in ADMIN_ROLES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = User
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["roles"] = sorted(self.instance.role_codes())

    def clean_roles(self):
        try:
            return services.check_role_combination(self.cleaned_data["roles"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "roles_text", "is_active", "is_locked_now", "last_login"]
    list_filter = ["is_active", "groups"]
    search_fields = ["username", "full_name", "email"]
    actions = ["unlock"]
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "password1", "password2")}),
    )

    def _is_security(self, request):
        return request.user.has_perm("accounts.assign_roles") and not request.user.has_perm(
            "accounts.change_user"
        )

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None and self._is_security(request):
            kwargs["form"] = RolesForm
            kwargs["fields"] = ["roles"]
            return admin.ModelAdmin.get_form(self, request, obj, **kwargs)
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        if self._is_security(request):
            return ((None, {"fields": ("roles",)}),)
        return (
            (None, {"fields": ("username",)}),
            (_("个人信息"), {"fields": ("full_name", "email")}),
            (_("状态"), {"fields": ("is_active", "last_login", "date_joined", "locked_until")}),
        )

    def get_readonly_fields(self, request, obj=None):
        return ["last_login", "date_joined", "locked_until"] if obj else []

    def has_change_permission(self, request, obj=None):
        user = request.user
        if not (user.has_perm("accounts.change_user") or user.has_perm("accounts.assign_roles")):
            return False
        # Nobody edits their own account or an administrator's here (三员分立).
        return obj is None or (obj.pk != user.pk and not obj.is_administrator())

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, never deleted: the audit trail keeps pointing at them.
        return False

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied

    def save_model(self, request, obj, form, change):
        ip = client_ip(request)
        if isinstance(form, RolesForm):
            services.assign_roles(obj, form.cleaned_data["roles"], actor=request.user, ip=ip)
        elif change:
            fields = [
                name for name in form.changed_data if name in {"username", "full_name", "email", "is_active"}
            ]
            services.update_account(
                User.objects.get(pk=obj.pk),
                {name: getattr(obj, name) for name in fields},
                actor=request.user,
                ip=ip,
            )
        else:
            obj.is_superuser = False
            super().save_model(request, obj, form, change)
            services.record_admin_created(obj, actor=request.user, ip=ip)

    def save_related(self, request, form, formsets, change):
        if not isinstance(form, RolesForm):
            super().save_related(request, form, formsets, change)

    @admin.display(description=_("角色"))
    def roles_text(self, obj):
        return "、".join(str(Role(g.name).label) for g in obj.groups.all() if g.name in Role.values)

    @admin.display(description=_("已锁定"), boolean=True)
    def is_locked_now(self, obj):
        return obj.is_locked()

    @admin.action(description=_("解锁所选账号"), permissions=["unlock"])
    def unlock(self, request, queryset):
        for user in queryset:
            try:
                services.unlock_user(user, actor=request.user, ip=client_ip(request))
            except PermissionDenied as exc:
                messages.error(request, f"{user}：{exc}")
                return
        messages.success(request, _("已解锁。"))

    def has_unlock_permission(self, request):
        return request.user.has_perm("accounts.unlock_user")
