from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from gongjian.accounts import services
from gongjian.core.forms import Form


class LoginForm(AuthenticationForm):
    """Sign-in form that tells a locked-out person why, in words that do not reveal whether the account exists:
    an unknown name is "locked" after as many failures as a real one."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("账号或密码错误。连续失败 5 次将锁定 15 分钟。"),
        "inactive": _("账号或密码错误。连续失败 5 次将锁定 15 分钟。"),
        "locked": _("该账号因连续登录失败已被锁定，请稍后再试或联系安全管理员解锁。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        try:
            return super().clean()
        except forms.ValidationError:
            if username and self._locked(username):
                raise forms.ValidationError(self.error_messages["locked"], code="locked") from None
            raise

    @staticmethod
    def _locked(username: str) -> bool:
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is not None:
            return user.is_locked()
        return services.recent_failures(username) >= settings.LOGIN_FAILURE_LIMIT


class CodeForm(Form):
    code = forms.CharField(
        label=_("动态口令或恢复码"),
        max_length=20,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PasswordChangeForm(Form):
    old_password = forms.CharField(
        label=_("当前密码"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("新密码"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("两次输入的新密码不一致。"))
        return data


class TokenForm(Form):
    name = forms.CharField(label=_("用途"), max_length=100)
    days = forms.IntegerField(label=_("有效期（天）"), min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.GONGJIAN_TOKEN_DAYS
        self.fields["days"].widget.attrs["max"] = settings.GONGJIAN_TOKEN_MAX_DAYS
