"""Site photos (项目进展实景照片): what a photo says about itself, and whether that fits the report it is in.

A phone writes the moment a photo was taken and where (EXIF DateTimeOriginal and the GPS block) into the file.
A photo taken long before the period, or far from the project's site, may be an old or borrowed picture: it is
flagged for the reviewer, never refused, because a photo without EXIF (a screenshot, a messaging app that strips
it) can still be honest. Reading uses Pillow; the checks are plain functions over the figures. No Django.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PIXELS = 80_000_000  # refused before decoding beyond this (a decompression bomb); phones save 12–50 M
THUMBNAIL_SIDE = 640
EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)

# EXIF tags (CIPA DC-008): IFD pointers, and the tags we read from them.
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATETIME, _DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL = 0x0132, 0x9003, 0x9011
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON = 1, 2, 3, 4
# A camera clock outside these years was never set or is broken; such a time is shown, not used. (Moments near
# year 1 or 9999 also overflow when turned into UTC.)
_YEARS = range(1970, 2100)
_MAX_OFFSET = timedelta(hours=14)  # UTC offsets in use run from −12:00 to +14:00
_OFFSET = re.compile(r"([+-])(\d\d):([0-5]\d)")


class NotAPhoto(ValueError):
    """The file is not an image we accept; the message says why in words a reporter understands."""


@dataclass(frozen=True)
class PhotoMeta:
    """What the file says: its format and size, and (when the camera wrote them) when and where it was taken.
    ``taken_at`` is aware when the camera recorded its UTC offset, otherwise naive local time."""

    format: str
    width: int
    height: int
    taken_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    unusable_time: str = ""  # what the camera wrote when it is no real moment ("0000:00:00 00:00:00")

    @property
    def content_type(self) -> str:
        return ACCEPTED_FORMATS[self.format]


@dataclass(frozen=True)
class Flag:
    """Something the reviewer should look at; ``code`` is stable for the API."""

    code: str
    text: str


@dataclass(frozen=True)
class Limits:
    """How old (days before the period starts) and how far (metres from the site) a photo may be unflagged."""

    max_days_before: int = 15
    max_distance_m: int = 2000


def read(stream: IO[bytes]) -> PhotoMeta:
    """The photo's format, size, time and place. Raises NotAPhoto for anything that is not a JPEG, PNG or WebP
    image Pillow can decode, or that has more than MAX_PIXELS pixels."""
    too_many = f"超过 {MAX_PIXELS // 10_000} 万像素的上限，请缩小后再上传"
    try:
        with Image.open(stream) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise NotAPhoto(f"不支持 {image.format} 格式，请上传 JPEG、PNG 或 WebP 照片")
            if image.width * image.height > MAX_PIXELS:
                raise NotAPhoto(f"图片过大（{image.width}×{image.height} 像素），{too_many}")
            image.load()  # decodes every pixel: a truncated or corrupt file fails here, not on the reviewer's screen
            exif = image.getexif()
            taken_at, unusable_time = _taken_at(exif)
            latitude, longitude = _position(exif.get_ifd(_GPS_IFD))
            return PhotoMeta(
                image.format or "", image.width, image.height, taken_at, latitude, longitude, unusable_time
            )
    except NotAPhoto:
        raise
    except Image.DecompressionBombError as exc:  # Pillow refuses it before we see its size
        raise NotAPhoto(f"图片像素过多，{too_many}") from exc
    except UnidentifiedImageError as exc:
        raise NotAPhoto("不是可识别的图片文件（手机 HEIC 照片请先转为 JPEG）") from exc
    except (OSError, SyntaxError, ValueError) as exc:  # truncated or corrupt files
        raise NotAPhoto(f"图片文件已损坏：{exc}") from exc


def thumbnail(stream: IO[bytes]) -> bytes:
    """A JPEG at most THUMBNAIL_SIDE pixels on its longer side, turned upright as the camera meant it."""
    stream.seek(0)
    with Image.open(stream) as image:
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        out = io.BytesIO()
        upright.convert("RGB").save(out, "JPEG", quality=80, optimize=True)
        return out.getvalue()


def _taken_at(exif: Image.Exif) -> tuple[datetime | None, str]:
    """When the photo was taken, and — when the camera wrote something that is no real moment — what it wrote."""
    details = exif.get_ifd(_EXIF_IFD)
    text = details.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    if not isinstance(text, str):
        return None, ""
    written = "".join(c for c in text.strip("\x00 ")[:19] if c.isprintable())
    try:
        moment = datetime.strptime(written, "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None, written  # cameras write "0000:00:00 00:00:00" when their clock was never set
    if moment.year not in _YEARS:
        return None, written
    offset = details.get(_OFFSET_TIME_ORIGINAL)
    found = _OFFSET.fullmatch(offset.strip()) if isinstance(offset, str) else None
    if found:
        delta = timedelta(hours=int(found[2]), minutes=int(found[3]))
        if delta <= _MAX_OFFSET:  # a nonsense offset is dropped; the time is then taken as local
            return moment.replace(tzinfo=timezone(-delta if found[1] == "-" else delta)), ""
    return moment, ""


def _degrees(value: object) -> float | None:
    """EXIF writes a coordinate as three rationals: degrees, minutes, seconds."""
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if any(math.isnan(x) for x in (d, m, s)):
        return None
    return d + m / 60 + s / 3600


def _position(gps: dict[int, object]) -> tuple[float | None, float | None]:
    latitude, longitude = _degrees(gps.get(_GPS_LAT)), _degrees(gps.get(_GPS_LON))
    if latitude is None or longitude is None:
        return None, None
    if gps.get(_GPS_LAT_REF) == "S":
        latitude = -latitude
    if gps.get(_GPS_LON_REF) == "W":
        longitude = -longitude
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or (latitude == 0 and longitude == 0):
        return None, None  # (0, 0) is what a phone writes before it has a fix
    return round(latitude, 6), round(longitude, 6)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine): plenty for "is this photo on the site"."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def check(
    meta: PhotoMeta,
    *,
    period_start: date,
    taken_local: datetime | None,
    uploaded_local: datetime,
    site: tuple[Decimal | float, Decimal | float] | None,
    limits: Limits = Limits(),
) -> tuple[list[Flag], int | None]:
    """The flags for a photo in a report whose period starts on ``period_start``, and its distance from the
    ``site`` (latitude, longitude) in metres when both are known. ``taken_local`` and ``uploaded_local`` are
    the photo's time and the upload's time in local (Asia/Shanghai) time, naive."""
    flags: list[Flag] = []
    if taken_local is None and meta.unusable_time:
        flags.append(Flag("no_time", f"照片记录的拍摄时间“{meta.unusable_time}”无效，无法核对是否本期拍摄"))
    elif taken_local is None:
        flags.append(Flag("no_time", "照片没有拍摄时间信息，无法核对是否本期拍摄"))
    else:
        earliest = period_start - timedelta(days=limits.max_days_before)
        if taken_local.date() < earliest:
            days = (period_start - taken_local.date()).days
            flags.append(
                Flag("taken_before_period", f"拍摄于 {taken_local:%Y-%m-%d}，早于本期开始 {days} 天")
            )
        if taken_local > uploaded_local + timedelta(days=1):
            flags.append(
                Flag(
                    "taken_after_upload",
                    f"拍摄时间 {taken_local:%Y-%m-%d %H:%M} 晚于上传时间，相机时间可能有误",
                )
            )
    distance: int | None = None
    if meta.latitude is None or meta.longitude is None:
        flags.append(Flag("no_location", "照片没有 GPS 位置信息，无法核对是否在项目现场拍摄"))
    elif site is not None:
        distance = round(distance_m(meta.latitude, meta.longitude, float(site[0]), float(site[1])))
        if distance > limits.max_distance_m:
            flags.append(Flag("far_from_site", f"拍摄地点距项目现场 {_km(distance)}"))
    return flags, distance


def _km(metres: int) -> str:
    return f"{metres} 米" if metres < 1000 else f"{metres / 1000:.1f} 公里"
