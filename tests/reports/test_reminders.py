"""Reminders (催报): in-app always, e-mail when SMTP is configured, a signed webhook, and `gongjian tick`."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from gongjian.core.models import Notification
from gongjian.core.notify import sign
from gongjian.reports import services
from gongjian.reports.models import ReportingPeriod
from tests.factories import ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(make_user, office_user):
    industry, commerce = UnitFactory(name="工信局"), UnitFactory(name="商务局")
    rep_industry = make_user("unit_reporter", unit=industry, username="rep1", email="rep1@example.gov.cn")
    rep_commerce = make_user("unit_reporter", unit=commerce, username="rep2")
    filed = ProjectFactory(name="已报项目", responsible_unit=commerce)
    ProjectFactory(name="未报项目甲", responsible_unit=industry)
    ProjectFactory(name="未报项目乙", responsible_unit=industry)
    opens = timezone.now() - dt.timedelta(days=5)
    period = services.open_period(
        "2026-11-2", opens_at=opens, deadline=opens + dt.timedelta(days=4), actor=office_user
    )
    draft = services.save_draft(filed, period, {"amount": 1}, actor=rep_commerce)
    services.submit_report(draft, actor=rep_commerce, expected_version=draft.version)
    return {
        "period": period,
        "rep_industry": rep_industry,
        "rep_commerce": rep_commerce,
        "office": office_user,
    }


def test_only_reporters_with_unfiled_projects_are_reminded_once_each_listing_their_projects(world):
    assert services.send_reminders(world["period"], actor=world["office"]) == 1
    note = Notification.objects.get()
    assert note.user == world["rep_industry"]
    assert "2 个项目" in note.title and "未报项目甲" in note.body and "未报项目乙" in note.body


def test_reminders_go_by_email_only_when_smtp_is_configured(world, settings):
    settings.EMAIL_HOST = ""
    services.send_reminders(world["period"], actor=world["office"])
    assert mail.outbox == []
    settings.EMAIL_HOST = "smtp.example.gov.cn"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.send_reminders(world["period"], actor=world["office"])
    assert [m.to for m in mail.outbox] == [["rep1@example.gov.cn"]]


def test_reminders_are_posted_to_the_webhook_with_a_signature_the_receiver_can_check(world, settings):
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(
                (body, self.headers["X-Gongjian-Timestamp"], self.headers["X-Gongjian-Signature"])
            )
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    settings.GONGJIAN_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/hook"
    settings.GONGJIAN_WEBHOOK_SECRET = "shared-secret"
    services.send_reminders(world["period"], actor=world["office"])
    thread.join(timeout=5)
    server.server_close()
    body, timestamp, signature = received[0]
    assert signature == "sha256=" + sign(body, "shared-secret", timestamp)
    payload = json.loads(body)
    assert payload["to"] == ["rep1"] and "未报项目甲" in payload["text"]


def test_only_the_office_sends_reminders_from_the_status_page(world, client):
    client.force_login(world["rep_industry"])
    assert client.post(f"/reports/periods/{world['period'].pk}/remind/").status_code == 403
    client.force_login(world["office"])
    assert client.post(f"/reports/periods/{world['period'].pk}/remind/").status_code == 302
    client.force_login(world["rep_industry"])
    html = client.get("/system/notifications/").content.decode()
    assert "未报项目甲" in html


def test_tick_opens_the_current_periods_and_reminds_once_a_day(world, capsys):
    call_command("tick")
    today = timezone.localdate()
    codes = set(ReportingPeriod.objects.values_list("code", flat=True))
    assert {f"{today:%Y-%m}", f"{today:%Y-%m}-{min(3, (today.day - 1) // 10 + 1)}"} <= codes
    assert "2026-11-2" in capsys.readouterr().out  # past its deadline: reminded
    count = Notification.objects.count()
    call_command("tick")
    assert Notification.objects.count() == count  # not twice the same day
