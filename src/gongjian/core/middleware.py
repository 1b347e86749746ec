"""The first check of every submitted value (等保 8.1.4.4: 数据有效性检验): no NUL or other control characters,
no field longer than any form of the system takes, in a form, a JSON body or the query string. Files are not
text and are checked by their own readers."""

import json
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from gongjian.core.bounds import CONTROL

# C0 controls but tab, line feed and carriage return, escaped in JSON; DEL.
_JSON_CONTROL = re.compile(r"\\u00(?:0[0-8bcef]|1[0-9a-f])|\\u007f", re.IGNORECASE)
MAX_FIELD_CHARS = 100_000


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            problem = self._query_problem(request)
            if problem is None and request.method in {"POST", "PUT", "PATCH"}:
                problem = self._problem(request)
        except RequestDataTooBig:
            problem = (
                None,
                _("请求内容过大（文件以外最多 %(mb)d MB）。")
                % {"mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)},
            )
        except TooManyFieldsSent:
            problem = None, _("字段过多（最多 %(n)d 个）。") % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
        if problem is not None:
            field, message = problem
            if request.path_info.startswith("/api/"):
                return JsonResponse(
                    {"code": "invalid", "errors": [{"field": field, "message": message}]}, status=400
                )
            return HttpResponse(
                f"{field}：{message}" if field else message,
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

    @staticmethod
    def _query_problem(request) -> tuple[str | None, str] | None:
        """The query string's names and values (``?q=%00`` would reach PostgreSQL, which refuses a NUL)."""
        for name, values in request.GET.lists():
            for text in (name, *values):
                if CONTROL.search(text):
                    return name[:100], _("不能包含控制字符（如 NUL）。")
                if len(text) > MAX_FIELD_CHARS:
                    return name[:100], _("内容过长（最多 %(n)d 个字符）。") % {"n": MAX_FIELD_CHARS}
        return None

    @staticmethod
    def _problem(request) -> tuple[str | None, str] | None:
        if request.content_type == "application/json":
            text = request.body.decode("utf-8", errors="replace")
            if CONTROL.search(text) or _JSON_CONTROL.search(text):
                return None, _("不能包含控制字符（如 NUL）。")
            try:
                data = json.loads(text) if text.strip() else None
            except ValueError:
                return None  # the API says what is wrong with it
            return _too_long(data)
        # A page's form (the API's multipart uploads are read once, by the API: reading them here first would
        # leave it nothing to read).
        form = request.content_type == "application/x-www-form-urlencoded" or (
            request.content_type == "multipart/form-data" and not request.path_info.startswith("/api/")
        )
        if form:
            for name, values in request.POST.lists():
                for value in values:
                    if CONTROL.search(value):
                        return name, _("不能包含控制字符（如 NUL）。")
                    if len(value) > MAX_FIELD_CHARS:
                        return name, _("内容过长（最多 %(n)d 个字符）。") % {"n": MAX_FIELD_CHARS}
        return None


def _too_long(data, path: str = "") -> tuple[str | None, str] | None:
    """The first string that is too long or no valid text (a lone UTF-16 surrogate such as \\ud800)."""
    if isinstance(data, str):
        if len(data) > MAX_FIELD_CHARS:
            return path or None, _("内容过长（最多 %(n)d 个字符）。") % {"n": MAX_FIELD_CHARS}
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            return path or None, _("不是有效的文字（含孤立的代理字符）。")
    if isinstance(data, dict):
        for key, value in data.items():
            found = _too_long(value, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(data, list):
        for value in data:
            found = _too_long(value, path)
            if found:
                return found
    return None


class ChosenLanguageMiddleware:
    """The page's language: Chinese, or the one the user chose with the header's switch (the language cookie).

    Django's LocaleMiddleware also follows the browser's Accept-Language, so an office machine whose browser was
    installed in English got pages half in English (the English catalogue covers what an English reader needs
    most, not every string). Gongjian's users read Chinese; English is for whoever asks for it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.offered = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.offered else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
