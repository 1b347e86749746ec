"""The error pages a person meets (not found, no permission, a stale form, a bad request, a server error): in
Chinese, in the site's frame, with a way back; under /api/ the API's JSON instead."""

import json

import pytest
from django.test import Client, RequestFactory

from gongjian.core import views


@pytest.fixture
def reporter_client(client, make_user):
    client.force_login(make_user("unit_reporter", username="clerk"))
    return client


def _page(response) -> str:
    return response.content.decode()


def _in_the_frame_with_a_way_back(text: str) -> None:
    assert 'class="topbar"' in text and "攻坚" in text  # the site's header, not a bare page
    assert "返回上一页" in text and "回到首页" in text
    assert "Not Found" not in text and "Forbidden" not in text and "Server Error" not in text


@pytest.mark.django_db
def test_an_address_that_does_not_exist_answers_a_chinese_page_with_a_way_back(reporter_client):
    response = reporter_client.get("/no-such-page/", HTTP_REFERER="http://testserver/reports/")

    assert response.status_code == 404
    text = _page(response)
    assert "<title>页面不存在" in text and "要找的页面或记录不存在" in text
    _in_the_frame_with_a_way_back(text)
    assert 'href="http://testserver/reports/" data-history-back' in text  # back where the person came from
    assert "退出" in text  # the signed-in person's header


@pytest.mark.django_db
def test_a_page_the_role_may_not_open_answers_a_chinese_page_with_a_way_back(reporter_client):
    response = reporter_client.get("/assess/")

    assert response.status_code == 403
    text = _page(response)
    assert "<title>没有权限" in text and "你的角色不能打开这个页面" in text
    _in_the_frame_with_a_way_back(text)


@pytest.mark.django_db
def test_a_way_back_to_another_site_is_not_offered(reporter_client):
    text = _page(reporter_client.get("/no-such-page/", HTTP_REFERER="https://evil.example/"))

    assert "evil.example" not in text and 'href="/" data-history-back' in text


@pytest.mark.django_db
def test_a_form_sent_from_a_stale_page_says_so_in_chinese(make_user):
    # given a page opened before signing in again: its form's token no longer matches
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("unit_reporter", username="clerk"))

    response = client.post("/reports/periods/1/remind/", {"csrfmiddlewaretoken": "stale"})

    assert response.status_code == 403
    text = _page(response)
    assert "页面已过期，未能提交" in text and "刷新后重新填写提交" in text
    assert "CSRF" not in text
    _in_the_frame_with_a_way_back(text)


@pytest.mark.django_db
def test_under_api_the_answers_stay_json(reporter_client):
    for url in ("/api/no-such-endpoint", "/api/v2/projects/"):
        response = reporter_client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {
            "code": "not_found",
            "errors": [{"field": None, "message": "没有这个地址或记录。"}],
        }
    refused = views.csrf_failure(RequestFactory().post("/api/v1/reports/"))
    assert refused.status_code == 403 and json.loads(refused.content)["code"] == "csrf"


def test_a_server_error_is_a_chinese_page_and_json_under_api():
    factory = RequestFactory()

    page = views.server_error(factory.get("/projects/"))
    assert page.status_code == 500
    text = page.content.decode()
    assert "系统出错" in text and "返回上一页" in text and "回到首页" in text

    api = views.server_error(factory.get("/api/v1/projects/"))
    assert api.status_code == 500 and api["Content-Type"] == "application/json"
    assert b"server_error" in api.content


def test_a_bad_request_is_a_chinese_page():
    page = views.bad_request(RequestFactory().get("/projects/"), Exception())

    assert page.status_code == 400 and "请求无效" in page.content.decode()
