from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongjian.accounts.models import PasswordHistory


class CharacterClassValidator:
    """A password must mix at least three of: upper case, lower case, digits, other characters (等保 practice)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、特殊字符中的至少 %(n)d 类。")
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、特殊字符中的至少 %(n)d 类。") % {"n": self.min_classes}


class PasswordHistoryValidator:
    """A new password may not be the current one nor any of the account's last ``count`` passwords."""

    def __init__(self, count: int = 5) -> None:
        self.count = count

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None or self.count <= 0:
            return
        hashes = list(
            PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count]
        )
        current = (
            user._meta.model._default_manager.filter(pk=user.pk).values_list("password", flat=True).first()
        )
        if current and current not in hashes:
            hashes.insert(0, current)
        if any(check_password(password, encoded) for encoded in hashes[: self.count]):
            raise ValidationError(
                _("不能使用最近 %(n)d 次用过的密码。") % {"n": self.count}, code="password_reused"
            )

    def get_help_text(self) -> str:
        return _("不能使用最近 %(n)d 次用过的密码。") % {"n": self.count}
