import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.roles import ADMIN_ROLES, Role


def new_stamp() -> str:
    return secrets.token_hex(16)


class User(AbstractUser):
    """An account (账号) of a person who signs in. What they may do comes from their roles (groups); which
    projects they see comes from the person record (org.Person) linked to it."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    # Part of every session's signature: a new stamp signs the account out everywhere.
    security_stamp = models.CharField(_("安全戳"), max_length=32, default=new_stamp, editable=False)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")
        permissions = [
            ("assign_roles", _("分配角色")),
            ("unlock_user", _("解锁账号")),
            ("reset_password", _("重置业务账号密码")),
            ("manage_credentials", _("管理他人凭据：吊销令牌、移除动态口令、强制下线、查看登录记录")),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）" if self.full_name else self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        # The admin greets the user by it ("欢迎，冯鹏飞"), not by the account name in capitals.
        return self.display_name

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()

    def role_codes(self) -> set[str]:
        return set(self.groups.values_list("name", flat=True))

    def is_administrator(self) -> bool:
        """One of the three administrators (三员), whose credentials only the server console resets; a Django
        superuser (which Gongjian never makes) counts as one, and cannot sign in at all."""
        return self.is_superuser or bool(self.role_codes() & ADMIN_ROLES)

    def password_expired(self) -> bool:
        days = settings.GONGJIAN_PASSWORD_MAX_DAYS
        if not days or self.password_changed_at is None:
            return False
        return self.password_changed_at + timedelta(days=days) < timezone.now()

    def must_change_password_now(self) -> bool:
        return self.must_change_password or self.password_expired()

    def _get_session_auth_hash(self, secret=None):
        # Django signs a session with the password hash; the stamp lets the security administrator end every
        # session of an account without touching its password.
        return salted_hmac(
            "gongjian.accounts.User.session",
            f"{self.password}|{self.security_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class PasswordHistory(models.Model):
    """A password an account has had (its hash only), so the last few cannot be chosen again (等保 practice)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(_("密码摘要"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class RolePolicy(models.Model):
    """A role's security policy (角色安全策略), set by the security administrator: whether its accounts must
    sign in with a second factor."""

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, unique=True)
    require_otp = models.BooleanField(_("须使用动态口令"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("角色安全策略")
        verbose_name_plural = _("角色安全策略")
        ordering = ["role"]

    def __str__(self) -> str:
        return str(self.get_role_display())


class ApiToken(models.Model):
    """A personal API token (个人接口令牌) for /api/v1/. Only a hash is stored; the secret is shown once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("账号")
    )
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=12, unique=True)
    digest = models.CharField(_("摘要"), max_length=64)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("最近使用地址"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    # When the expiry was written to the audit trail (once per token).
    expiry_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def state_label(self) -> str:
        if self.revoked_at is not None:
            return str(_("已吊销"))
        return str(_("已过期")) if self.is_expired else str(_("有效"))


class AccessStamp(models.Model):
    """The access stamp (权限戳): one row whose value changes whenever who may do what may have changed — roles,
    permissions, people's units, the unit tree, regions. A process remembers an account's permissions and data
    scope under the stamp it read (gongjian.accounts.access) and works them out again once it differs."""

    value = models.CharField(_("戳"), max_length=32, default=new_stamp)

    class Meta:
        verbose_name = _("权限戳")
        verbose_name_plural = _("权限戳")

    def __str__(self) -> str:
        return self.value
