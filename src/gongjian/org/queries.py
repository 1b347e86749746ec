"""Reading the organisation: the boundary a map of a region is drawn on."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from gongjian.core.html import escape_json_text
from gongjian.org.models import Person, Region, RegionBoundary


def boundary_for(region: Region | None) -> RegionBoundary | None:
    """The boundary to draw ``region`` on: its own, or else its nearest ancestor's (a village is drawn on its
    street's or district's); with no region, or none found, the top region's (:func:`default_boundary`)."""
    if region is not None:
        codes = [code for code in region.path.split("/") if code]
        found = (
            RegionBoundary.objects.select_related("region")
            .filter(region__code__in=codes)
            .order_by("-region__path")  # a child's path extends its parent's: the longest is the nearest
            .first()
        )
        if found is not None:
            return found
    return default_boundary()


def default_boundary() -> RegionBoundary | None:
    """The boundary of the highest region that has one (the district of a district's installation): the map a
    page opens on when no region is chosen."""
    paths = RegionBoundary.objects.values_list("pk", "region__path")
    top = min(paths, key=lambda row: (row[1].count("/"), row[1]), default=None)
    return RegionBoundary.objects.select_related("region").get(pk=top[0]) if top else None


def boundary_script_text(boundary: RegionBoundary | None) -> SafeString:
    """The boundary's GeoJSON ready to sit inside ``<script type="application/json">``: escaped as Django's
    json_script escapes (only inside JSON strings can <, > and & occur, where \\u escapes mean the same), without
    parsing and dumping a file of up to 5 MB on every page."""
    return escape_json_text(boundary.geojson) if boundary else mark_safe("null")


_NO_PERSON = object()


def person_of(user) -> Person | None:
    """The person record (org.Person) of ``user``'s account, or None (no record, or not signed in); read once for
    the user object's life. Django keeps a found one-to-one on the object but not a missing one, so an account
    without a person asked again at every ``user.person`` — twice a page in the header's 待办 counts."""
    if not getattr(user, "pk", None):
        return None
    found = user.__dict__.get("_gongjian_person", _NO_PERSON)
    if found is _NO_PERSON:
        found = user.__dict__["_gongjian_person"] = getattr(user, "person", None)
    return found
