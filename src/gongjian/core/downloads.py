"""A file the user downloads: the content with its type, named for the browser (Chinese names included)."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header

CONTENT_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".yaml": "application/x-yaml; charset=utf-8",
}


def attachment(content: bytes | str, filename: str) -> HttpResponse:
    """A download of ``content`` named ``filename``, its type from the name's extension."""
    kind = CONTENT_TYPES.get(filename[filename.rfind(".") :].lower(), "application/octet-stream")
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
