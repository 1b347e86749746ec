"""The audit trail's hash chain: the pure chain (any edit, deletion or reordering breaks it at the right place),
SM3 against the standard's vectors, sealing after commit, and what the auditor and the console are told."""

import io
import subprocess
import sys

import openpyxl
import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from gongjian.core import audit, chain
from gongjian.core.models import AuditChain, AuditEvent
from gongjian.jobs.models import ScheduleRun

# -- the pure chain -------------------------------------------------------------------------------------------


def test_sm3_matches_the_test_vectors_of_gb_t_32905():
    digest = chain.hasher("sm3")
    assert digest(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert digest(b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    # The pure-Python fallback (where OpenSSL lacks SM3) agrees.
    assert chain._gmssl_sm3(b"abcd" * 16) == digest(b"abcd" * 16)


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
event_values = st.fixed_dictionaries(
    {
        "actor_name": texts,
        "action": texts,
        "object_repr": texts,
        "note": texts,
        "success": st.booleans(),
        "after": st.one_of(st.none(), st.dictionaries(texts, st.one_of(st.integers(), texts), max_size=3)),
    }
)


def _events(values):
    return [
        {"id": i + 1, "occurred_at": f"2026-12-06T00:00:{i % 60:02d}+00:00", **v}
        for i, v in enumerate(values)
    ]


def _sealed(values, algorithm="sm3"):
    return list(chain.seal(_events(values), last_seq=0, last_hash=chain.GENESIS, algorithm=algorithm))


@given(st.lists(event_values, min_size=1, max_size=8), st.sampled_from(chain.ALGORITHMS))
def test_a_chain_as_sealed_verifies(values, algorithm):
    events = _sealed(values, algorithm)
    verdict = chain.verify(events, prev_seq=0)
    assert verdict.ok and verdict.checked == len(events) and verdict.last_seq == len(events)


@given(st.lists(event_values, min_size=1, max_size=8), st.data())
def test_editing_any_event_breaks_the_chain_at_that_event(values, data):
    events = _sealed(values)
    victim = data.draw(st.integers(0, len(events) - 1))
    field = data.draw(st.sampled_from(["actor_name", "action", "object_repr", "note", "success", "after"]))
    events[victim][field] = "篡改" if events[victim][field] != "篡改" else "又改"
    verdict = chain.verify(events, prev_seq=0)
    assert not verdict.ok and verdict.broken.id == events[victim]["id"] and verdict.checked == victim
    assert "does not match its hash" in verdict.broken.problem


@given(st.lists(event_values, min_size=2, max_size=8), st.data())
def test_deleting_or_swapping_events_breaks_the_chain(values, data):
    events = _sealed(values)
    victim = data.draw(st.integers(0, len(events) - 2))
    deleted = events[:victim] + events[victim + 1 :]
    assert chain.verify(deleted, prev_seq=0).broken.id == events[victim + 1]["id"]
    swapped = list(events)
    swapped[victim], swapped[victim + 1] = swapped[victim + 1], swapped[victim]
    assert not chain.verify(swapped, prev_seq=0).ok


def test_recomputing_one_hash_after_an_edit_still_breaks_the_next_link():
    events = _sealed(
        [{"actor_name": "a", "action": "x", "object_repr": "", "note": "", "success": True, "after": None}]
        * 3
    )
    events[0]["note"] = "篡改"
    events[0]["hash"] = chain.link(events[0], "sm3")
    verdict = chain.verify(events, prev_seq=0)
    assert verdict.broken.id == 2 and "predecessor hash" in verdict.broken.problem


# -- sealing and verifying in the database --------------------------------------------------------------------


@pytest.fixture
def trail(db):
    for i in range(5):
        audit.record(
            "project.update",
            object_type="projects.project",
            object_repr=f"项目{i}",
            before={"amount": i},
            after={"amount": i + 1, "名称": "甲"},
        )
    audit.seal()
    return list(AuditEvent.objects.order_by("seq"))


def test_sealed_events_form_one_chain_from_genesis(trail):
    assert [e.seq for e in trail] == [1, 2, 3, 4, 5] and trail[0].prev_hash == chain.GENESIS
    assert all(e.hash.startswith("sm3:") for e in trail)
    assert audit.verify_chain().ok and AuditChain.objects.get().last_seq == 5


def test_an_edit_behind_the_applications_back_is_found_with_its_id(trail):
    AuditEvent.objects.filter(pk=trail[2].pk).update(object_repr="篡改")
    verdict = audit.verify_chain()
    assert verdict.broken.id == trail[2].pk and verdict.checked == 2


def test_deleting_the_last_events_is_found_from_the_chains_head(trail):
    AuditEvent.objects.filter(pk=trail[-1].pk).delete()
    verdict = audit.verify_chain()
    assert not verdict.ok and "missing" in verdict.broken.problem


def test_the_auditor_sees_a_red_banner_when_the_chain_is_broken(trail, make_user, client):
    client.force_login(make_user("audit_admin"))
    assert 'id="chain-ok"' in client.get("/system/audit/").content.decode()
    AuditEvent.objects.filter(pk=trail[1].pk).update(after={"amount": 999})
    page = client.get("/system/audit/").content.decode()
    assert 'id="chain-broken"' in page and f"记录 {trail[1].pk}" in page


def test_the_console_prints_the_first_broken_link_and_exits_non_zero(trail, capsys):
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    AuditEvent.objects.filter(pk=trail[3].pk).update(note="改过")
    with pytest.raises(SystemExit) as caught:
        call_command("audit", "verify")
    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert f"event {trail[3].pk}" in err and "edited after sealing" in err


def test_the_tick_verifies_the_last_days_events(trail, capsys):
    AuditEvent.objects.filter(pk=trail[4].pk).update(note="改过")
    with pytest.raises(SystemExit) as stopped:  # the other steps ran; the tick's exit status says one failed
        call_command("tick")
    captured = capsys.readouterr()
    assert stopped.value.code == 1 and "重算本年度红绿灯：计算" in captured.out
    assert "审计链校验 失败：审计链校验不通过" in captured.err and f"event {trail[4].pk}" in captured.err
    assert "BROKEN" in AuditChain.objects.get().check_result
    run = ScheduleRun.objects.get()
    assert not run.ok and [s["ok"] for s in run.steps].count(False) == 1 and not run.steps[-1]["ok"]


def test_the_auditor_exports_a_date_range_to_excel_and_the_export_is_audited(trail, make_user, client):
    client.force_login(make_user("audit_admin", username="auditor"))
    response = client.get("/system/audit/export/?since=2000-01-01&until=2099-12-31")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.cell(1, 2).value == "时间" and sheet.max_row >= 6
    assert {sheet.cell(r, 4).value for r in range(2, 7)} == {"修改项目"}
    assert AuditEvent.objects.filter(action="audit.export", actor_name="auditor").exists()
    assert client.get("/system/audit/export/?since=not-a-date").status_code == 400
    client.force_login(make_user("security_admin"))
    assert client.get("/system/audit/export/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_events_are_sealed_right_after_their_transaction_commits():
    from django.db import transaction

    with transaction.atomic():
        audit.record("project.update", object_repr="甲")
        audit.record("project.update", object_repr="乙")
        assert AuditEvent.objects.filter(seq__isnull=True).count() == 2
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 0 and audit.verify_chain().checked == 2


def test_production_refuses_a_weak_secret_key_and_a_tls_proxy_makes_check_deploy_clean(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "GONGJIAN_ENV": "production",
        "GONGJIAN_ALLOWED_HOSTS": "gongjian.example",
        "GONGJIAN_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "gongjian.settings",
    }
    run = [sys.executable, "-m", "gongjian", "check", "--deploy", "--fail-level", "WARNING"]
    weak = subprocess.run(run, env=env | {"GONGJIAN_SECRET_KEY": "abc"}, capture_output=True, text=True)
    assert weak.returncode != 0 and "too weak" in weak.stderr
    repeated = subprocess.run(
        run, env=env | {"GONGJIAN_SECRET_KEY": "ab" * 40}, capture_output=True, text=True
    )
    assert repeated.returncode != 0 and "too weak" in repeated.stderr
    strong = env | {"GONGJIAN_SECRET_KEY": "k3Y-" + "x7Qp9LmZ2vRt" * 5, "GONGJIAN_SECURE_PROXY": "1"}
    clean = subprocess.run(run, env=strong, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "no issues" in clean.stdout
    plain = subprocess.run(
        run, env=env | {"GONGJIAN_SECRET_KEY": strong["GONGJIAN_SECRET_KEY"]}, capture_output=True, text=True
    )
    assert plain.returncode != 0 and "SECURE_HSTS_SECONDS" in plain.stdout + plain.stderr


def test_an_edit_older_than_the_pages_window_shows_once_the_whole_chain_is_checked(
    trail, make_user, client, settings
):
    settings.GONGJIAN_AUDIT_PAGE_EVENTS = 3  # the page checks the latest three events
    AuditEvent.objects.filter(pk=trail[0].pk).update(note="改过")
    client.force_login(make_user("audit_admin"))
    assert 'id="chain-ok"' in client.get("/system/audit/").content.decode()
    with pytest.raises(SystemExit):
        call_command("audit", "verify")
    page = client.get("/system/audit/").content.decode()
    assert 'id="chain-broken"' in page and f"记录 {trail[0].pk}" in page and "封存后被修改" in page
