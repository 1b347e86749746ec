from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Sign-in form that tells a locked-out person why, instead of a bare "wrong password"."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("账号或密码错误。连续失败 5 次将锁定 15 分钟。"),
        "locked": _("该账号因连续登录失败已被锁定，请稍后再试或联系安全管理员解锁。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        user = get_user_model()._default_manager.filter(username=username).first() if username else None
        try:
            return super().clean()
        except forms.ValidationError:
            if user is not None:
                user.refresh_from_db(fields=["locked_until"])
                if user.is_locked():
                    raise forms.ValidationError(self.error_messages["locked"], code="locked") from None
            raise
