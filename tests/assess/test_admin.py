"""The scheme pages of the admin (the project office's tool): importing YAML, editing a version as the next one,
activating a version for a year, and the years shown on the list. Every change goes through the services."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjian.assess import queries, services
from gongjian.assess.models import Scheme, SchemeYear
from gongjian.core.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/assess/scheme/"
IMPORT = "/admin/assess/scheme/import/"


@pytest.fixture
def default():
    return services.ensure_scheme_for(2026, actor=None)


def with_investment_points(text: str, points: int) -> str:
    # the default scheme scores investment first, on 40 points
    assert "- kind: investment\n  points: 40\n" in text
    return text.replace("- kind: investment\n  points: 40\n", f"- kind: investment\n  points: {points}\n", 1)


def investment_points(row: Scheme) -> float:
    return row.engine_scheme().indicator("investment").points


def test_an_uploaded_yaml_with_a_changed_weight_becomes_the_next_version(office_client, default):
    text = with_investment_points(services.export_yaml(default), 50)
    upload = SimpleUploadedFile("scheme.yaml", text.encode(), content_type="application/x-yaml")

    response = office_client.post(
        IMPORT, {"file": upload, "text": "", "note": "投资权重调为 50"}, follow=True
    )

    new = Scheme.objects.get(name=default.name, version=2)
    assert (investment_points(new), new.note, new.created_by.username) == (50, "投资权重调为 50", "office")
    assert response.redirect_chain[-1][0] == f"/admin/assess/scheme/{new.pk}/change/"
    assert f"{default.name} v2" in response.content.decode()
    assert AuditEvent.objects.filter(action="assess.scheme.save", object_id=str(new.pk)).exists()


def test_pasted_yaml_is_imported_like_a_file(office_client, default):
    text = with_investment_points(services.export_yaml(default), 45)
    response = office_client.post(IMPORT, {"text": text, "note": ""})
    new = Scheme.objects.get(name=default.name, version=2)
    assert response.status_code == 302 and investment_points(new) == 45 and new.note == "导入"


def test_broken_yaml_shows_where_it_breaks_keeps_the_text_and_adds_no_version(office_client, default):
    broken = "name: 新方案\nsubjects: [project\nweighting: planned\n"
    upload = SimpleUploadedFile("scheme.yml", broken.encode())

    response = office_client.post(IMPORT, {"file": upload, "note": "试试"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "line 2, column" in html  # PyYAML's place of the error
    assert "subjects: [project" in html and 'value="试试"' in html  # the file's text and the note are kept
    assert Scheme.objects.count() == 1


def test_a_yaml_that_breaks_a_scheme_rule_names_the_field_at_fault(office_client, default):
    text = with_investment_points(services.export_yaml(default), -5)
    response = office_client.post(IMPORT, {"text": text})
    html = response.content.decode()
    assert response.status_code == 200 and "indicators[0].points" in html and "points: -5" in html
    assert Scheme.objects.count() == 1


def test_an_upload_must_be_a_utf8_yaml_file(office_client, default):
    not_yaml = SimpleUploadedFile("scheme.txt", b"name: x\n")
    assert "只接受 .yaml 或 .yml 文件" in office_client.post(IMPORT, {"file": not_yaml}).content.decode()
    gbk = SimpleUploadedFile("scheme.yaml", "name: 方案\n".encode("gbk"))
    assert "UTF-8" in office_client.post(IMPORT, {"file": gbk}).content.decode()
    assert "请填写方案的 YAML" in office_client.post(IMPORT, {"text": "  "}).content.decode()
    assert Scheme.objects.count() == 1


def test_editing_a_version_saves_the_next_one_and_leaves_it_as_it_was(office_client, default):
    before = dict(default.content)
    edit = f"/admin/assess/scheme/{default.pk}/edit/"
    page = office_client.get(edit).content.decode()
    assert "kind: investment" in page and "points: 40" in page  # pre-filled with the version's YAML

    text = with_investment_points(services.export_yaml(default), 35)
    response = office_client.post(edit, {"text": text, "note": ""})

    new = Scheme.objects.get(name=default.name, version=default.version + 1)
    assert response.status_code == 302 and response["Location"] == f"/admin/assess/scheme/{new.pk}/change/"
    assert investment_points(new) == 35 and new.note == "编辑自 v1"
    default.refresh_from_db()
    assert default.content == before and investment_points(default) == 40


def test_an_edit_that_breaks_the_scheme_is_shown_again_with_the_error(office_client, default):
    text = services.export_yaml(default).replace("weighting: planned", "weighting: heaviest")
    response = office_client.post(f"/admin/assess/scheme/{default.pk}/edit/", {"text": text, "note": "x"})
    html = response.content.decode()
    assert response.status_code == 200 and "weighting" in html and "heaviest" in html
    assert Scheme.objects.count() == 1


def test_activating_a_version_for_a_year_sets_the_years_scheme_and_the_list_shows_it(office_client, default):
    second = services.save_scheme(default.content, actor=None, note="第二版")
    page = f"/admin/assess/scheme/{second.pk}/activate/"
    assert 'name="year"' in office_client.get(page).content.decode()

    response = office_client.post(page, {"year": "2027"}, follow=True)

    assert SchemeYear.objects.get(year=2027).scheme == second
    assert SchemeYear.objects.get(year=2026).scheme == default
    html = response.content.decode()
    assert "已启用于 2027 年度" in html
    years = dict(
        re.findall(r'/admin/assess/scheme/(\d+)/change/.*?class="field-active_years">([^<]*)<', html)
    )
    assert years == {str(second.pk): "2027", str(default.pk): "2026"}


def test_the_activate_action_leads_to_the_year_form_of_the_one_version_chosen(office_client, default):
    response = office_client.post(
        LIST, {"action": "activate_for_year", "_selected_action": [default.pk], "index": 0}
    )
    assert response["Location"] == f"/admin/assess/scheme/{default.pk}/activate/"


def test_the_list_and_a_version_page_link_to_the_three_pages(office_client, default):
    assert IMPORT in office_client.get(LIST).content.decode()
    html = office_client.get(f"/admin/assess/scheme/{default.pk}/change/").content.decode()
    assert f"/admin/assess/scheme/{default.pk}/edit/" in html
    assert f"/admin/assess/scheme/{default.pk}/activate/" in html


def test_the_list_needs_the_same_number_of_queries_for_2_and_8_versions(office_client, default):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert office_client.get(LIST).status_code == 200
        return len(ctx)

    services.activate(services.save_scheme(default.content, actor=None), 2027, actor=None)
    small = count()
    for year in range(2028, 2034):
        services.activate(services.save_scheme(default.content, actor=None), year, actor=None)
    assert count() == small


@pytest.fixture
def staff_client(client):
    """A staff account that may see schemes in the admin but may not run assessments."""
    user = UserFactory(username="viewer", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="assess", codename="view_scheme")
    )
    client.force_login(user)
    return client


def test_a_staff_user_without_the_assessment_permission_cannot_import_edit_or_activate(staff_client, default):
    text = with_investment_points(services.export_yaml(default), 50)
    assert staff_client.get(LIST).status_code == 200
    assert IMPORT not in staff_client.get(LIST).content.decode()
    assert staff_client.get(IMPORT).status_code == 403
    assert staff_client.post(IMPORT, {"text": text}).status_code == 403
    assert staff_client.post(f"/admin/assess/scheme/{default.pk}/edit/", {"text": text}).status_code == 403
    assert (
        staff_client.post(f"/admin/assess/scheme/{default.pk}/activate/", {"year": "2027"}).status_code == 403
    )
    assert Scheme.objects.count() == 1 and not SchemeYear.objects.filter(year=2027).exists()


def test_the_office_enters_a_bonus_item_choosing_the_subject_by_name(office_client, district):
    from gongjian.assess.models import Adjustment

    add = "/admin/assess/adjustment/add/"
    form = office_client.get(add).content.decode()
    hq = district["slow_hq"]
    assert f'value="headquarters:{hq.pk}"' in form and "商贸城指挥部" in form
    bad = office_client.post(
        add,
        {
            "subject": f"headquarters:{hq.pk}",
            "period_code": "2026-13",
            "points": "0",
            "reason": "受到市政府通报表扬",
        },
    )
    assert bad.status_code == 200 and not Adjustment.objects.exists()
    html = bad.content.decode()
    assert "无法识别的期别" in html and "加减分不能为 0" in html
    office_client.post(
        add,
        {
            "subject": f"headquarters:{hq.pk}",
            "period_code": "2026-11-2",
            "points": "3",
            "reason": "受到市政府通报表扬",
        },
    )
    row = Adjustment.objects.get()
    assert (row.subject_kind, row.subject_id, row.period_code, row.created_by.username) == (
        "headquarters",
        hq.pk,
        "2026-11-2",
        "office",
    )
    assert "商贸城指挥部" in office_client.get("/admin/assess/adjustment/").content.decode()
    run = services.run_assessment("2026-11-2", actor=None)
    slow = run.scores.get(subject_kind="headquarters", subject_id=hq.pk)
    assert any("受到市政府通报表扬" in line for line in queries.explanation(slow))


def test_raters_are_assigned_subjects_by_name_once_each(office_client, district, make_user):
    from gongjian.assess.models import EvaluatorAssignment

    rater = make_user("leader", username="rater")
    add = "/admin/assess/evaluatorassignment/add/"
    subject = f"headquarters:{district['fast_hq'].pk}"
    office_client.post(add, {"rater": rater.pk, "subject": subject})
    assert EvaluatorAssignment.objects.filter(rater=rater, subject_kind="headquarters").count() == 1
    again = office_client.post(add, {"rater": rater.pk, "subject": subject})
    assert "该打分人已分配此考核对象" in again.content.decode()
    assert EvaluatorAssignment.objects.count() == 1
