"""The ``gongjian`` commands a district's administrator types: demo, serve, createuser."""

import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongjian import cli
from gongjian.accounts.models import User
from gongjian.demo.loader import DEMO_PASSWORD, DEMO_USERNAMES, load_demo
from gongjian.demo.management.commands import demo as demo_command
from gongjian.jobs.management.commands import serve as serve_command
from gongjian.org.models import Person
from gongjian.projects.models import Project
from tests.factories import UnitFactory

PASSWORD = "Secret@2026x"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class FakeStdin(io.StringIO):
    def __init__(self, text: str = "", tty: bool = False) -> None:
        super().__init__(text)
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def record_calls(monkeypatch, module) -> list:
    calls = []
    monkeypatch.setattr(module, "call_command", lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


def test_demo_loads_the_district_and_prints_the_accounts(db):
    out = io.StringIO()

    call_command("demo", "--no-serve", "--year", "2026", "--as-of", "2026-05-20", stdout=out)

    text = out.getvalue()
    assert "36 key projects: 25 new, 11 continuing; 23 industrial, 13 commercial" in text
    assert "31.20亿元" in text and "10.38亿元" in text
    assert DEMO_PASSWORD in text
    assert "http://127.0.0.1:8000/" in text
    for username in DEMO_USERNAMES:
        assert username in text
    assert "包挂领导/指挥长" in text
    assert Project.objects.count() == 36


def test_demo_keeps_a_loaded_database_and_goes_on_to_serve(db, monkeypatch):
    load_demo(year=2026)
    calls = record_calls(monkeypatch, demo_command)
    out = io.StringIO()

    call_command("demo", "--addr", "127.0.0.1:8123", stdout=out)

    assert "already holds 36 projects" in out.getvalue()
    assert "reporter" in out.getvalue()
    assert calls[-1] == (("serve",), {"addr": "127.0.0.1:8123"})
    assert Project.objects.count() == 36


def test_createuser_creates_an_account_with_roles_and_its_person_in_the_unit(db, monkeypatch):
    unit = UnitFactory(name="泉山区工业和信息化局", short_name="工信局")
    monkeypatch.setattr(sys, "stdin", FakeStdin(PASSWORD + "\n"))
    out = io.StringIO()

    call_command(
        "createuser",
        "zhangsan",
        "--role",
        "unit_reporter",
        "--role",
        "unit_reviewer",
        "--name",
        "张三",
        "--unit",
        "工信局",
        "--password-stdin",
        stdout=out,
    )

    user = User.objects.get(username="zhangsan")
    assert user.role_codes() == {"unit_reporter", "unit_reviewer"}
    assert user.check_password(PASSWORD)
    assert user.full_name == "张三"
    assert user.person.unit == unit
    assert "Created account zhangsan" in out.getvalue()


def test_createuser_links_the_person_the_registry_already_has(db, monkeypatch):
    unit = UnitFactory(name="泉山区商务局", short_name="商务局")
    person = Person.objects.create(name="李四", unit=unit, post="局长")
    monkeypatch.setattr(sys, "stdin", FakeStdin(PASSWORD))

    call_command(
        "createuser",
        "lisi",
        "--role",
        "evaluator",
        "--name",
        "李四",
        "--unit",
        "泉山区商务局",
        "--password-stdin",
        stdout=io.StringIO(),
    )

    person.refresh_from_db()
    assert person.user.username == "lisi"
    assert Person.objects.filter(name="李四").count() == 1


def test_createuser_refuses_to_combine_the_system_and_audit_administrators(db, monkeypatch):
    monkeypatch.setattr(sys, "stdin", FakeStdin(PASSWORD))

    with pytest.raises(CommandError, match="三员分立"):
        call_command(
            "createuser", "root", "--role", "system_admin", "--role", "audit_admin", "--password-stdin"
        )

    assert not User.objects.filter(username="root").exists()


def test_createuser_refuses_a_weak_password_and_an_unknown_unit(db, monkeypatch):
    monkeypatch.setattr(sys, "stdin", FakeStdin("123456"))
    with pytest.raises(CommandError):
        call_command("createuser", "weak", "--role", "evaluator", "--password-stdin")

    with pytest.raises(CommandError, match="No unit"):
        call_command("createuser", "lost", "--role", "evaluator", "--unit", "不存在局", "--password-stdin")

    assert not User.objects.filter(username__in=["weak", "lost"]).exists()


def test_createuser_without_a_terminal_or_stdin_password_refuses_clearly(db, monkeypatch):
    monkeypatch.setattr(sys, "stdin", FakeStdin(tty=False))

    with pytest.raises(CommandError, match="--password-stdin"):
        call_command("createuser", "nobody", "--role", "evaluator")


def test_createuser_in_a_terminal_asks_twice_and_refuses_a_mismatch(db, monkeypatch):
    monkeypatch.setattr(sys, "stdin", FakeStdin(tty=True))
    answers = iter([PASSWORD, PASSWORD + "typo"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    with pytest.raises(CommandError, match="differ"):
        call_command("createuser", "wangwu", "--role", "evaluator")

    answers = iter([PASSWORD, PASSWORD])
    call_command("createuser", "wangwu", "--role", "evaluator", stdout=io.StringIO())
    assert User.objects.get(username="wangwu").check_password(PASSWORD)


def test_serve_runs_djangos_server_without_the_reloader_in_embedded_mode(settings, monkeypatch):
    settings.PRODUCTION = False
    calls = record_calls(monkeypatch, serve_command)
    out = io.StringIO()

    call_command("serve", "--addr", "8001", stdout=out)

    assert calls == [(("runserver", "127.0.0.1:8001"), {"use_reloader": False})]
    assert "http://127.0.0.1:8001/" in out.getvalue()


def test_serve_runs_gunicorn_in_production(settings, monkeypatch):
    settings.PRODUCTION = True
    execs = []
    monkeypatch.setattr(serve_command.os, "execv", lambda path, argv: execs.append(argv))

    call_command("serve", "--addr", "0.0.0.0:9000", "--workers", "3", stdout=io.StringIO())

    [argv] = execs
    assert argv[:4] == [sys.executable, "-m", "gunicorn", "gongjian.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:9000"
    assert argv[argv.index("--workers") + 1] == "3"
    assert (argv[argv.index("--worker-class") + 1], argv[argv.index("--threads") + 1]) == ("gthread", "8")

    execs.clear()
    call_command("serve", "--workers", "2", "--threads", "1", stdout=io.StringIO())
    [argv] = execs
    assert (argv[argv.index("--worker-class") + 1], argv[argv.index("--threads") + 1]) == ("sync", "1")


def test_serve_refuses_an_address_it_cannot_listen_on():
    with pytest.raises(CommandError, match="HOST:PORT"):
        call_command("serve", "--addr", "localhost:http")


def test_gongjian_help_lists_the_commands(capsys):
    cli.main(["--help"])

    out = capsys.readouterr().out
    for command in ("demo", "serve", "createuser", "migrate"):
        assert f"  {command}" in out
