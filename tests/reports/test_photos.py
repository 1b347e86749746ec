"""Site photos: EXIF time and GPS read from the file, flags for old or far-away photos (never a refusal), storage
served only within scope, and the same through the form and the API."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from gongjian.accounts import services as accounts
from gongjian.core.models import AuditEvent
from gongjian.reports import photos, services
from gongjian.reports.models import ReportPhoto
from tests.factories import ProjectFactory, UnitFactory, current_version, photo_bytes

SITE = (Decimal("34.261792"), Decimal("117.184806"))  # a site in 泉山区, 徐州
PERIOD_START = dt.date(2026, 11, 11)  # 2026年11月中旬
UPLOADED = dt.datetime(2026, 11, 21, 9, 0)


def meta_of(data: bytes) -> photos.PhotoMeta:
    return photos.read(io.BytesIO(data))


def flags_of(data: bytes, site=SITE, limits=None):
    meta = meta_of(data)
    local = (
        meta.taken_at.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
        if meta.taken_at and meta.taken_at.tzinfo
        else meta.taken_at
    )
    flags, distance = photos.check(
        meta,
        period_start=PERIOD_START,
        taken_local=local,
        uploaded_local=UPLOADED,
        site=site,
        limits=limits or photos.Limits(),
    )
    return [f.code for f in flags], distance, [f.text for f in flags]


# -- reading the file ---------------------------------------------------------------------------------------------


def test_a_phone_photo_gives_its_time_with_offset_and_its_position():
    meta = meta_of(photo_bytes(taken="2026:11:12 10:30:00", offset="+08:00", at=(34.261792, 117.184806)))
    assert (meta.format, meta.width, meta.height) == ("JPEG", 800, 600)
    assert meta.taken_at == dt.datetime(2026, 11, 12, 2, 30, tzinfo=dt.UTC)
    assert (meta.latitude, meta.longitude) == pytest.approx((34.261792, 117.184806), abs=2e-6)


def test_southern_and_western_references_give_negative_degrees_and_a_zero_fix_is_no_position():
    meta = meta_of(photo_bytes(at=(-33.8688, -70.6693)))
    assert (meta.latitude, meta.longitude) == pytest.approx((-33.8688, -70.6693), abs=2e-6)
    assert meta_of(photo_bytes(at=(0.0, 0.0))).latitude is None


def test_a_png_screenshot_without_exif_is_a_photo_with_no_time_and_no_place():
    meta = meta_of(photo_bytes(taken=None, at=None, fmt="PNG"))
    assert (meta.format, meta.content_type, meta.taken_at, meta.latitude) == ("PNG", "image/png", None, None)


@pytest.mark.parametrize(
    "data, says",
    [
        (b"%PDF-1.7 not a photo", "不是可识别的图片文件"),
        (photo_bytes()[:1500], "损坏"),
        (photo_bytes(fmt="GIF", taken=None, at=None), "不支持 GIF"),
    ],
)
def test_a_file_that_is_not_an_accepted_photo_is_refused_with_the_reason(data, says):
    with pytest.raises(photos.NotAPhoto, match=says):
        meta_of(data)


def test_a_camera_that_never_set_its_clock_gives_no_time():
    assert meta_of(photo_bytes(taken="0000:00:00 00:00:00")).taken_at is None


def test_the_thumbnail_is_a_small_jpeg():
    from PIL import Image

    thumb = photos.thumbnail(io.BytesIO(photo_bytes(size=(4000, 3000))))
    with Image.open(io.BytesIO(thumb)) as image:
        assert (image.format, max(image.size)) == ("JPEG", 640)


# -- the flags ----------------------------------------------------------------------------------------------------


def test_a_photo_taken_on_site_during_the_period_has_no_flag():
    codes, distance, _texts = flags_of(photo_bytes(taken="2026:11:15 09:00:00"))
    assert codes == [] and distance == 0


def test_fifteen_days_before_the_period_is_still_fine_sixteen_is_flagged_with_the_date():
    assert flags_of(photo_bytes(taken="2026:10:27 12:00:00"))[0] == []
    codes, _d, texts = flags_of(photo_bytes(taken="2026:10:26 12:00:00"))
    assert codes == ["taken_before_period"] and texts == ["拍摄于 2026-10-26，早于本期开始 16 天"]


def test_time_without_offset_is_local_time():
    assert flags_of(photo_bytes(taken="2026:10:27 00:30:00", offset=None))[0] == []


def test_a_photo_three_kilometres_away_is_flagged_with_the_distance():
    # 0.027° of latitude is about 3.0 km
    codes, distance, texts = flags_of(photo_bytes(at=(34.261792 + 0.027, 117.184806)))
    assert codes == ["far_from_site"] and 2900 < distance < 3100
    assert texts == [f"拍摄地点距项目现场 {distance / 1000:.1f} 公里"]


def test_the_limits_are_settings():
    data = photo_bytes(at=(34.261792 + 0.009, 117.184806))  # about 1 km
    assert flags_of(data)[0] == []
    assert flags_of(data, limits=photos.Limits(max_distance_m=500))[0] == ["far_from_site"]


def test_no_exif_gives_two_flags_and_a_project_without_coordinates_gives_no_distance():
    assert flags_of(photo_bytes(taken=None, at=None))[0] == ["no_time", "no_location"]
    assert flags_of(photo_bytes(), site=None)[:2] == ([], None)


def test_a_photo_dated_after_the_upload_is_flagged_as_a_wrong_camera_clock():
    assert flags_of(photo_bytes(taken="2027:01:05 08:00:00"))[0] == ["taken_after_upload"]


def test_distance_of_one_degree_of_latitude():
    assert photos.distance_m(34, 117, 35, 117) == pytest.approx(111_195, rel=1e-3)


coords = st.tuples(st.floats(-89, 89), st.floats(-179, 179))


@given(coords, coords, coords)
def test_distance_is_symmetric_non_negative_and_obeys_the_triangle_inequality(a, b, c):
    ab, ba = photos.distance_m(*a, *b), photos.distance_m(*b, *a)
    assert ab >= 0 and ab == pytest.approx(ba, abs=1e-6)
    assert ab <= photos.distance_m(*a, *c) + photos.distance_m(*c, *b) + 1e-3


# -- services -----------------------------------------------------------------------------------------------------


@pytest.fixture
def unit(db):
    return UnitFactory(name="工信局")


@pytest.fixture
def reporter(make_user, unit):
    return make_user("unit_reporter", unit=unit, username="rep")


@pytest.fixture
def project(unit):
    return ProjectFactory(name="智能装备产业园", responsible_unit=unit, latitude=SITE[0], longitude=SITE[1])


@pytest.fixture
def period(office_user):
    opens = timezone.now() - dt.timedelta(days=1)
    return services.open_period(
        "2026-11-2", opens_at=opens, deadline=opens + dt.timedelta(days=9), actor=office_user
    )


@pytest.fixture
def draft(project, period, reporter):
    return services.save_draft(project, period, {"amount": 1_000_000}, actor=reporter)


def upload(name="现场.jpg", **kwargs):
    return SimpleUploadedFile(name, photo_bytes(**kwargs), content_type="image/jpeg")


def test_adding_photos_keeps_the_file_a_thumbnail_the_exif_and_the_flags_and_audits_it(
    draft, reporter, settings
):
    near, far = services.add_photos(
        draft,
        [upload("近.jpg"), upload("远.jpg", at=(34.40, 117.184806))],
        actor=reporter,
        caption="主体施工",
        expected_version=current_version(draft),
    )
    assert near.flags == [] and near.distance_m == 0 and near.caption == "主体施工"
    assert near.taken_at == timezone.make_aware(dt.datetime(2026, 11, 12, 10, 30))
    assert [f["code"] for f in far.flags] == ["far_from_site"] and far.distance_m > 15_000
    assert Path(settings.MEDIA_ROOT, near.image.name).read_bytes()[:2] == b"\xff\xd8"
    assert Path(settings.MEDIA_ROOT, near.thumbnail.name).exists()
    events = AuditEvent.objects.filter(action="report.photo.add").order_by("id")
    assert events.count() == 2 and events.last().after["flags"] == ["far_from_site"]


def test_the_same_file_twice_is_kept_once(draft, reporter):
    services.add_photos(draft, [upload()], actor=reporter, expected_version=current_version(draft))
    assert (
        services.add_photos(
            draft, [upload("again.jpg")], actor=reporter, expected_version=current_version(draft)
        )
        == []
    )
    assert draft.photos.count() == 1


def test_a_submitted_report_takes_no_more_photos_and_keeps_its_own(draft, reporter):
    (photo,) = services.add_photos(draft, [upload()], actor=reporter, expected_version=current_version(draft))
    services.submit_report(draft, actor=reporter, expected_version=current_version(draft))
    with pytest.raises(ValidationError, match="不能再添加照片"):
        services.add_photos(
            draft, [upload(colour="red")], actor=reporter, expected_version=current_version(draft)
        )
    with pytest.raises(ValidationError, match="不能删除照片"):
        services.remove_photo(photo, actor=reporter, expected_version=current_version(draft))
    assert draft.revisions.get().data["photos"][0]["name"] == "现场.jpg"


def test_someone_outside_the_project_scope_cannot_add_photos(draft, make_user):
    stranger = make_user("unit_reporter", unit=UnitFactory(name="住建局"))
    with pytest.raises(PermissionDenied):
        services.add_photos(draft, [upload()], actor=stranger, expected_version=current_version(draft))


def test_a_bad_file_among_good_ones_saves_none_of_them_and_leaves_no_file(draft, reporter, settings):
    bad = SimpleUploadedFile("说明.pdf", b"%PDF-1.7", content_type="application/pdf")
    with pytest.raises(ValidationError, match=r"说明\.pdf：不是可识别的图片文件"):
        services.add_photos(draft, [upload(), bad], actor=reporter, expected_version=current_version(draft))
    assert draft.photos.count() == 0
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_too_many_and_too_large_are_refused(draft, reporter, settings):
    settings.GONGJIAN_PHOTOS_PER_REPORT = 2
    with pytest.raises(ValidationError, match="最多 2 张"):
        services.add_photos(
            draft,
            [upload(colour=c) for c in ("red", "blue", "white")],
            actor=reporter,
            expected_version=current_version(draft),
        )
    settings.GONGJIAN_PHOTO_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError, match="超过 1 MB"):
        services.add_photos(
            draft,
            [SimpleUploadedFile("big.jpg", b"\xff" * (1024 * 1024 + 1))],
            actor=reporter,
            expected_version=current_version(draft),
        )


def test_removing_a_photo_deletes_its_files_once_the_change_is_committed(
    draft, reporter, settings, django_capture_on_commit_callbacks
):
    (photo,) = services.add_photos(draft, [upload()], actor=reporter, expected_version=current_version(draft))
    files = [Path(settings.MEDIA_ROOT, photo.image.name), Path(settings.MEDIA_ROOT, photo.thumbnail.name)]
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_photo(photo, actor=reporter, expected_version=current_version(draft))
    assert not ReportPhoto.objects.exists() and not any(f.exists() for f in files)
    assert AuditEvent.objects.filter(action="report.photo.remove").count() == 1


# -- the page -----------------------------------------------------------------------------------------------------


def form_data(period, **extra):
    return {
        "amount": "100",
        "progress_percent": "10",
        "workers": "20",
        "problems-TOTAL_FORMS": "0",
        "problems-INITIAL_FORMS": "0",
        "save": "1",
        **extra,
    }


def test_photos_uploaded_with_the_form_show_with_their_flags(client, reporter, project, period):
    client.force_login(reporter)
    url = f"/reports/{project.pk}/{period.pk}/"
    response = client.post(
        url,
        {**form_data(period), "photos": [upload("近.jpg"), upload("旧.jpg", taken="2026:08:01 10:00:00")]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get(url).content.decode()
    assert html.count('data-photo="') == 2
    assert "拍摄于 2026-08-01，早于本期开始 102 天" in html
    photo = ReportPhoto.objects.get(original_name="近.jpg")
    assert client.get(f"/reports/photos/{photo.pk}/thumbnail/")["Content-Type"] == "image/jpeg"


def test_a_file_that_is_not_a_photo_is_refused_on_the_form_and_nothing_is_saved(
    client, reporter, project, period
):
    client.force_login(reporter)
    bad = SimpleUploadedFile("合同.docx", b"PK\x03\x04 not an image")
    response = client.post(f"/reports/{project.pk}/{period.pk}/", {**form_data(period), "photos": [bad]})
    assert response.status_code == 400
    assert "合同.docx：不是可识别的图片文件" in response.content.decode()
    assert not project.reports.exists()


def test_ticking_remove_takes_a_photo_off_the_draft(client, reporter, draft, project, period):
    (photo,) = services.add_photos(draft, [upload()], actor=reporter, expected_version=current_version(draft))
    client.force_login(reporter)
    data = form_data(period, version=str(current_version(draft)), remove=[str(photo.pk)])
    assert client.post(f"/reports/{project.pk}/{period.pk}/", data).status_code == 302
    assert not draft.photos.exists()


def test_a_photo_is_served_only_to_those_who_may_see_the_project(client, draft, reporter, make_user):
    (photo,) = services.add_photos(draft, [upload()], actor=reporter, expected_version=current_version(draft))
    client.force_login(make_user("unit_reporter", unit=UnitFactory(name="住建局")))
    assert client.get(f"/reports/photos/{photo.pk}/").status_code == 404
    client.force_login(reporter)
    response = client.get(f"/reports/photos/{photo.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    client.logout()
    assert client.get(f"/reports/photos/{photo.pk}/").status_code == 302  # to the login page


# -- the API ------------------------------------------------------------------------------------------------------


def test_photos_are_added_listed_and_removed_through_the_api(client, draft, reporter):
    _token, secret = accounts.create_api_token(reporter, "手机端", actor=reporter)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    url = f"/api/v1/reports/{draft.pk}/photos"
    created = client.post(
        url,
        {
            "files": [upload("a.jpg"), upload("b.jpg", at=None, colour="red")],
            "caption": "基础施工",
            "version": draft.version,
        },
        **auth,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert [(p["original_name"], [f["code"] for f in p["flags"]]) for p in body] == [
        ("a.jpg", []),
        ("b.jpg", ["no_location"]),
    ]
    assert body[0]["distance_m"] == 0 and body[0]["url"] == f"/reports/photos/{body[0]['id']}/"
    assert client.get(url, **auth).json()["count"] == 2
    bad = client.post(
        url, {"files": [SimpleUploadedFile("x.txt", b"hello")], "version": current_version(draft)}, **auth
    )
    assert bad.status_code == 422 and "不是可识别的图片文件" in bad.json()["errors"][0]["message"]
    assert client.delete(f"{url}/{body[1]['id']}?version={current_version(draft)}", **auth).status_code == 204
    assert [p["original_name"] for p in client.get(url, **auth).json()["items"]] == ["a.jpg"]
