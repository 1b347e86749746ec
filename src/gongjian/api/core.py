"""The JSON API /api/v1/: authentication by personal token (or the browser session), errors as JSON with a
code and the field, and the routers of the domain apps. Permissions and scope are the services' own."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from gongjian.accounts.services import user_for_token
from gongjian.core.audit import client_ip


class TokenAuth(HttpBearer):
    """``Authorization: Bearer gj_…`` with a token created on the user's page."""

    def authenticate(self, request, token):
        user = user_for_token(token, ip=client_ip(request))
        if user is not None:
            request.user = user  # the scoping query and the services read request.user
        return user


def _errors(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [{"field": field, "message": message}
                for field, errors in exc.message_dict.items() for message in errors]
    return [{"field": None, "message": message} for message in exc.messages]


ERROR_SCHEMA = {
    "title": "Error", "type": "object", "required": ["code", "errors"],
    "properties": {
        "code": {"type": "string", "enum": ["invalid", "stale", "locked", "state", "forbidden", "not_found",
                                             "unauthorised"]},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": ["string", "null"]}, "message": {"type": "string"}}}},
        "current_version": {"type": "integer", "description": "409 stale: the version to reload"},
    },
}
# What any endpoint may answer besides its success, through the handlers below.
ERROR_STATUSES = {"400": "请求内容不合规（控制字符、过长字段）", "401": "未登录或令牌无效", "403": "无权操作",
                  "404": "不存在或不在数据范围内", "409": "已被他人修改（stale）", "422": "数据校验未通过"}


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
    api = GongjianAPI(title="Gongjian API", version="1", urls_namespace="api", auth=[TokenAuth(), django_auth],
                      docs_url="/docs")

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        code = getattr(exc, "code", None) or "invalid"
        status = 409 if code == "stale" else 422
        body = {"code": code, "errors": _errors(exc)}
        if getattr(exc, "current_version", None) is not None:  # what a stale writer must reload
            body["current_version"] = exc.current_version
        return api.create_response(request, body, status=status)

    @api.exception_handler(NinjaValidationError)
    def unparsable(request, exc):
        """A request the schema refuses (a missing field, a word where a number goes): the same body as every
        other error, one entry per field, the field named by its path (``body.amount``, ``query.limit``)."""
        errors = [{"field": ".".join(str(part) for part in error.get("loc", ())) or None,
                   "message": str(error.get("msg", ""))[:500]} for error in exc.errors]
        return api.create_response(request, {"code": "invalid", "errors": errors}, status=422)

    @api.exception_handler(HttpError)
    def unreadable(request, exc):
        """A body that is not JSON at all (or none where one is required, such as a write's version): 422 in the
        same shape as any other refused request; ninja's other HTTP errors keep their status."""
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return api.create_response(request, {"code": "invalid", "errors": [
                {"field": "body", "message": _("请求内容不是有效的 JSON。")}]}, status=422)
        return api.create_response(request, {"code": "invalid", "errors": [{"field": None, "message": str(exc)}]},
                                   status=exc.status_code)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return api.create_response(request, {"code": "forbidden", "errors": [{"field": None, "message": str(exc)}]},
                                   status=403)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"code": "not_found", "errors": []}, status=404)

    @api.exception_handler(AuthenticationError)
    def unauthorised(request, exc):
        return api.create_response(request, {"code": "unauthorised", "errors": []}, status=401)

    from gongjian.assess.api import router as assess
    from gongjian.dispatch.api import router as dispatch
    from gongjian.dispatch.assignment_api import router as assignments
    from gongjian.dispatch.daily_api import router as daily
    from gongjian.jobs.api import router as jobs
    from gongjian.lights.api import router as lights
    from gongjian.projects.api import router as projects
    from gongjian.reports.api import router as reports

    api.add_router("/projects", projects)
    api.add_router("/", reports)
    api.add_router("/", lights)
    api.add_router("/assess", assess)
    api.add_router("/dispatch", dispatch)
    api.add_router("/dispatch", assignments)
    api.add_router("/dispatch", daily)
    api.add_router("/", jobs)
    return api


api = build_api()

