"""The board read from its kept figures (issue 14) answers exactly as the board counted per request did: the code
before issue 14 is kept below as the reference, and random districts are read through both, by users of every
kind of scope, for every grouping, colour and group, before and after the changes that move the figures (a
recompute, a judgement, a project moved to another unit or another leader, a unit renamed, a project deleted, a
leader's village). The API's answer carries an ETag that answers 304 until one of those changes."""

import importlib
import random

import pytest
from django.apps import apps
from django.db.models import Count, Q

from gongjian.accounts import services as accounts
from gongjian.lights import queries, services
from gongjian.lights.choices import Colour
from gongjian.lights.models import BoardSummary, Judgement, Light
from gongjian.org.choices import UnitKind
from gongjian.org.models import VillageAssignment
from gongjian.projects import services as projects
from gongjian.projects.choices import Category, LeaderRole
from gongjian.projects.models import Project, ProjectLeader
from tests.factories import ProjectFactory, UnitFactory, region

pytestmark = pytest.mark.django_db

# What a test here costs, for splitting the suite in CI (tests/conftest.py): the board's figures after every kind of change: 5–35 s each.
SHARD_SECONDS = 8

fill = importlib.import_module("gongjian.lights.migrations.0006_board_summary").fill


def reference(user, *, period_code=None, group="category", colour=None, value=None) -> dict:
    """The board as lights.queries.build counted it before issue 14, every figure from the lights per request."""
    period = queries.parse_period(period_code)
    group = group if group in queries.GROUPS else "category"
    lights = queries.scoped_lights(user, period.code)
    totals = {c: 0 for c in Colour.values} | dict(
        lights.values_list("colour").annotate(n=Count("*")).values_list("colour", "n")
    )
    _label, id_path, name_path = queries.GROUPS[group]
    grouped = lights
    if group == "leader":
        grouped = grouped.filter(project__leader_links__role=LeaderRole.LEAD)
    fields = [id_path] + ([name_path] if name_path else [])
    counts = grouped.values(*fields).annotate(
        green=Count("id", filter=Q(colour=Colour.GREEN)),
        yellow=Count("id", filter=Q(colour=Colour.YELLOW)),
        red=Count("id", filter=Q(colour=Colour.RED)),
        total=Count("id"),
    )
    categories = dict(Category.choices)
    groups = []
    for row in counts:
        key = row[id_path]
        name = categories.get(key, key) if group == "category" else row.get(name_path)
        groups.append(
            {
                "key": "" if key is None else str(key),
                "name": str(name or "（未填）"),
                "green": row["green"],
                "yellow": row["yellow"],
                "red": row["red"],
                "total": row["total"],
            }
        )
    groups.sort(key=lambda g: (-g["red"], -g["yellow"], str(g["name"])))
    trend_codes = [p.code for p in queries._recent(period, 12)]
    trend_lights = queries._in_scope(Light.objects.filter(period_code__in=trend_codes), user)
    by_period = {code: {c: 0 for c in Colour.values} for code in trend_codes}
    for code, colour_value, n in trend_lights.values_list("period_code", "colour").annotate(n=Count("*")):
        by_period[code][colour_value] = n
    judged = dict(
        queries._in_scope(Judgement.objects.filter(period_code=period.code), user).values_list(
            "project_id", "colour"
        )
    )
    computed = dict(lights.filter(project_id__in=list(judged)).values_list("project_id", "colour"))
    listed = lights
    if colour not in (None, "") and str(colour).isdigit():
        listed = listed.filter(colour=int(colour))
    if value is not None:
        listed = listed.filter(queries._group_filter(group, value)).distinct()
    listed = listed.order_by("-colour", "project_id")
    return {
        "period": period.code,
        "totals": totals,
        "groups": groups,
        "trend": [(code, by_period[code][0], by_period[code][1], by_period[code][2]) for code in trend_codes],
        "disagreements": sum(computed.get(pid) != colour for pid, colour in judged.items()),
        "listed": list(listed.values_list("project_id", flat=True)),
    }


def read(user, **asked) -> dict:
    board = queries.build(user, **asked)
    return {
        "period": board.period.code,
        "totals": board.totals,
        "groups": [g | {"name": str(g["name"])} for g in board.groups],
        "trend": [(t["code"], t["green"], t["yellow"], t["red"]) for t in board.trend],
        "disagreements": board.disagreements,
        "listed": [light.project_id for light in board.lights],
    }


def district(seed: int, make_user) -> dict:
    """Projects spread at random over units, streets, parks, headquarters, categories and leaders, lit for the
    year, each light then given a random colour (as the writers of lights do, the board is told), and some
    judgements."""
    rng = random.Random(seed)
    streets = [region(f"320311{i:03d}", f"第{i}街道") for i in range(1, 4)]
    units = [UnitFactory(name=f"单位{seed}-{i}") for i in range(4)]
    parks = [UnitFactory(name=f"园区{seed}-{i}", kind=UnitKind.PARK) for i in range(2)]
    hqs = [UnitFactory(name=f"指挥部{seed}-{i}", kind=UnitKind.HEADQUARTERS) for i in range(2)]
    street_unit = UnitFactory(name=f"街道办{seed}", kind=UnitKind.STREET, region=streets[0])
    leader = make_user("supervising_leader", username=f"leader{seed}")
    deputy = make_user("supervising_leader", username=f"deputy{seed}")
    people = [leader.person, deputy.person]
    made = []
    for _ in range(rng.randint(15, 30)):
        project = ProjectFactory(
            responsible_unit=rng.choice(units),
            region=rng.choice(streets),
            park=rng.choice([None, *parks]),
            headquarters=rng.choice([None, *hqs]),
            category=rng.choice(Category.values),
            plan=True,
        )
        for person in rng.sample(people, rng.randint(0, 2)):
            ProjectLeader.objects.create(project=project, person=person, role=rng.choice(["lead", "deputy"]))
        made.append(project)
    services.recompute()
    codes = sorted(set(Light.objects.values_list("period_code", flat=True)))
    shades: dict[int, list[int]] = {c: [] for c in Colour.values}
    for pk in Light.objects.order_by("pk").values_list("pk", flat=True):
        shades[rng.choice(Colour.values)].append(pk)
    for shade, pks in shades.items():
        Light.objects.filter(pk__in=pks).update(colour=shade)
    services.refresh_board(codes)
    for _ in range(6):
        services.record_judgement(
            rng.choice(made), rng.choice(codes), rng.choice(Colour.values), "现场核实", actor=None
        )
    return {
        "rng": rng,
        "codes": codes,
        "projects": made,
        "units": units,
        "leader": leader,
        "users": [
            make_user("project_office", username=f"office{seed}"),
            make_user("unit_reporter", unit=units[0], username=f"rep{seed}"),
            make_user("unit_reporter", unit=hqs[0], username=f"hq{seed}"),
            make_user("unit_reporter", unit=street_unit, username=f"street{seed}"),
            leader,
            make_user("unit_reporter", username=f"nobody{seed}", person=False),
        ],
    }


def asks(rng: random.Random, codes: list[str], user) -> list[dict]:
    """A spread of what the page and the API are asked: periods lit and not, every grouping, colours, groups."""
    wanted = [{}, {"period_code": "xyz"}, {"period_code": "2025-05-1"}, {"group": "nonsense"}]
    for group in queries.GROUPS:
        code = rng.choice(codes)
        keys = [g["key"] for g in reference(user, period_code=code, group=group)["groups"]]
        wanted.append({"period_code": code, "group": group})
        wanted.append({"period_code": code, "group": group, "colour": str(rng.choice(Colour.values))})
        for key in [*rng.sample(keys, min(2, len(keys))), ""]:
            wanted.append(
                {"period_code": code, "group": group, "value": key, "colour": rng.choice([None, "2"])}
            )
    return wanted


def same_for_everyone(data: dict) -> None:
    for user in data["users"]:
        for asked in asks(data["rng"], data["codes"], user):
            assert read(user, **asked) == reference(user, **asked), (user.username, asked)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_kept_figures_answer_as_the_lights_counted_per_request_for_every_scope(seed, make_user):
    data = district(seed, make_user)
    same_for_everyone(data)
    # read a second time: from what the first reads kept
    same_for_everyone(data)


def test_the_figures_follow_every_change_behind_the_board(make_user):
    data = district(7, make_user)
    rng, made, units = data["rng"], data["projects"], data["units"]
    same_for_everyone(data)  # every scope's figures kept

    moved = made[0]
    projects.update_project(
        moved,
        {"responsible_unit": units[0] if moved.responsible_unit != units[0] else units[1]},
        actor=None,
        expected_version=moved.version,
    )
    same_for_everyone(data)

    units[0].name = "改名后的单位"
    units[0].save()
    same_for_everyone(data)

    link = ProjectLeader.objects.filter(role="lead").first() or ProjectLeader.objects.create(
        project=made[1], person=data["leader"].person, role="lead"
    )
    link.role = "deputy"
    link.save()
    same_for_everyone(data)

    VillageAssignment.objects.create(person=data["leader"].person, region=made[2].region)
    same_for_everyone(data)

    projects.delete_project(made[3], actor=None, expected_version=Project.objects.get(pk=made[3].pk).version)
    same_for_everyone(data)

    services.record_judgement(made[4], rng.choice(data["codes"]), 2, "复核", actor=None)
    same_for_everyone(data)

    services.recompute([made[5].pk])
    same_for_everyone(data)


def test_the_rows_of_a_recompute_are_those_the_upgrade_fills_from_the_lights(make_user):
    district(11, make_user)
    written = dict(BoardSummary.objects.values_list("period_code", "figures"))
    BoardSummary.objects.all().delete()
    fill(apps, None)
    filled = dict(BoardSummary.objects.values_list("period_code", "figures"))

    def normal(figures: dict) -> dict:
        return {
            code: queries.Figures.from_json(data).as_json()
            | {"groups": {g: sorted(map(tuple, rows), key=repr) for g, rows in data["groups"].items()}}
            for code, data in figures.items()
        }

    assert set(filled) <= set(written) and normal(filled) == normal({c: written[c] for c in filled})


def test_the_api_answers_as_before_and_304_until_the_board_changes(client, make_user):
    data = district(5, make_user)
    office, reporter = data["users"][0], data["users"][1]
    _t, office_secret = accounts.create_api_token(office, "看板", actor=office)
    _t, reporter_secret = accounts.create_api_token(reporter, "看板", actor=reporter)
    code = data["codes"][-1]
    url = f"/api/v1/lights?period={code}&group=unit&value={data['units'][0].pk}&colour=2&limit=5"

    def get(secret, etag=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        if etag:
            headers["HTTP_IF_NONE_MATCH"] = etag
        return client.get(url, **headers)

    for user, secret in ((office, office_secret), (reporter, reporter_secret)):
        want = reference(user, period_code=code, group="unit", value=str(data["units"][0].pk), colour="2")
        for _ in range(2):  # counted, then kept
            answer = get(secret)
            body = answer.json()
            assert answer.status_code == 200 and answer["ETag"]
            assert (
                body["count"] == len(want["listed"])
                and [i["project_id"] for i in body["items"]] == want["listed"][:5]
            )
            assert body["totals"] == {str(k): v for k, v in want["totals"].items()}
            assert body["groups"] == want["groups"] and body["disagreements"] == want["disagreements"]
    first = get(office_secret)["ETag"]
    assert get(reporter_secret)["ETag"] != first  # another scope, another answer
    unchanged = get(office_secret, first)
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged["ETag"] == first

    services.record_judgement(data["projects"][0], code, 1, "复核", actor=None)
    changed = get(office_secret, first)
    assert changed.status_code == 200 and changed["ETag"] != first
    assert get(office_secret, changed["ETag"]).status_code == 304


def test_the_red_list_of_a_unit_reads_a_few_rows(client, make_user, django_assert_max_num_queries):
    data = district(9, make_user)
    office = data["users"][0]
    _t, secret = accounts.create_api_token(office, "看板", actor=office)
    url = f"/api/v1/lights?period={data['codes'][-1]}&group=unit&value={data['units'][0].pk}&colour=2"
    with django_assert_max_num_queries(12):  # token, permissions, version, the kept figures, names, list
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    with django_assert_max_num_queries(5):  # token, permissions, version: the answer was kept
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_a_period_the_board_has_not_kept_is_counted(make_user):
    data = district(13, make_user)
    BoardSummary.objects.all().delete()
    queries.forget()
    same_for_everyone(data)
