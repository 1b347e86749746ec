"""One pagination for every list of the JSON API (issue 13 item 5): ``?offset=&limit=`` in, ``{"count", "items"}``
out, on django-ninja's pagination. A list endpoint declares its page and its paginator, and returns its rows::

    @router.get("/cases", response=page_of(CaseOut))
    @paginate(Pages, most=500)
    def list_cases(request, state: str = "open"):
        return Rows(queryset, _case_out)

``offset`` and ``limit`` are bounded types, so a page a list cannot have (a negative offset, one beyond 10⁹, a
limit of 0 or past the list's most) answers 422 in the API's error shape instead of failing in the database, and
the OpenAPI document states the bounds. A query set is counted with one COUNT and only the page is read, ordered
as the endpoint orders it with the primary key last, so that no row is on two pages or on none."""

from collections.abc import Callable, Iterable
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from ninja import Schema
from ninja.pagination import PaginationBase
from pydantic import Field, create_model

MAX_OFFSET = 1_000_000_000
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000

Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="从第几条开始（0 起）")]


class Page(Schema):
    """A page of a list: how many rows the list has (with its filters), and the rows from ``offset``."""

    count: int
    items: list[Any]


_pages: dict[type, type[Page]] = {}


def page_of(item: type[Schema]) -> type[Page]:
    """The page of ``item`` rows, named after it (``CaseOut`` → ``CasePage``) and made once, so that the OpenAPI
    document has one page schema per kind of row, under one name."""
    if item not in _pages:
        name = item.__name__.removesuffix("Out") + "Page"
        if any(page.__name__ == name for page in _pages.values()):
            raise TypeError(f"two kinds of row would share the page name {name}")
        _pages[item] = create_model(name, __base__=Page, __module__=item.__module__, items=(list[item], ...))
    return _pages[item]


class Rows:
    """What a list endpoint hands the paginator: its rows — a query set, or a list (or polars frame) it computed —
    and how the rows of one page become the answer's items: ``each`` row by itself, or the ``page`` as a whole
    (when the items need a query over the page, as an assignment's progress does). ``extra`` are fields the
    answer carries beside the page (a board's totals)."""

    def __init__(
        self,
        rows: Any,
        each: Callable[[Any], Any] | None = None,
        *,
        page: Callable[[Any], Iterable[Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        self.rows, self.each, self.page, self.extra = rows, each, page, extra or {}

    def items(self, chunk: Any) -> list[Any]:
        if self.page is not None:
            return list(self.page(chunk))
        return [self.each(row) for row in chunk] if self.each is not None else list(chunk)


def stable(queryset: QuerySet) -> QuerySet:
    """``queryset`` in its own order (its ``order_by``, else its model's), with the primary key as the last key
    when no key names it, so that rows equal on every key still keep their place from page to page."""
    query = queryset.query
    ordering = list(query.order_by or (query.get_meta().ordering if query.default_ordering else []))
    if any(isinstance(key, str) and key.lstrip("-") in ("pk", query.get_meta().pk.name) for key in ordering):
        return queryset
    return queryset.order_by(*ordering, "pk")


_inputs: dict[tuple[int, int], type[Schema]] = {}


def _page_in(default: int, most: int) -> type[Schema]:
    """The query parameters of the lists with this ``default`` and ``most``, one schema (and one name in the
    document's components, where ninja lists query schemas too) for all of them."""
    if (default, most) not in _inputs:
        limit = Annotated[int, Field(ge=1, le=most, description=f"每页条数（1–{most}，默认 {default}）")]
        _inputs[default, most] = create_model(
            f"PageIn{default}Of{most}", __base__=Schema, offset=(Offset, 0), limit=(limit, default)
        )
    return _inputs[default, most]


class Pages(PaginationBase):
    """``offset`` (0–10⁹) and ``limit`` (1 to the list's ``most``, ``default`` when left out); the answer is the
    route's page schema (``page_of``), so ninja's own renaming of the answer is switched off (``Output = None``)."""

    Output = None

    def __init__(self, *, default: int = DEFAULT_LIMIT, most: int = MAX_LIMIT, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.Input = _page_in(default, most)  # ninja reads the Input of the paginator, not of its class

    def paginate_queryset(self, queryset: Any, pagination: Any, request: Any, **params: Any) -> Any:
        if isinstance(queryset, HttpResponseBase):  # an answer the endpoint made itself (one it keeps, a 304)
            return queryset
        return page(queryset, pagination.offset, pagination.limit)


def page(rows: Any, offset: int, limit: int) -> dict[str, Any]:
    """The page of ``rows`` (a :class:`Rows`, a query set or a list) from ``offset``: its items and the count."""
    rows = rows if isinstance(rows, Rows) else Rows(rows)
    source = rows.rows
    if isinstance(source, QuerySet):
        source = stable(source)
        count = source.count()
    else:
        count = len(source)
    # Past the end there is nothing to read: the page is empty, the count still the list's.
    items = rows.items(source[offset : offset + limit]) if offset < count else []
    return {**rows.extra, "count": count, "items": items}
