"""The gate after sign-in: an account whose password was reset or has expired changes it before anything else."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class SecurityGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.must_change_password_now() and not self._open(request.path_info):
            message = _("密码已被重置或已过期，请先修改密码。")
            if request.path_info.startswith("/api/"):
                return JsonResponse(
                    {"code": "forbidden", "errors": [{"field": None, "message": message}]}, status=403
                )
            messages.warning(request, message)
            return redirect(f"{reverse('accounts:password_change')}?next={quote(request.get_full_path())}")
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        return path in {reverse("accounts:password_change"), reverse("accounts:logout")} or path.startswith(
            ("/" + settings.STATIC_URL.lstrip("/"), "/i18n/")
        )
