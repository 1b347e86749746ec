from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q

from gongjian.accounts import services
from gongjian.core import audit


class LockoutBackend(ModelBackend):
    """Django's password check, plus the lock after repeated failures that 等保 2.0 asks for (8.1.4.1 b)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        user = User._default_manager.filter(username=username).first() if username else None
        ip = audit.client_ip(request)
        if user is not None and user.is_locked():
            audit.record("login.locked", actor=None, obj=user, success=False, ip_address=ip)
            return None
        result = super().authenticate(request, username=username, password=password, **kwargs)
        if result is not None and result.is_superuser:
            # Gongjian has no superuser (等保 8.1.4.2 b); one made with Django's createsuperuser cannot sign in.
            audit.record(
                "login.failed", actor=None, obj=result, success=False, ip_address=ip, note="超级用户不能登录"
            )
            return None
        if result is not None:
            # With a second step to come, the count of failures goes on until that step is passed too.
            if (result.failed_logins or result.locked_until) and not services.needs_second_factor(result):
                User._default_manager.filter(pk=result.pk).update(failed_logins=0, locked_until=None)
            return result
        if user is not None:
            services.register_failed_login(user, ip=ip)
        elif username:
            audit.record(
                "login.failed",
                actor=None,
                object_type="accounts.user",
                object_repr=str(username)[:150],
                success=False,
                ip_address=ip,
                note="账号不存在",
            )
        return None

    def get_all_permissions(self, user_obj, obj=None):
        """The user's own and their roles' permissions in one query (Django's backend asks twice), kept on the
        user object for the rest of the request."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
            pairs = permissions.values_list("content_type__app_label", "codename").distinct()
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in pairs}
        return user_obj._perm_cache
