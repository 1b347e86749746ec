"""A select's empty choice speaks Chinese: 全部 in the lists' filters, 请选择 in the forms — never Django's
``---------``."""

import importlib
import pkgutil

import pytest
from django import forms
from django.utils import timezone

import gongjian
from gongjian.core.forms import ChooseMixin
from gongjian.meetings import services as meetings
from tests.factories import ProjectFactory, UnitFactory


def _first_options(html: str, name: str) -> str:
    select = html.split(f'name="{name}"')[1].split("</select>")[0]
    return select.split("<option")[1]


@pytest.mark.django_db
def test_the_project_lists_filters_offer_all_and_the_forms_ask_to_choose(office_client):
    ProjectFactory(name="新能源电池材料项目", responsible_unit=UnitFactory(name="工信局"))

    listing = office_client.get("/projects/").content.decode()
    for name in ("category", "nature", "level", "unit", "headquarters", "region"):
        assert ">全部</option>" in _first_options(listing, name), name

    new = office_client.get("/projects/new/").content.decode()
    for name in ("category", "nature", "responsible_unit", "headquarters", "milestones-0-kind"):
        assert ">请选择</option>" in _first_options(new, name), name

    assert "---------" not in listing + new


@pytest.mark.django_db
def test_the_decision_form_asks_to_choose(office_client, office_user):
    meeting = meetings.create_meeting(
        kind="monthly", title="月度重点项目调度会", held_at=timezone.now(), actor=office_user
    )

    html = office_client.get(f"/dispatch/meetings/{meeting.pk}/").content.decode()

    assert ">请选择</option>" in _first_options(html, "owner")
    assert "---------" not in html


@pytest.mark.django_db
def test_the_audit_trails_yes_no_filter_offers_all(client, make_user):
    client.force_login(make_user("audit_admin", username="auditor"))

    html = client.get("/system/audit/").content.decode()

    assert ">全部</option>" in _first_options(html, "success") and "未知" not in html


def _page_forms() -> list[type]:
    """Every form class of the pages (the Django admin's are its own)."""
    for module in pkgutil.walk_packages(gongjian.__path__, "gongjian."):
        if module.name.rsplit(".", 1)[-1] in {"forms", "views"}:
            importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("gongjian.") and ".admin" not in cls.__module__:
            found.append(cls)
    return found


def test_every_page_form_with_a_select_asks_to_choose():
    single_selects = (forms.ChoiceField,)
    multiple = (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)
    with_select = [
        cls
        for cls in _page_forms()
        if any(
            isinstance(f, single_selects) and not isinstance(f, multiple) for f in cls.base_fields.values()
        )
    ]
    assert with_select  # the project, report and decision forms at least
    assert [cls.__qualname__ for cls in with_select if not issubclass(cls, ChooseMixin)] == []
