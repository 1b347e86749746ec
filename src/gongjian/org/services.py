"""Changes to the organisation's reference data that need more than the admin's generic save: a region's
boundary (行政区划边界), checked, versioned, kept as a revision and audited in one transaction."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit
from gongjian.core.locking import check_version, raced
from gongjian.org import geojson
from gongjian.org.models import Region, RegionBoundary, RegionBoundaryRevision

WHAT = "行政区划边界"


def read_boundary(data: bytes) -> geojson.Boundary:
    """The uploaded file as a boundary, or a ValidationError with what is wrong with it (in Chinese)."""
    try:
        return geojson.read(data)
    except geojson.BoundaryError as exc:
        raise ValidationError(str(exc), code="invalid_boundary") from None


def _summary(boundary: RegionBoundary) -> dict:
    return {
        "version": boundary.version,
        "file_name": boundary.file_name,
        "sha256": boundary.sha256,
        "size": boundary.size,
        "features": boundary.features,
        "bbox": boundary.bbox,
    }


@transaction.atomic
def save_boundary(
    region: Region,
    data: bytes | geojson.Boundary,
    *,
    file_name: str = "",
    actor=None,
    expected_version: int | None = None,
    ip_address: str | None = None,
) -> RegionBoundary:
    """Give ``region`` the boundary in ``data`` (the uploaded file, or one already read by :func:`read_boundary`),
    replacing the one it has when ``expected_version`` is that one's version (a stale write is refused, see
    core/locking). Keeps the upload as a revision and audits it with the file's digest, not its content (the
    revision holds that). ``actor`` None is the command line or the demo loader."""
    boundary_data = data if isinstance(data, geojson.Boundary) else read_boundary(data)
    current = RegionBoundary.objects.select_for_update().filter(region=region).first()
    needed = "org.change_regionboundary" if current else "org.add_regionboundary"
    if actor is not None and not actor.has_perm(needed):
        raise PermissionDenied(_("只有项目办可以上传行政区划边界。"))
    before = None
    if current is None:
        boundary = RegionBoundary(region=region, version=1)
    else:
        check_version(current.version, expected_version, WHAT)
        before = _summary(current)
        boundary = current
        boundary.version = current.version + 1
    now = timezone.now()
    boundary.geojson = boundary_data.text
    boundary.file_name = file_name[:255]
    boundary.sha256 = boundary_data.sha256
    boundary.size = boundary_data.size
    boundary.features = boundary_data.features
    boundary.bbox = [round(v, 6) for v in boundary_data.bbox]
    boundary.uploaded_by = audit.actor_or_none(actor)
    boundary.uploaded_at = now
    try:
        with transaction.atomic():
            boundary.save()
    except IntegrityError:
        raise raced(WHAT) from None
    revision = RegionBoundaryRevision.objects.create(
        boundary=boundary,
        version=boundary.version,
        geojson=boundary.geojson,
        file_name=boundary.file_name,
        sha256=boundary.sha256,
        uploaded_by=boundary.uploaded_by,
        uploaded_at=now,
    )
    audit.record(
        "org.regionboundary.upload",
        actor=actor,
        obj=boundary,
        before=before,
        after=_summary(boundary) | {"revision": revision.pk},
        only_changes=False,
        ip_address=ip_address,
        note=_("上传%(region)s边界文件 %(file)s") % {"region": region.name, "file": file_name or "—"},
    )
    return boundary
