"""Account services: creating accounts and giving them roles, each with its audit event."""

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.models import ApiToken, User
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


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_api_token(user: User, name: str, *, actor) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with the full secret, which is never stored or shown again."""
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied(_("只能为自己创建接口令牌。"))
    if not name.strip():
        raise ValidationError({"name": _("请填写令牌用途。")})
    prefix = secrets.token_hex(4)
    secret = f"gj_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name.strip(), prefix=prefix, digest=_digest(secret))
    audit.record("api_token.create", actor=actor or user, obj=token, after={"name": token.name, "prefix": prefix},
                 only_changes=False)
    return token, secret


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor) -> ApiToken:
    if actor is not None and actor.pk != token.user_id and not actor.has_perm("accounts.change_user"):
        raise PermissionDenied(_("无权吊销该令牌。"))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("api_token.revoke", actor=actor, obj=token)
    return token


def user_for_token(secret: str) -> User | None:
    """The active account a presented token belongs to, or None. Constant-time comparison of the hash."""
    parts = secret.split("_")
    if len(parts) < 3 or parts[0] != "gj":
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1], revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)) or not token.user.is_active:
        return None
    if token.last_used_at is None or (timezone.now() - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
