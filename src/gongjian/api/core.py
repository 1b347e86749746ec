"""The JSON API /api/v1/: authentication by personal token (or the browser session), errors as JSON with a
code and the field, and the routers of the domain apps. Permissions and scope are the services' own."""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from gongjian.accounts import access
from gongjian.accounts.services import user_for_token
from gongjian.assess.api import router as assess
from gongjian.assignments.api import router as assignments
from gongjian.core.audit import client_ip
from gongjian.daily.api import router as daily
from gongjian.documents.api import router as documents
from gongjian.exchange.api import router as exchange
from gongjian.jobs.api import router as jobs
from gongjian.land.api import router as land
from gongjian.lights.api import router as lights
from gongjian.meetings.api import router as meetings
from gongjian.org.scope import scope_for
from gongjian.pipeline.api import router as pipeline
from gongjian.projects.api import router as projects
from gongjian.reports.api import router as reports


class TokenAuth(HttpBearer):
    """``Authorization: Bearer gj_…`` with a token created on the user's page."""

    def authenticate(self, request, token):
        user = user_for_token(token, ip=client_ip(request))
        if user is not None:
            if not access.recall(
                user
            ):  # what this process remembers under the stamp just read, else work it out
                scope_for(user)  # the account's permissions and data scope, each kept on it for the request
                access.remember(user)
            request.user = user  # the scoping query and the services read request.user
        return user


def _errors(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "message": message}
            for field, errors in exc.message_dict.items()
            for message in errors
        ]
    return [{"field": None, "message": message} for message in exc.messages]


# Every code an error answer can carry: the API's own, then the services' more precise ones (a report that needs
# an explanation, an issued document, a published result, a case already at the top, a step closed, a file of
# the wrong kind …). A code a service (or a Django validator) gives that is not here is answered as ``invalid``.
CODES = [
    "invalid",
    "stale",
    "locked",
    "state",
    "forbidden",
    "not_found",
    "unauthorised",
    "method_not_allowed",
    "needs_explanation",
    "not_submitted",
    "issued",
    "published",
    "exists",
    "top",
    "closed",
    "file_type",
    "file_empty",
    "file_content",
    "too_large",
    "too_many",
    "not_a_photo",
]

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["code", "errors"],
    "properties": {
        "code": {"type": "string", "enum": CODES},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": ["string", "null"]}, "message": {"type": "string"}},
            },
        },
        "current_version": {"type": "integer", "description": "409 stale: the version to reload"},
    },
}
# What any endpoint may answer besides its success, through the handlers below.
ERROR_STATUSES = {
    "400": "请求内容不合规（控制字符、过长字段）",
    "401": "未登录或令牌无效",
    "403": "无权操作",
    "404": "不存在或不在数据范围内",
    "409": "已被他人修改（stale）",
    "422": "数据校验未通过",
}


# pydantic's refusals in the users' words, by the error's type; %(name)s from the error's context.
MESSAGES = {
    "missing": gettext_noop("必填。"),
    "int_parsing": gettext_noop("应为整数。"),
    "int_type": gettext_noop("应为整数。"),
    "int_from_float": gettext_noop("应为整数。"),
    "int_parsing_size": gettext_noop("数值过大。"),
    "float_parsing": gettext_noop("应为数字。"),
    "float_type": gettext_noop("应为数字。"),
    "decimal_parsing": gettext_noop("应为数字。"),
    "decimal_type": gettext_noop("应为数字。"),
    "finite_number": gettext_noop("应为有限的数字。"),
    "greater_than_equal": gettext_noop("应不小于 %(ge)s。"),
    "greater_than": gettext_noop("应大于 %(gt)s。"),
    "less_than_equal": gettext_noop("应不大于 %(le)s。"),
    "less_than": gettext_noop("应小于 %(lt)s。"),
    "decimal_max_digits": gettext_noop("最多 %(max_digits)s 位数字。"),
    "decimal_max_places": gettext_noop("最多 %(decimal_places)s 位小数。"),
    "decimal_whole_digits": gettext_noop("整数部分最多 %(whole_digits)s 位。"),
    "string_type": gettext_noop("应为文字。"),
    "string_too_long": gettext_noop("最多 %(max_length)s 个字符。"),
    "string_too_short": gettext_noop("至少 %(min_length)s 个字符。"),
    "list_type": gettext_noop("应为列表。"),
    "too_long": gettext_noop("最多 %(max_length)s 项。"),
    "too_short": gettext_noop("至少 %(min_length)s 项。"),
    "bool_parsing": gettext_noop("应为 true 或 false。"),
    "bool_type": gettext_noop("应为 true 或 false。"),
    "date_type": gettext_noop("应为日期，如 2026-05-01。"),
    "date_parsing": gettext_noop("应为日期，如 2026-05-01。"),
    "date_from_datetime_parsing": gettext_noop("应为日期，如 2026-05-01。"),
    "date_from_datetime_inexact": gettext_noop("应为日期，如 2026-05-01。"),
    "datetime_type": gettext_noop("应为时间，如 2026-05-01T09:00:00+08:00。"),
    "datetime_parsing": gettext_noop("应为时间，如 2026-05-01T09:00:00+08:00。"),
    "datetime_from_date_parsing": gettext_noop("应为时间，如 2026-05-01T09:00:00+08:00。"),
    "dict_type": gettext_noop("应为对象。"),
    "model_type": gettext_noop("应为对象。"),
    "model_attributes_type": gettext_noop("应为对象。"),
    "literal_error": gettext_noop("应为以下之一：%(expected)s。"),
    "enum": gettext_noop("应为以下之一：%(expected)s。"),
}


def _message(error: dict) -> str:
    """A pydantic error as a user reads it; one of a validator of ours (ValueError) says its own words."""
    context = error.get("ctx") or {}
    if error.get("type") == "value_error" and "error" in context:
        return str(context["error"])[:500]
    template = MESSAGES.get(error.get("type", ""))
    if template is None:
        return str(error.get("msg", ""))[:500]
    try:
        return _(template) % {key: str(value)[:100] for key, value in context.items()}
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", ""))[:500]


class GongjianAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The document ninja builds, plus the error answers every operation can give, in one schema."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, text in ERROR_STATUSES.items():
                    if status not in responses and int(status) not in responses:  # ninja keys by number
                        responses[int(status)] = {"description": text, "content": error}
        return schema


def build_api() -> NinjaAPI:
    api = GongjianAPI(
        title="Gongjian API",
        version="1",
        urls_namespace="api",
        auth=[TokenAuth(), django_auth],
        docs_url="/docs",
    )

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        code = getattr(exc, "code", None) or "invalid"
        if code not in CODES:
            code = "invalid"
        status = 409 if code == "stale" else 422
        body = {"code": code, "errors": _errors(exc)}
        if getattr(exc, "current_version", None) is not None:  # what a stale writer must reload
            body["current_version"] = exc.current_version
        return api.create_response(request, body, status=status)

    @api.exception_handler(NinjaValidationError)
    def unparsable(request, exc):
        """A request the schema refuses (a missing field, a word where a number goes): the same body as every
        other error, one entry per field, the field named by its path (``body.amount``, ``query.limit``)."""
        errors = [
            {
                "field": ".".join(str(part) for part in error.get("loc", ())) or None,
                "message": _message(error),
            }
            for error in exc.errors
        ]
        return api.create_response(request, {"code": "invalid", "errors": errors}, status=422)

    @api.exception_handler(HttpError)
    def refused(request, exc):
        """ninja's own refusals in the same shape: a write with no JSON body where one is required (the version
        at least) is 422; a JSON body that does not parse, 400; its other HTTP errors keep their status."""
        if exc.status_code == 400:
            if request.content_type != "application/json" or not request.body.strip():
                return api.create_response(
                    request,
                    {
                        "code": "invalid",
                        "errors": [{"field": "body", "message": _("缺少请求内容，应为 JSON。")}],
                    },
                    status=422,
                )
            return api.create_response(
                request,
                {
                    "code": "invalid",
                    "errors": [{"field": "body", "message": _("请求内容无法解析，应为有效的 JSON。")}],
                },
                status=400,
            )
        code = {401: "unauthorised", 403: "forbidden", 404: "not_found"}.get(exc.status_code, "invalid")
        return api.create_response(
            request, {"code": code, "errors": [{"field": None, "message": str(exc)}]}, status=exc.status_code
        )

    @api.exception_handler(RequestDataTooBig)
    @api.exception_handler(TooManyFieldsSent)
    def too_big(request, exc):
        """A multipart body's fields past Django's limits (the middleware answers for forms and JSON)."""
        return api.create_response(
            request,
            {"code": "invalid", "errors": [{"field": None, "message": _("请求内容过大或字段过多。")}]},
            status=400,
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return api.create_response(
            request, {"code": "forbidden", "errors": [{"field": None, "message": str(exc)}]}, status=403
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(
            request,
            {
                "code": "not_found",
                "errors": [{"field": None, "message": _("不存在，或不在您的数据范围内。")}],
            },
            status=404,
        )

    @api.exception_handler(AuthenticationError)
    def unauthorised(request, exc):
        return api.create_response(request, {"code": "unauthorised", "errors": []}, status=401)

    api.add_router("/projects", projects)
    api.add_router("/projects", exchange)
    api.add_router("/", reports)
    api.add_router("/", lights)
    api.add_router("/assess", assess)
    # The dispatch apps keep the paths they had when they were one app.
    api.add_router("/dispatch", meetings)
    api.add_router("/dispatch", assignments)
    api.add_router("/dispatch", daily)
    api.add_router("/dispatch", documents)
    api.add_router("/pipeline", pipeline)
    api.add_router("/", jobs)
    api.add_router("/land", land)
    return api


api = build_api()
