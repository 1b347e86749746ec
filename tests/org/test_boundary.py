"""A region's boundary (行政区划边界) uploaded by the project office in the admin: a good GeoJSON file is kept as a
new version with a revision and an audit event naming the file by its digest; every kind of bad file is refused
with a Chinese message at the upload field, and nothing is kept."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongjian.core.models import AuditEvent
from gongjian.org import geojson, queries, services
from gongjian.org.models import RegionBoundary, RegionBoundaryRevision
from tests.factories import region

pytestmark = pytest.mark.django_db

ADD = "/admin/org/regionboundary/add/"
SQUARE = [[[117.0, 34.1], [117.3, 34.1], [117.3, 34.3], [117.0, 34.3], [117.0, 34.1]]]


def collection(*rings, name="泉山区"):
    features = [
        {
            "type": "Feature",
            "properties": {"name": name},
            "geometry": {"type": "Polygon", "coordinates": ring},
        }
        for ring in rings or [SQUARE]
    ]
    return {"type": "FeatureCollection", "features": features}


def upload(document, name="quanshan.geojson"):
    data = document if isinstance(document, bytes) else json.dumps(document, ensure_ascii=False).encode()
    return SimpleUploadedFile(name, data, content_type="application/geo+json")


@pytest.fixture
def district():
    return region("320311", "泉山区")


def test_the_office_uploads_a_district_boundary_and_it_is_kept_versioned_and_audited(office_client, district):
    response = office_client.post(ADD, {"region": district.pk, "upload": upload(collection())})

    assert response.status_code == 302, response.content.decode()[:2000]
    boundary = RegionBoundary.objects.get(region=district)
    assert (boundary.version, boundary.features, boundary.file_name) == (1, 1, "quanshan.geojson")
    assert boundary.bbox == [117.0, 34.1, 117.3, 34.3]
    assert json.loads(boundary.geojson) == collection()
    assert boundary.uploaded_by.username == "office"
    event = AuditEvent.objects.get(action="org.regionboundary.upload")
    assert event.after["sha256"] == boundary.sha256 and event.after["version"] == 1
    assert "coordinates" not in json.dumps(event.after)  # the digest names the file; the revision keeps it
    assert RegionBoundaryRevision.objects.get(boundary=boundary).geojson == boundary.geojson


def test_a_new_upload_is_the_next_version_and_the_earlier_one_is_kept(office_client, district):
    first = services.save_boundary(district, json.dumps(collection()).encode(), file_name="v1.json")
    url = f"/admin/org/regionboundary/{first.pk}/change/"
    bigger = [[[116.9, 34.0], [117.4, 34.0], [117.4, 34.4], [116.9, 34.4], [116.9, 34.0]]]

    response = office_client.post(url, {"loaded_version": 1, "upload": upload(collection(bigger), "v2.json")})

    assert response.status_code == 302
    boundary = RegionBoundary.objects.get(region=district)
    assert (boundary.version, boundary.file_name, boundary.bbox) == (2, "v2.json", [116.9, 34.0, 117.4, 34.4])
    assert list(boundary.revisions.values_list("version", "file_name")) == [(2, "v2.json"), (1, "v1.json")]
    event = AuditEvent.objects.filter(action="org.regionboundary.upload").latest("pk")
    assert (event.before["version"], event.after["version"]) == (1, 2)
    assert event.before["sha256"] != event.after["sha256"]


def test_an_upload_over_a_version_someone_else_replaced_is_refused_as_stale(office_client, district):
    first = services.save_boundary(district, json.dumps(collection()).encode())
    services.save_boundary(district, json.dumps(collection(name="新边界")).encode(), expected_version=1)
    url = f"/admin/org/regionboundary/{first.pk}/change/"

    response = office_client.post(url, {"loaded_version": 1, "upload": upload(collection())})

    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode()
    assert RegionBoundary.objects.get(region=district).version == 2


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"\xff\xfe\x00<not text", "不是 UTF-8 编码"),
        (b"<kml><Document/></kml>", "不是有效的 JSON"),
        (b'{"type": "FeatureCollection", "features": [', "不是有效的 JSON"),
        (b"", "空文件"),
        (b"  \n", "文件是空的"),  # Django's own FileField says so first
        ({"name": "泉山区", "points": [[117.1, 34.2]]}, "不是 GeoJSON"),
        ({"type": "Topology", "objects": {}}, "不是 GeoJSON"),
        ({"type": "FeatureCollection", "features": []}, "没有任何要素"),
        ({"type": "Point", "coordinates": [117.1, 34.2]}, "是点（Point）"),
        (
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "LineString", "coordinates": SQUARE[0]},
            },
            "须是面（Polygon 或 MultiPolygon）",
        ),
        ({"type": "Polygon", "coordinates": [[["117.1", "34.2"]] * 4]}, "[经度, 纬度]"),
        ({"type": "Polygon", "coordinates": [[[117.1, 34.2], [117.2, 34.2]]]}, "至少要有 4 个坐标点"),
        (
            # CGCS2000 / 3-degree Gauss-Kruger metres, as a surveying office hands them out
            collection(
                [
                    [
                        [39_500_000.0, 3_780_000.0],
                        [39_520_000.0, 3_780_000.0],
                        [39_520_000.0, 3_800_000.0],
                        [39_500_000.0, 3_780_000.0],
                    ]
                ]
            ),
            "超出经纬度范围",
        ),
        (collection([[[117.1, 34.2], [117.2, 95.0], [117.3, 34.2], [117.1, 34.2]]]), "超出经纬度范围"),
    ],
)
def test_a_bad_file_is_refused_at_the_field_with_what_is_wrong(office_client, district, document, message):
    response = office_client.post(ADD, {"region": district.pk, "upload": upload(document)})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["upload"] and message in errors["upload"][0], errors
    assert not RegionBoundary.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="org.regionboundary").exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(office_client, district, monkeypatch):
    monkeypatch.setattr(geojson, "MAX_BYTES", 1000)
    padded = json.dumps(collection() | {"padding": "x" * 2000}).encode()

    response = office_client.post(ADD, {"region": district.pk, "upload": upload(padded)})

    assert response.status_code == 200
    assert "文件过大（3 KB），边界文件不能超过 1 KB" in response.context["adminform"].form.errors["upload"][0]
    assert not RegionBoundary.objects.exists()


def test_five_megabytes_is_the_limit():
    with pytest.raises(geojson.BoundaryError, match=r"不能超过 5\.0 MB"):
        geojson.read(b" " * (5 * 1024 * 1024 + 1))


@pytest.mark.parametrize(
    "document",
    [
        {"type": "Polygon", "coordinates": SQUARE},
        {"type": "MultiPolygon", "coordinates": [SQUARE]},
        {
            "type": "Feature",
            "properties": {"name": "泉山区"},
            "geometry": {"type": "Polygon", "coordinates": SQUARE},
        },
    ],
)
def test_a_feature_or_a_bare_polygon_is_kept_as_a_feature_collection(document):
    boundary = geojson.read(json.dumps(document).encode("utf-8-sig"))
    kept = json.loads(boundary.text)
    assert kept["type"] == "FeatureCollection" and len(kept["features"]) == 1
    assert kept["features"][0]["geometry"]["type"] == document.get("type", "Polygon").replace(
        "Feature", "Polygon"
    )
    assert boundary.bbox == (117.0, 34.1, 117.3, 34.3)


def test_only_the_project_office_uploads_a_boundary(client, make_user, district):
    reporter = make_user("unit_reporter")
    client.force_login(reporter)
    assert client.post(ADD, {"region": district.pk, "upload": upload(collection())}).status_code in (302, 403)
    assert not RegionBoundary.objects.exists()
    with pytest.raises(Exception, match="只有项目办"):
        services.save_boundary(district, json.dumps(collection()).encode(), actor=reporter)


def test_a_village_is_drawn_on_its_nearest_ancestors_boundary_and_the_top_one_is_the_default(district):
    village = region("320311004201", "杏山子村")
    street = village.parent
    assert queries.boundary_for(village) is None
    services.save_boundary(district, json.dumps(collection()).encode())
    assert queries.boundary_for(village).region == district
    services.save_boundary(street, json.dumps(collection(name="金山街道")).encode())
    assert queries.boundary_for(village).region == street
    assert queries.boundary_for(None).region == queries.default_boundary().region == district


def test_the_boundary_text_cannot_end_the_script_it_sits_in(district):
    evil = collection(name="</script><script>alert(1)</script>")
    boundary = services.save_boundary(district, json.dumps(evil).encode())
    text = str(queries.boundary_script_text(boundary))
    assert "</script>" not in text and json.loads(text) == json.loads(boundary.geojson)


def test_the_admin_pages_show_the_upload_field_and_the_uploads_so_far(office_client, district):
    assert "边界文件（GeoJSON）" in office_client.get(ADD).content.decode()
    boundary = services.save_boundary(district, json.dumps(collection()).encode(), file_name="v1.json")
    services.save_boundary(
        district, json.dumps(collection(name="新")).encode(), file_name="v2.json", expected_version=1
    )
    html = office_client.get(f"/admin/org/regionboundary/{boundary.pk}/change/").content.decode()
    assert "历次上传" in html and html.index("v2.json") < html.index("v1.json")
    assert "/admin/org/regionboundary/" in office_client.get("/admin/org/").content.decode()
