from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """An account (账号) of a person who signs in. What they may do comes from their roles (groups); which
    projects they see comes from the person record (org.Person) linked to it."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")
        permissions = [
            ("assign_roles", _("分配角色")),
            ("unlock_user", _("解锁账号")),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）" if self.full_name else self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()

    def role_codes(self) -> set[str]:
        return set(self.groups.values_list("name", flat=True))


class ApiToken(models.Model):
    """A personal API token (个人接口令牌) for /api/v1/. Only a hash is stored; the secret is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("账号"))
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=12, unique=True)
    digest = models.CharField(_("摘要"), max_length=64)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
