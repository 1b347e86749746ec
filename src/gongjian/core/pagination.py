"""The API lists' ``limit`` and ``offset``: bounded types, so a list answers 422 for a page it cannot have (a
negative offset, one beyond 10⁹, a limit of a million) instead of failing in the database, and the OpenAPI
document says the bounds."""

from typing import Annotated

from pydantic import Field

MAX_OFFSET = 1_000_000_000

Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="从第几条开始（0 起）")]
Limit = Annotated[int, Field(ge=1, le=1000, description="每页条数（1–1000）")]
