"""Account services: creating accounts and giving them roles, each with its audit event."""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.models import User
from gongjian.accounts.roles import ADMIN_ROLES, STAFF_ROLES, Role, role_label
from gongjian.core import audit


def check_role_combination(roles: Iterable[str]) -> list[str]:
    """Return the roles as a sorted list, or raise if they break the separation of the three administrators."""
    codes = sorted(set(roles))
    for code in codes:
        if code not in Role.values:
            raise ValidationError(_("未知角色：%(role)s") % {"role": code}, code="unknown_role")
    admins = [c for c in codes if c in ADMIN_ROLES]
    if admins and len(codes) > 1:
        names = "、".join(role_label(c) for c in codes)
        raise ValidationError(
            _("三员分立：%(roles)s 不能由同一账号兼任。") % {"roles": names}, code="admin_roles_exclusive"
        )
    return codes


@transaction.atomic
def create_user(*, username: str, password: str, full_name: str = "", roles: Iterable[str] = (),
                actor=None, email: str = "") -> User:
    """Create an account with validated password and roles. ``actor`` None means the command line."""
    if actor is not None and not actor.has_perm("accounts.add_user"):
        raise PermissionDenied(_("无权创建账号。"))
    codes = check_role_combination(roles)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("账号 %(u)s 已存在。") % {"u": username}})
    user = User(username=username, full_name=full_name, email=email)
    validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.is_staff = any(c in STAFF_ROLES for c in codes)
    user.save()
    user.groups.set(Group.objects.filter(name__in=codes))
    audit.record("user.create", actor=actor, obj=user, after={"username": username, "full_name": full_name,
                                                             "roles": codes}, only_changes=False)
    return user


@transaction.atomic
def assign_roles(user: User, roles: Iterable[str], *, actor=None) -> User:
    """Replace a user's roles. Only the security administrator (or the command line) may do it."""
    if actor is not None and not actor.has_perm("accounts.assign_roles"):
        raise PermissionDenied(_("只有安全管理员可以分配角色。"))
    codes = check_role_combination(roles)
    before = sorted(user.role_codes())
    user.groups.set(Group.objects.filter(name__in=codes))
    user.is_staff = any(c in STAFF_ROLES for c in codes)
    user.save(update_fields=["is_staff"])
    audit.record("user.assign_roles", actor=actor, obj=user, before={"roles": before}, after={"roles": codes})
    return user


@transaction.atomic
def unlock_user(user: User, *, actor) -> User:
    if not actor.has_perm("accounts.unlock_user"):
        raise PermissionDenied(_("无权解锁账号。"))
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    audit.record("user.unlock", actor=actor, obj=user)
    user.refresh_from_db()
    return user
