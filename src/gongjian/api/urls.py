from functools import wraps

from django.http import JsonResponse
from django.urls import re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gongjian.api.core import api

patterns, app_name, namespace = api.urls


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"code": code, "errors": [{"field": None, "message": message}]},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _json_not_allowed(view):
    """ninja answers a method no operation of the path takes with a plain-text 405; the API answers every error
    in its one shape {code, errors}, keeping the Allow header."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            answer = _error(
                405,
                "method_not_allowed",
                _("该地址不支持 %(method)s 请求，可用：%(allowed)s。")
                % {"method": request.method, "allowed": allowed},
            )
            answer["Allow"] = allowed
            return answer
        return response

    return wrapped


def _allow_token_clients(items):
    # The site requires a signed-in session everywhere (LoginRequiredMiddleware); the API authenticates its
    # own requests (token or session) and answers 401 as JSON instead of redirecting to the login page.
    for item in items:
        if hasattr(item, "url_patterns"):
            _allow_token_clients(item.url_patterns)
        else:
            item.callback = _json_not_allowed(item.callback)
            item.callback.login_required = False


@csrf_exempt
def unknown(request):
    """An address under /api/v1/ that no operation has (or an id that is not a number): 404 in the API's shape,
    not the site's HTML page."""
    return _error(404, "not_found", _("没有这个接口地址：%(path)s") % {"path": request.path[:200]})


unknown.login_required = False

_allow_token_clients(patterns)
urlpatterns = [*patterns, re_path(r"^", unknown)]  # whatever is left, even with a line break in it
