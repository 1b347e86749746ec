"""The pages' years, days and periods (issue 12 item 6): every page that takes one from its path or query string,
opened with values no calendar has — 0, twenty digits, a negative, a word, 9999-12-31, 0001-01-01, a month 13, a
NUL — answers in Chinese with a 4xx or shows a sane default (saying so), never a server error."""

import datetime as dt

import pytest
from django.utils import timezone

from gongjian.accounts.models import User
from gongjian.assess.models import Evaluation, EvaluatorAssignment
from gongjian.daily import services as daily
from gongjian.demo.loader import load_demo
from gongjian.org.choices import UnitKind
from gongjian.org.models import Unit
from gongjian.projects.models import Project

pytestmark = pytest.mark.django_db

BAD = [
    "0",
    "99999999999999999999",
    "-1",
    "abc",
    "9999-12-31",
    "0001-01-01",
    "garbage",
    "2026-13-40",
    "1e400",
    "%00",
    "%E2%80%AE",
]
PAGES = [
    "/projects/?year={value}",
    "/projects/?q={value}",
    "/exchange/projects/export/?year={value}",
    "/lights/?period={value}",
    "/lights/export/?period={value}",
    "/lights/projects/{project}/{value}/",
    "/dispatch/daily/?day={value}",
    "/dispatch/daily/export.xlsx?day={value}",
    "/dispatch/daily/teams/{team}/?start={value}",
    "/dispatch/daily/teams/{team}/?end={value}",
    "/dispatch/decisions/?unit={value}",
    "/assess/evaluate/?period={value}",
    "/assess/what-if/?period={value}",
    "/assess/interviews/?year={value}",
    "/assess/year/{value}/",
    "/assess/flags/{value}/",
    "/assess/flags/{value}/consequences.xlsx",
    "/assess/archive/{value}/",
    "/assess/archive/{value}/export.xlsx",
    "/assess/archive/{value}/archive.docx",
]


@pytest.fixture(scope="module")
def loaded(module_db):
    load_demo(year=2026, as_of=dt.date(2026, 5, 20))  # once for the module; each test reads it in a savepoint


@pytest.fixture
def office(loaded, client):
    client.force_login(User.objects.get(username="office"))
    return client


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_every_year_day_and_period_a_page_takes_is_answered_without_a_server_error(office):
    ids = {"project": Project.objects.order_by("pk").first().pk, "team": daily.active_teams().first().pk}
    wrong = []
    for page in PAGES:
        for value in BAD:
            url = page.format(value=value, **ids)
            response = office.get(url)
            if response.status_code not in (200, 302, 400, 404):
                wrong.append((url, response.status_code))
            elif response.status_code in (400, 404) and not _chinese(response.content.decode()):
                wrong.append((url, response.status_code, "not in Chinese"))
    assert wrong == []


def test_a_year_no_calendar_has_in_a_pages_path_finds_no_page(office):
    for url in (
        "/assess/archive/0/",
        "/assess/archive/99999999999999999999/",
        "/assess/flags/1999/",
        "/assess/year/2101/",
        "/assess/archive/0/export.xlsx",
    ):
        response = office.get(url)
        assert response.status_code == 404 and "页面不存在" in response.content.decode(), url
    assert office.get("/assess/archive/2026/").status_code == 200


def test_the_interviews_page_shows_this_year_and_says_why_for_a_year_it_cannot_show(office):
    for value in ("abc", "0", "99999999999999999999", "2101"):
        response = office.get(f"/assess/interviews/?year={value}")
        assert response.status_code == 200 and response.context["year"] == timezone.localdate().year
        assert f"年度“{value}”无效" in response.content.decode()
    assert office.get("/assess/interviews/?year=2026").context["year"] == 2026


def test_the_evaluation_page_shows_this_period_for_one_it_cannot_read_and_saves_nothing_into_it(office):
    page = office.get("/assess/evaluate/?period=garbage")
    assert page.status_code == 200 and "无法识别的期别“garbage”" in page.content.decode()
    rater = User.objects.get(username="evaluator")
    headquarters = Unit.objects.filter(kind=UnitKind.HEADQUARTERS).first()
    assignment = EvaluatorAssignment.objects.create(
        rater=rater, subject_kind="headquarters", subject_id=headquarters.pk
    )
    office.force_login(rater)
    before = Evaluation.objects.count()
    posted = office.post(
        "/assess/evaluate/",
        {"period": "garbage", f"score-{assignment.subject_kind}-{assignment.subject_id}": "90"},
    )
    assert posted.status_code == 200 and "无法识别的期别" in posted.content.decode()
    assert Evaluation.objects.count() == before
