"""A light's project is not checked by a foreign key in the database (36 checks a project at commit were most of a
recompute's time after the writing): the recompute holds the projects it writes lights for instead. No light is
ever left without its project: not when the project is deleted while its inputs are read, and (PostgreSQL, real
threads) not when it is deleted while its lights are being written — the deletion waits, then takes them along."""

import datetime as dt
import threading
import time

import pytest
from django.db import connections, transaction

from gongjian.lights import services
from gongjian.lights.models import Light
from gongjian.projects import services as projects
from gongjian.projects.models import Project
from tests.concurrency import ON_POSTGRESQL
from tests.factories import ProjectFactory

TODAY = dt.date(2026, 11, 8)  # 2026年11月上旬: 31 ten-day periods lit
PLAN = [1_000_000] * 36


def orphans() -> int:
    return Light.objects.exclude(project_id__in=Project.objects.values("pk")).count()


@pytest.mark.django_db
def test_a_project_deleted_while_the_inputs_are_read_gets_no_lights(monkeypatch):
    kept, gone = ProjectFactory(plan=PLAN), ProjectFactory(plan=PLAN)
    read = services.load_inputs

    def read_then_delete(*args, **kwargs):
        inputs = read(*args, **kwargs)
        deleted = Project.objects.get(pk=gone.pk)
        projects.delete_project(
            deleted, actor=None, expected_version=deleted.version
        )  # after its rows were read
        return inputs

    monkeypatch.setattr(services, "load_inputs", read_then_delete)
    services.recompute(today=TODAY)

    assert Light.objects.filter(project=kept).count() == 31
    assert Light.objects.filter(project_id=gone.pk).count() == 0 and orphans() == 0


@ON_POSTGRESQL[0]
@ON_POSTGRESQL[1]
def test_a_deletion_waits_for_the_lights_being_written_and_takes_them_along():
    project = ProjectFactory(plan=PLAN)
    written, release, times, errors = threading.Event(), threading.Event(), {}, []

    def recompute() -> None:
        try:
            with transaction.atomic():
                services.recompute([project.pk], today=TODAY)
                written.set()
                release.wait(10)
                times["committed"] = time.monotonic()
        except BaseException as exc:
            errors.append(exc)
            written.set()
        finally:
            connections.close_all()

    def delete() -> None:
        try:
            written.wait(10)
            deleted = Project.objects.get(pk=project.pk)
            projects.delete_project(deleted, actor=None, expected_version=deleted.version)
            times["deleted"] = time.monotonic()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=recompute), threading.Thread(target=delete)]
    for thread in threads:
        thread.start()
    written.wait(10)
    time.sleep(0.5)  # the deletion has had time to go through, were it not held
    assert "deleted" not in times
    release.set()
    for thread in threads:
        thread.join(20)

    assert not errors, errors
    assert times["deleted"] >= times["committed"]
    assert not Project.objects.filter(pk=project.pk).exists()
    assert Light.objects.filter(project_id=project.pk).count() == 0 and orphans() == 0
