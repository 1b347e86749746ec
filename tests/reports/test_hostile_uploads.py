"""Hostile photos and evidence files: impossible EXIF dates are flagged instead of failing the upload, an image
of hundreds of megapixels is refused before it is decoded, and a case's evidence file must be non-empty and
within its size limit. Files are built here, in memory (nothing binary is committed)."""

import datetime as dt
import io
import struct
import time
import tracemalloc
import zlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongjian.accounts import services as accounts
from gongjian.lights.services import cases
from gongjian.reports import photos, services
from gongjian.reports.models import ReportPhoto
from tests.factories import ProjectFactory, UnitFactory, current_version, photo_bytes

pytestmark = pytest.mark.django_db
TOO_MANY_PIXELS = "超过 8000 万像素的上限，请缩小后再上传"


def png(width: int, height: int, idat: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def png_bomb(side: int = 20_000) -> bytes:
    """A black 1-bit PNG of side × side pixels (400 million for 20,000): 50 MB of pixel rows deflated to 50 KB,
    without deflating them all (after a full flush each block of rows deflates to the same bytes)."""
    row = bytes(1 + (side + 7) // 8)  # filter byte, then 8 pixels a byte
    block, times = row * 400, side // 400
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    once = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.flush()
    checksum = 1
    for _ in range(times):
        checksum = zlib.adler32(block, checksum)
    return png(side, side, b"\x78\xda" + once * times + end + struct.pack(">I", checksum))


@pytest.fixture
def unit(db):
    return UnitFactory(name="工信局")


@pytest.fixture
def reporter(make_user, unit):
    return make_user("unit_reporter", unit=unit, username="rep")


@pytest.fixture
def project(unit):
    return ProjectFactory(
        name="智能装备产业园",
        responsible_unit=unit,
        latitude=Decimal("34.261792"),
        longitude=Decimal("117.184806"),
    )


@pytest.fixture
def period(office_user):
    opens = timezone.now() - dt.timedelta(days=1)
    return services.open_period(
        "2026-11-2", opens_at=opens, deadline=opens + dt.timedelta(days=9), actor=office_user
    )


@pytest.fixture
def draft(project, period, reporter):
    return services.save_draft(project, period, {"amount": 1_000_000}, actor=reporter)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


# -- EXIF dates -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "taken, offset",
    [
        ("9999:99:99 99:99:99", None),
        ("0000:00:00 00:00:00", None),
        ("9999:12:31 23:59:59", "-12:00"),  # overflowed turning into local time
        ("0001:01:01 00:00:00", "+08:00"),  # overflowed turning into UTC
        ("0001:01:01 00:00:00", None),  # overflowed when saved (the database keeps UTC)
    ],
)
def test_a_photo_with_an_impossible_exif_date_is_kept_and_flagged_showing_that_date(
    draft, reporter, taken, offset
):
    (photo,) = services.add_photos(
        draft,
        [upload("现场.jpg", photo_bytes(taken=taken, offset=offset))],
        actor=reporter,
        expected_version=current_version(draft),
    )

    photo.refresh_from_db()
    assert photo.taken_at is None
    assert photo.flags == [
        {"code": "no_time", "text": f"照片记录的拍摄时间“{taken}”无效，无法核对是否本期拍摄"}
    ]


def test_a_nonsense_utc_offset_is_ignored_and_the_time_taken_as_local(draft, reporter):
    (photo,) = services.add_photos(
        draft,
        [upload("现场.jpg", photo_bytes(taken="2026:11:12 10:30:00", offset="+99:99"))],
        actor=reporter,
        expected_version=current_version(draft),
    )

    assert photo.taken_at == timezone.make_aware(dt.datetime(2026, 11, 12, 10, 30))
    assert photo.flags == []


def test_the_report_page_shows_an_impossible_date_as_a_flag_not_an_error(client, reporter, project, period):
    client.force_login(reporter)
    url = f"/reports/{project.pk}/{period.pk}/"
    data = {
        "amount": "100",
        "progress_percent": "10",
        "workers": "20",
        "problems-TOTAL_FORMS": "0",
        "problems-INITIAL_FORMS": "0",
        "save": "1",
    }

    response = client.post(
        url, {**data, "photos": [upload("旧相机.jpg", photo_bytes(taken="0001:01:01 00:00:00"))]}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert "照片记录的拍摄时间“0001:01:01 00:00:00”无效" in client.get(url).content.decode()


# -- decompression bombs --------------------------------------------------------------------------------------


def test_a_decompression_bomb_png_is_refused_quickly_with_the_pixel_limit_named_and_nothing_saved(
    draft, reporter
):
    bomb = png_bomb()
    assert len(bomb) < 100_000
    tracemalloc.start()
    started = time.perf_counter()

    with pytest.raises(ValidationError) as refused:
        services.add_photos(
            draft,
            [upload("现场.jpg", photo_bytes()), upload("炸弹.png", bomb)],
            actor=reporter,
            expected_version=current_version(draft),
        )

    elapsed, (_now, peak) = time.perf_counter() - started, tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert refused.value.messages == [f"炸弹.png：图片像素过多，{TOO_MANY_PIXELS}"]
    assert elapsed < 2 and peak < 50 * 1024 * 1024
    assert not ReportPhoto.objects.exists()


def test_an_image_of_100_megapixels_is_refused_before_it_is_decoded_naming_its_size():
    with pytest.warns(Warning), pytest.raises(photos.NotAPhoto) as refused:  # Pillow warns above 89 M pixels
        photos.read(io.BytesIO(png(10_000, 10_000, b"")))

    assert str(refused.value) == f"图片过大（10000×10000 像素），{TOO_MANY_PIXELS}"


def test_the_page_and_the_api_answer_a_decompression_bomb_with_a_4xx(
    client, reporter, project, period, draft
):
    client.force_login(reporter)
    data = {
        "amount": "100",
        "progress_percent": "10",
        "workers": "20",
        "problems-TOTAL_FORMS": "0",
        "problems-INITIAL_FORMS": "0",
        "save": "1",
        "version": str(draft.version),
    }

    page = client.post(
        f"/reports/{project.pk}/{period.pk}/", {**data, "photos": [upload("炸弹.png", png_bomb())]}
    )

    assert page.status_code == 400
    assert f"炸弹.png：图片像素过多，{TOO_MANY_PIXELS}" in page.content.decode()
    _token, secret = accounts.create_api_token(reporter, "手机端", actor=reporter)
    api = client.post(
        f"/api/v1/reports/{draft.pk}/photos",
        {"files": [upload("炸弹.png", png_bomb())], "version": draft.version},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert api.status_code == 422
    assert api.json()["errors"][0]["message"] == f"炸弹.png：图片像素过多，{TOO_MANY_PIXELS}"
    assert not ReportPhoto.objects.exists()


# -- a case's evidence ----------------------------------------------------------------------------------------


@pytest.fixture
def case(unit, project):
    return cases.open_case(
        project,
        kind="light",
        title="智能装备产业园 亮红灯",
        reasons=["投资完成率 38%"],
        owner=unit,
        period_code="2026-11-3",
    )


def test_evidence_that_is_empty_or_too_large_is_refused_naming_it_and_nothing_is_recorded(
    case, make_user, unit, monkeypatch
):
    owner = make_user("unit_reporter", unit=unit, username="owner")
    monkeypatch.setattr(cases, "MAX_EVIDENCE_BYTES", 1024 * 1024)
    events = case.events.count()

    with pytest.raises(ValidationError) as empty:
        cases.act(
            case,
            "已约谈业主",
            actor=owner,
            evidence=SimpleUploadedFile("空白.jpg", b""),
            expected_version=case.version,
        )
    with pytest.raises(ValidationError) as large:
        cases.resolve(
            case,
            "已完成",
            actor=owner,
            evidence=SimpleUploadedFile("扫描件.pdf", b"%PDF" + bytes(1024 * 1024)),
            expected_version=case.version,
        )

    assert empty.value.message_dict == {"evidence": ["空白.jpg：文件是空的。"]}
    assert large.value.message_dict == {"evidence": ["扫描件.pdf：文件超过 1 MB。"]}
    case.refresh_from_db()
    assert case.state == "new" and case.events.count() == events
