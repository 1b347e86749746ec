"""Reading a region's boundary (行政区划边界) from a GeoJSON file the project office uploads.

Plain Python, no Django: bytes in, a :class:`Boundary` out (the file as one FeatureCollection of polygons, in
compact JSON, with its digest and extent), or :class:`BoundaryError` saying in Chinese what is wrong with the file
so the office can fix it: not JSON, not GeoJSON, not a polygon, too big, or coordinates that are not longitude and
latitude (a file in projected metres, as surveying offices often hand out, is the usual case).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

MAX_BYTES = 5 * 1024 * 1024  # a district's boundary at survey detail is a few hundred KB; a page embeds it
AREAL = ("Polygon", "MultiPolygon")
KNOWN_TYPES = (
    "FeatureCollection",
    "Feature",
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
)
GEOMETRY_NAMES = {
    "Point": "点",
    "MultiPoint": "多点",
    "LineString": "线",
    "MultiLineString": "多线",
    "GeometryCollection": "几何集合",
}


class BoundaryError(ValueError):
    """The file is not a boundary this system can draw; the message says why, in Chinese."""


@dataclass(frozen=True)
class Boundary:
    text: str  # the normalised FeatureCollection as compact JSON
    sha256: str  # of the uploaded bytes, so the audit trail names the very file
    size: int  # bytes uploaded
    features: int
    bbox: tuple[float, float, float, float]  # west, south, east, north

    def summary(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "size": self.size,
            "features": self.features,
            "bbox": list(self.bbox),
        }


def _size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{math.ceil(n / 1024)} KB"


def check_size(size: int, max_bytes: int | None = None) -> None:
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    if size > max_bytes:
        raise BoundaryError(
            f"文件过大（{_size_text(size)}），边界文件不能超过 {_size_text(max_bytes)}；"
            "请在制图软件中简化边界（如抽稀节点）后再上传。"
        )


def read(data: bytes, *, max_bytes: int | None = None) -> Boundary:
    """Check ``data`` (an uploaded file) and return it as a :class:`Boundary`; :class:`BoundaryError` otherwise."""
    check_size(len(data), max_bytes)
    if not data.strip():
        raise BoundaryError("文件是空的，请选择行政区划边界的 GeoJSON 文件。")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BoundaryError(
            "文件不是 UTF-8 编码的文本，无法作为 GeoJSON 读取；请另存为 UTF-8 编码后上传。"
        ) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BoundaryError(
            f"文件不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列附近有误），请上传 GeoJSON 格式的边界文件。"
        ) from None
    features = _features(document)
    west = south = math.inf
    east = north = -math.inf
    for number, feature in enumerate(features, start=1):
        for lon, lat in _positions(feature["geometry"], number):
            west, east = min(west, lon), max(east, lon)
            south, north = min(south, lat), max(north, lat)
    collection = {"type": "FeatureCollection", "features": features}
    return Boundary(
        text=json.dumps(collection, ensure_ascii=False, separators=(",", ":")),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        features=len(features),
        bbox=(west, south, east, north),
    )


def _features(document: Any) -> list[dict[str, Any]]:
    """The document's polygon features, each {"type": "Feature", "properties": {...}, "geometry": {...}}."""
    kind = document.get("type") if isinstance(document, dict) else None
    if kind not in KNOWN_TYPES:
        raise BoundaryError(
            "文件是 JSON 但不是 GeoJSON：缺少或无法识别 type 字段；"
            "应为 FeatureCollection、Feature、Polygon 或 MultiPolygon。"
        )
    if kind == "FeatureCollection":
        items = document.get("features")
        if not isinstance(items, list):
            raise BoundaryError("GeoJSON 的 FeatureCollection 缺少 features 列表。")
        if not items:
            raise BoundaryError("GeoJSON 中没有任何要素（features 为空），无法绘制边界。")
        return [_feature(item, number) for number, item in enumerate(items, start=1)]
    if kind == "Feature":
        return [_feature(document, 1)]
    return [_feature({"type": "Feature", "properties": {}, "geometry": document}, 1)]


def _feature(item: Any, number: int) -> dict[str, Any]:
    if not isinstance(item, dict) or item.get("type") != "Feature":
        raise BoundaryError(f"第 {number} 个要素不是 GeoJSON 的 Feature。")
    geometry = item.get("geometry")
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in AREAL:
        what = GEOMETRY_NAMES.get(kind or "", "")
        found = f"是{what}（{kind}）" if what else "缺少几何图形"
        raise BoundaryError(f"第 {number} 个要素{found}；行政区划边界须是面（Polygon 或 MultiPolygon）。")
    properties = item.get("properties")
    name = properties.get("name") if isinstance(properties, dict) else None
    return {
        "type": "Feature",
        # ECharts names each region of a map by its "name"; one without a name still draws.
        "properties": {"name": str(name)} if name not in (None, "") else {"name": f"区域{number}"},
        "geometry": {"type": kind, "coordinates": geometry.get("coordinates")},
    }


def _positions(geometry: dict[str, Any], number: int):
    """Every position of a polygon feature as (lon, lat), checking the nesting and the range as it goes."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    if not isinstance(polygons, list) or not polygons:
        raise BoundaryError(f"第 {number} 个要素的坐标为空或格式不对。")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise BoundaryError(f"第 {number} 个要素的坐标格式不对：面应由一个或多个环组成。")
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                raise BoundaryError(f"第 {number} 个要素的坐标格式不对：每个环至少要有 4 个坐标点。")
            for position in ring:
                if (
                    not isinstance(position, list)
                    or len(position) < 2
                    or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2])
                    or not all(math.isfinite(v) for v in position[:2])
                ):
                    raise BoundaryError(
                        f"第 {number} 个要素的坐标格式不对：每个坐标应为 [经度, 纬度] 两个数字。"
                    )
                lon, lat = float(position[0]), float(position[1])
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise BoundaryError(
                        f"第 {number} 个要素的坐标 [{position[0]}, {position[1]}] 超出经纬度范围"
                        "（经度 −180～180，纬度 −90～90）；请使用经纬度坐标（CGCS2000 或 WGS-84），"
                        "不要使用投影坐标。"
                    )
                yield lon, lat
