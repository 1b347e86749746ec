"""Account services: accounts, roles and every credential — passwords, the second factor, API tokens, sessions.

Each change checks who may make it (三员分立: the system administrator manages accounts, the security
administrator roles and credentials, the console the administrators' own credentials), runs in one transaction
and writes its audit event.
"""

import functools
import getpass
import hashlib
import hmac
import secrets
import time
from binascii import unhexlify
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from gongjian.accounts.models import AccessStamp, ApiToken, PasswordHistory, RolePolicy, User, new_stamp
from gongjian.accounts.roles import ADMIN_ROLES, STAFF_ROLES, Role, role_label
from gongjian.core import audit
from gongjian.core.rows import Reader


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


CONSOLE_ONLY = _("管理员账号的凭据和角色只能在服务器控制台用 gongjian account 命令修改。")


def check_may_manage(actor, target: User, permission: str, message: str) -> None:
    """The web may act on ``target`` only with ``permission``, never on one's own account this way and never on
    an administrator's: those go through the server console (``actor`` None), where the operator is named."""
    if actor is None:
        return
    if not actor.has_perm(permission):
        raise PermissionDenied(message)
    if actor.pk == target.pk:
        raise PermissionDenied(_("不能这样修改自己的账号；请在“我的账号”中操作。"))
    if target.is_administrator():
        raise PermissionDenied(CONSOLE_ONLY)


def _console_note(operator: str) -> str:
    if not operator.strip():
        raise ValidationError({"operator": _("请写明操作人姓名。")})
    try:
        os_user = getpass.getuser()
    except (KeyError, OSError):
        os_user = "?"
    return f"服务器控制台；操作人 {operator.strip()}；系统用户 {os_user}"


# Passwords


def _store_password(user: User, raw: str, *, must_change: bool, sign_out: bool) -> None:
    """Set the password and keep its hash in the history (only the last few are kept)."""
    user.set_password(raw)
    user.password_changed_at = timezone.now()
    user.must_change_password = must_change
    fields = ["password", "password_changed_at", "must_change_password"]
    if sign_out:
        user.security_stamp = new_stamp()
        fields.append("security_stamp")
    user.save(update_fields=fields)
    PasswordHistory.objects.create(user=user, password=user.password)
    keep = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[: _history_length()]
    PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep)).delete()


def _history_length() -> int:
    for validator in settings.AUTH_PASSWORD_VALIDATORS:
        if validator["NAME"].endswith("PasswordHistoryValidator"):
            return max(validator.get("OPTIONS", {}).get("count", 5), 1)
    return 5


def _revoke_all_tokens(user: User, *, actor, ip: str | None, reason: str) -> None:
    """End the account's API tokens with its sessions: a token outlives no sign-out, reset or role change."""
    now = timezone.now()
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now):
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=now)
        audit.record("api_token.revoke", actor=actor, obj=token, ip_address=ip, note=reason)


def temporary_password() -> str:
    """A random password that meets the rules: 12 characters from four classes, no look-alikes."""
    pools = ["ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz", "23456789", "@#%+=?"]
    chars = [secrets.choice(pool) for pool in pools]
    chars += [secrets.choice("".join(pools)) for _ in range(8)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    full_name: str = "",
    roles: Iterable[str] = (),
    actor=None,
    email: str = "",
    must_change: bool = False,
) -> User:
    """Create an account with validated password and roles. ``actor`` None means the command line; an account
    made by someone else on the web must change its initial password at the first sign-in."""
    if actor is not None and not actor.has_perm("accounts.add_user"):
        raise PermissionDenied(_("无权创建账号。"))
    codes = check_role_combination(roles)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("账号 %(u)s 已存在。") % {"u": username}})
    if actor is not None and any(c in ADMIN_ROLES for c in codes):
        raise PermissionDenied(CONSOLE_ONLY)
    user = User(username=username, full_name=full_name, email=email)
    validate_password(password, user)
    user.is_staff = any(c in STAFF_ROLES for c in codes)
    user.save()
    _store_password(user, password, must_change=must_change, sign_out=False)
    user.groups.set(Group.objects.filter(name__in=codes))
    audit.record(
        "user.create",
        actor=actor,
        obj=user,
        after={"username": username, "full_name": full_name, "roles": codes},
        only_changes=False,
    )
    audit.record(
        "password.set", actor=actor, obj=user, after={"must_change": must_change}, only_changes=False
    )
    return user


@transaction.atomic
def record_admin_created(user: User, *, actor, ip: str | None = None) -> User:
    """An account the system administrator created in the admin (its form set the password): the initial
    password goes into the history, must be changed at the first sign-in, and both are audited."""
    if not actor.has_perm("accounts.add_user"):
        raise PermissionDenied(_("无权创建账号。"))
    user.password_changed_at = timezone.now()
    user.must_change_password = True
    user.is_superuser = False
    user.save(update_fields=["password_changed_at", "must_change_password", "is_superuser"])
    PasswordHistory.objects.create(user=user, password=user.password)
    audit.record(
        "user.create",
        actor=actor,
        obj=user,
        after=audit.snapshot(user, ["username", "full_name", "email", "is_active"]),
        only_changes=False,
        ip_address=ip,
        note="系统管理后台",
    )
    audit.record(
        "password.set",
        actor=actor,
        obj=user,
        after={"must_change": True},
        only_changes=False,
        ip_address=ip,
        note="系统管理后台",
    )
    return user


@transaction.atomic
def update_account(user: User, changes: dict, *, actor, ip: str | None = None) -> User:
    """The system administrator edits an account's name, e-mail or whether it is active (not its password, roles
    or credentials; never an administrator's or their own)."""
    check_may_manage(actor, user, "accounts.change_user", _("无权修改账号。"))
    allowed = {"username", "full_name", "email", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("账号的这些字段不能在这里修改：%(f)s") % {"f": "、".join(sorted(unknown))})
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = audit.snapshot(locked, sorted(allowed))
    for name, value in changes.items():
        setattr(locked, name, value)
    fields = list(changes)
    if changes.get("is_active") is False:  # a deactivated account is signed out everywhere at once
        locked.security_stamp = new_stamp()
        fields.append("security_stamp")
    locked.save(update_fields=fields)
    if changes.get("is_active") is False:
        _revoke_all_tokens(locked, actor=actor, ip=ip, reason="停用账号")
    audit.record(
        "user.update",
        actor=actor,
        obj=locked,
        before=before,
        after=audit.snapshot(locked, sorted(allowed)),
        ip_address=ip,
        note="系统管理后台",
    )
    return locked


@transaction.atomic
def change_password(user: User, old: str, new: str, *, ip: str | None = None) -> User:
    """The account's owner changes their password (the current one proves it is them)."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.check_password(old):
        raise ValidationError({"old_password": _("当前密码不正确。")})
    if old == new:
        raise ValidationError({"new_password": _("新密码不能与当前密码相同。")})
    try:
        validate_password(new, locked)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from None
    _store_password(locked, new, must_change=False, sign_out=False)
    audit.record("password.change", actor=locked, obj=locked, ip_address=ip)
    return locked


@transaction.atomic
def reset_password(user: User, *, actor, ip: str | None = None) -> str:
    """The security administrator resets a business account's password to a random temporary one, shown once;
    the account is signed out everywhere, unlocked, and must choose a new password at the next sign-in."""
    check_may_manage(actor, user, "accounts.reset_password", _("只有安全管理员可以重置密码。"))
    return _reset(user, actor=actor, ip=ip, note="")


@transaction.atomic
def reset_password_from_console(user: User, *, operator: str, password: str | None = None) -> str:
    """``gongjian account reset-password``: the only way to reset an administrator's password."""
    note = _console_note(operator)
    if password is not None:
        validate_password(password, user)
    return _reset(user, actor=None, ip=None, note=note, password=password)


def _reset(user: User, *, actor, ip, note: str, password: str | None = None) -> str:
    locked = User.objects.select_for_update().get(pk=user.pk)
    raw = password or temporary_password()
    _store_password(locked, raw, must_change=True, sign_out=True)
    _revoke_all_tokens(locked, actor=actor, ip=ip, reason="重置密码")
    User.objects.filter(pk=locked.pk).update(failed_logins=0, locked_until=None)
    audit.record(
        "password.reset",
        actor=actor,
        obj=locked,
        after={"must_change": True},
        only_changes=False,
        ip_address=ip,
        note=note,
    )
    return raw


# Roles, locks and sessions


@transaction.atomic
def assign_roles(
    user: User, roles: Iterable[str], *, actor=None, operator: str = "", ip: str | None = None
) -> User:
    """Replace a user's roles. Only the security administrator may do it on the web, and only among the business
    roles; the administrators' roles are given and taken on the server console (``actor`` None, ``operator``
    named). The account is signed out, so its next session starts under its new roles and their policy."""
    check_may_manage(actor, user, "accounts.assign_roles", _("只有安全管理员可以分配角色。"))
    codes = check_role_combination(roles)
    if actor is not None and any(c in ADMIN_ROLES for c in codes):
        raise PermissionDenied(CONSOLE_ONLY)
    note = _console_note(operator) if actor is None and operator else ""
    before = sorted(user.role_codes())
    user.groups.set(Group.objects.filter(name__in=codes))
    user.is_staff = any(c in STAFF_ROLES for c in codes)
    fields = ["is_staff"]
    if before != codes:
        user.security_stamp = new_stamp()
        fields.append("security_stamp")
    user.save(update_fields=fields)
    if before != codes:
        _revoke_all_tokens(user, actor=actor, ip=ip, reason="角色变更")
    audit.record(
        "user.assign_roles",
        actor=actor,
        obj=user,
        before={"roles": before},
        after={"roles": codes},
        ip_address=ip,
        note=note,
    )
    return user


@transaction.atomic
def unlock_user(user: User, *, actor, operator: str = "", ip: str | None = None) -> User:
    """End a lockout before its time. Unlocking gives no power, so the security administrator may unlock any
    account but their own."""
    if actor is not None:
        if not actor.has_perm("accounts.unlock_user"):
            raise PermissionDenied(_("无权解锁账号。"))
        if actor.pk == user.pk:
            raise PermissionDenied(_("不能这样修改自己的账号；请在“我的账号”中操作。"))
    note = _console_note(operator) if actor is None else ""
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    audit.record("user.unlock", actor=actor, obj=user, ip_address=ip, note=note)
    user.refresh_from_db()
    return user


@transaction.atomic
def sign_out_everywhere(user: User, *, actor, operator: str = "", ip: str | None = None) -> User:
    """End every session of ``user`` (the security administrator's forced sign-out): a new security stamp makes
    every session signed with the old one invalid at its next request."""
    if actor is not None:
        if not actor.has_perm("accounts.manage_credentials"):
            raise PermissionDenied(_("只有安全管理员可以强制下线。"))
        if actor.pk == user.pk:
            raise PermissionDenied(_("不能这样修改自己的账号；请在“我的账号”中操作。"))
    note = _console_note(operator) if actor is None else ""
    User.objects.filter(pk=user.pk).update(security_stamp=new_stamp())
    _revoke_all_tokens(user, actor=actor, ip=ip, reason="强制下线")
    audit.record("user.sign_out_all", actor=actor, obj=user, ip_address=ip, note=note)
    user.refresh_from_db()
    return user


@transaction.atomic
def set_role_policy(role: str, *, require_otp: bool, actor, ip: str | None = None) -> RolePolicy:
    """The security administrator decides whether a role must use the second factor. Switching it on signs
    out that role's accounts that have none yet, so their next sign-in enrols one."""
    if actor is not None and not actor.has_perm("accounts.change_rolepolicy"):
        raise PermissionDenied(_("只有安全管理员可以修改安全策略。"))
    if role not in Role.values:
        raise ValidationError(_("未知角色：%(role)s") % {"role": role})
    policy, _created = RolePolicy.objects.select_for_update().get_or_create(role=role)
    if policy.require_otp == require_otp:
        return policy
    if role in ADMIN_ROLES and not require_otp and actor is not None:
        # 等保 8.1.4.1 d: administrators sign in with two factors; the web cannot weaken that (only the console,
        # as the demo does for newcomers).
        raise PermissionDenied(_("三员账号的动态口令不能在网页上关闭。"))
    before = {"require_otp": policy.require_otp}
    policy.require_otp = require_otp
    policy.save(update_fields=["require_otp", "updated_at"])
    if require_otp:
        enrolled = TOTPDevice.objects.filter(confirmed=True).values("user_id")
        User.objects.filter(groups__name=role).exclude(pk__in=enrolled).update(security_stamp=new_stamp())
    audit.record(
        "role_policy.update",
        actor=actor,
        obj=policy,
        before=before,
        after={"require_otp": require_otp},
        ip_address=ip,
    )
    return policy


# The second factor (TOTP, RFC 6238, with one-time recovery codes)

RECOVERY_CODES = 10


def otp_required(user: User) -> bool:
    """As the role's policy says (the three administrators' is on unless the console switched it off, as the demo
    does); a superuser always."""
    if user.is_superuser:
        return True
    return RolePolicy.objects.filter(role__in=user.groups.values("name"), require_otp=True).exists()


def otp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def needs_second_factor(user: User) -> bool:
    """Whether signing in takes a code: always once a device is enrolled, and for the roles that require one."""
    return otp_device(user) is not None or otp_required(user)


def new_otp_key() -> str:
    return default_key()


def totp_step(key_hex: str, code: str) -> int | None:
    """The time step at which ``code`` is right for ``key_hex`` (one step of clock drift allowed), or None."""
    code = code.strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6) or not key_hex:
        return None
    totp = TOTP(unhexlify(key_hex.encode()))
    totp.time = time.time()
    return totp.t() if totp.verify(int(code), tolerance=1) else None


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("恢复码"), confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def enrol_otp(user: User, key_hex: str, code: str, *, ip: str | None = None) -> list[str]:
    """Enrol an authenticator app that shows ``code`` for ``key_hex``; returns the recovery codes (shown once)."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    if otp_device(user) is not None:
        raise ValidationError({"code": _("已绑定动态口令。")})
    step = totp_step(key_hex, code)
    if step is None:
        raise ValidationError(
            {"code": _("动态口令不正确：请输入验证器应用当前显示的 6 位数字，并检查手机时间是否准确。")}
        )
    TOTPDevice.objects.filter(user=user).delete()
    # The code that enrolled is spent: the device starts after its step, so it cannot sign in again.
    TOTPDevice.objects.create(user=user, name=_("动态口令"), key=key_hex, confirmed=True, last_t=step)
    codes = _new_recovery_codes(user)
    audit.record("otp.enrol", actor=user, obj=user, ip_address=ip)
    return codes


@transaction.atomic
def regenerate_recovery_codes(user: User, *, ip: str | None = None) -> list[str]:
    if otp_device(user) is None:
        raise ValidationError(_("尚未绑定动态口令。"))
    codes = _new_recovery_codes(user)
    audit.record("otp.recovery_codes", actor=user, obj=user, ip_address=ip)
    return codes


@transaction.atomic
def remove_otp(user: User, *, actor, operator: str = "", ip: str | None = None) -> None:
    """Remove an account's second factor: the owner where their roles do not require one; the security
    administrator for a business account (a lost phone); the console for an administrator."""
    note = ""
    if actor is None:
        note = _console_note(operator)
    elif actor.pk == user.pk:
        if otp_required(user):
            raise PermissionDenied(_("你的角色要求使用动态口令，不能解除绑定；换手机请联系安全管理员。"))
    else:
        check_may_manage(
            actor, user, "accounts.manage_credentials", _("只有安全管理员可以移除他人的动态口令。")
        )
    removed, _detail = TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    if actor is None or actor.pk != user.pk:
        User.objects.filter(pk=user.pk).update(security_stamp=new_stamp())
        _revoke_all_tokens(user, actor=actor, ip=ip, reason="移除动态口令")
    audit.record("otp.remove", actor=actor, obj=user, ip_address=ip, note=note, success=bool(removed))


@transaction.atomic
def verify_second_factor(user: User, code: str, *, ip: str | None = None):
    """The device that accepts ``code`` (the authenticator's six digits or a recovery code, used up), or None.
    Failures count towards the lockout like wrong passwords."""
    code = code.strip().replace(" ", "").lower()
    # Locked, so that two requests with one code cannot both be accepted (django-otp reads, then writes).
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is not None:
        allowed, detail = device.verify_is_allowed()
        if not allowed and detail and detail.get("locked_until"):
            wait = max(1, int((detail["locked_until"] - timezone.now()).total_seconds()) + 1)
            raise ValidationError(
                {"code": _("尝试过于频繁，请 %(n)d 秒后再试。") % {"n": wait}}, code="throttled"
            )
    if device is not None and code.isascii() and code.isdigit() and device.verify_token(code):
        return device
    recovery = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if (
        recovery is not None
        and code.isascii()
        and code.isalnum()
        and not code.isdigit()
        and recovery.verify_token(code)
    ):
        left = recovery.token_set.count()
        audit.record("otp.recovery_used", actor=user, obj=user, ip_address=ip, note=f"剩余恢复码 {left} 个")
        return recovery
    register_failed_login(user, ip=ip, action="login.otp_failed")
    return None


def register_failed_login(user: User, *, ip: str | None, action: str = "login.failed") -> None:
    """Count a failed sign-in step and lock the account after too many in a row (等保 8.1.4.1 b)."""
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    failures = User.objects.filter(pk=user.pk).values_list("failed_logins", flat=True).get()
    note = ""
    if failures >= settings.LOGIN_FAILURE_LIMIT:
        until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
        User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
        note = f"锁定至 {timezone.localtime(until):%Y-%m-%d %H:%M}"
    audit.record(action, actor=None, obj=user, success=False, ip_address=ip, note=note)


def recent_failures(username: str) -> int:
    """Failed sign-ins under ``username`` within the lock period, from the audit trail (for unknown names)."""
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    return audit.AuditEvent.objects.filter(
        action="login.failed", object_type="accounts.user", object_repr=username[:255], occurred_at__gte=since
    ).count()


# API tokens


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_api_token(
    user: User, name: str, *, actor, days: int | None = None, ip: str | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user`` that lives ``days`` (default GONGJIAN_TOKEN_DAYS); returns it with the full
    secret, which is never stored or shown again."""
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied(_("只能为自己创建接口令牌。"))
    if not name.strip():
        raise ValidationError({"name": _("请填写令牌用途。")})
    if len(name.strip()) > 100:
        raise ValidationError({"name": _("用途最多 100 个字。")})
    days = settings.GONGJIAN_TOKEN_DAYS if days is None else days
    if not 1 <= days <= settings.GONGJIAN_TOKEN_MAX_DAYS:
        raise ValidationError(
            {"days": _("有效期须在 1 到 %(n)d 天之间。") % {"n": settings.GONGJIAN_TOKEN_MAX_DAYS}}
        )
    prefix = secrets.token_hex(4)
    secret = f"gj_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=prefix,
        digest=_digest(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit.record(
        "api_token.create",
        actor=actor or user,
        obj=token,
        only_changes=False,
        ip_address=ip,
        after={"name": token.name, "prefix": prefix, "expires_at": token.expires_at},
    )
    return token, secret


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor, ip: str | None = None) -> ApiToken:
    """Revoke a token: its owner, or the security administrator for anyone's."""
    if actor is not None and actor.pk != token.user_id and not actor.has_perm("accounts.manage_credentials"):
        raise PermissionDenied(_("无权吊销该令牌。"))
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        audit.record("api_token.revoke", actor=actor, obj=token, ip_address=ip)
    token.refresh_from_db()
    return token


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _record_expiry(token: ApiToken) -> bool:
    """Write a token's expiry to the audit trail, exactly once whoever notices it first."""
    if ApiToken.objects.filter(pk=token.pk, expiry_recorded_at__isnull=True).update(
        expiry_recorded_at=timezone.now()
    ):
        audit.record(
            "api_token.expire", obj=token, after={"expires_at": token.expires_at}, only_changes=False
        )
        return True
    return False


def record_token_expiries() -> int:
    """For the tick: every token that has expired since the last run, written to the audit trail once."""
    due = ApiToken.objects.filter(
        expires_at__lte=timezone.now(), revoked_at__isnull=True, expiry_recorded_at__isnull=True
    )
    return sum(_record_expiry(token) for token in due)


_TOKEN, _USER = Reader(ApiToken), Reader(User)


@functools.cache
def _token_sql() -> str:
    """The token, its account and the access stamp (gongjian.accounts.access) in one read; plain SQL, as building
    it with the ORM took longer than the database took to answer it, on every API request."""
    stamps, tokens, users = (
        connection.ops.quote_name(model._meta.db_table) for model in (AccessStamp, ApiToken, User)
    )
    return (
        f"SELECT {_TOKEN.columns('t')}, {_USER.columns('u')}, (SELECT s.value FROM {stamps} s WHERE s.id = 1) "
        f"FROM {tokens} t INNER JOIN {users} u ON u.id = t.user_id WHERE t.prefix = %s AND t.revoked_at IS NULL"
    )


def user_for_token(secret: str, *, ip: str | None = None) -> User | None:
    """The account a presented token belongs to, or None: the token must be known (constant-time comparison of
    the hash), not revoked, not expired, and its account active and not locked."""
    parts = secret.split("_")
    if len(parts) < 3 or parts[0] != "gj" or len(secret) > 200:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(), [parts[1]])
        row = cursor.fetchone()
    if row is None:
        return None
    token = _TOKEN.make(row[: _TOKEN.width])
    token.user = _USER.make(row[_TOKEN.width : -1])
    token.access_stamp = row[-1]
    if not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    now = timezone.now()
    if token.expires_at <= now:
        _record_expiry(token)
        return None
    user = token.user
    if not user.is_active or user.is_locked() or user.is_superuser or user.must_change_password_now():
        return None
    stale = token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60
    if stale or (ip and ip != token.last_used_ip):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
    user.access_stamp = token.access_stamp  # what gongjian.accounts.access remembers the rights under
    return user
