from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongjian.exchange.columns import PROJECT_COLUMNS
from gongjian.exchange.management.commands._actor import actor_named
from gongjian.exchange.services import export_projects
from gongjian.org.models import Person, Region, Unit
from gongjian.projects.filters import ProjectFilterSet
from gongjian.projects.models import Project

_CHOICE_COLUMNS = {c.key: c for c in PROJECT_COLUMNS if c.key in {"category", "nature", "level"}}


class Command(BaseCommand):
    help = (
        "Export projects to an .xlsx workbook that Excel and WPS open and that imports back unchanged: sheets 项目 "
        "(with the year's monthly plan), 形象进度节点, 前期手续 and 说明. The filters are those of the project list. "
        "Example: gongjian export projects 工业项目.xlsx --year 2026 --category 工业 --unit 区工业和信息化局"
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Shown as `gongjian export ...`, the name the gongjian command gives it.
        return super().create_parser(prog_name, "export", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["projects"], help="what to export")
        parser.add_argument("file", help="the .xlsx file to write")
        parser.add_argument(
            "--year",
            type=int,
            help="only projects entered in this year, with this year's plan (as ?year= on the "
            "list page); default: every year, with the current year's plan",
        )
        parser.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="export what this account sees (default: everything, recorded as 'system')",
        )
        parser.add_argument("--category", help="项目类别, e.g. 工业 or industry")
        parser.add_argument("--nature", help="建设性质, e.g. 新建 or new")
        parser.add_argument("--level", help="项目级别, e.g. 区重点 or district")
        parser.add_argument("--unit", metavar="NAME", help="责任单位 name")
        parser.add_argument("--headquarters", metavar="NAME", help="指挥部 name")
        parser.add_argument("--park", metavar="NAME", help="所属园区 name")
        parser.add_argument("--region", metavar="CODE", help="所在区划 code (that region and below)")
        parser.add_argument("--leader", metavar="NAME", help="包挂领导 name")
        parser.add_argument("--search", metavar="TEXT", help="text in the name, code, location or owner")
        parser.add_argument(
            "--sort", metavar="KEY", help="as on the list page: code, name, total, -total, plan…"
        )

    def handle(self, *args, file, username, **options):
        actor = actor_named(username)
        year = options["year"] or timezone.localdate().year
        queryset = (Project.objects.in_scope(actor) if actor else Project.objects.all()).with_plan(year)
        filterset = ProjectFilterSet(self._filter_data(options), queryset=queryset)
        if not filterset.is_valid():
            raise CommandError(f"筛选条件无效：{filterset.errors.as_text()}")
        with open(file, "wb") as stream:
            try:
                count = export_projects(filterset.qs, year, stream, actor=actor, filters=dict(filterset.data))
            except PermissionDenied as exc:
                raise CommandError(str(exc) or "无权导出项目。") from exc
        self.stdout.write(self.style.SUCCESS(f"已导出 {count} 个项目到 {file}"))

    def _filter_data(self, options) -> dict:
        """The options as the list page's query string would carry them (choices as values, objects as ids)."""
        data = {"year": options["year"], "q": options["search"], "sort": options["sort"]}
        for key, column in _CHOICE_COLUMNS.items():
            if options[key]:
                try:
                    data[key] = column.parse(options[key])
                except ValueError as exc:
                    raise CommandError(f"--{key}：{exc}") from None
        lookups = {
            "unit": (Unit.objects, "name"),
            "headquarters": (Unit.objects, "name"),
            "park": (Unit.objects, "name"),
            "region": (Region.objects, "code"),
            "leader": (Person.objects, "name"),
        }
        for key, (manager, field) in lookups.items():
            if options[key]:
                found = list(manager.filter(**{field: options[key]}).values_list("pk", flat=True)[:2])
                if len(found) != 1:
                    raise CommandError(f"--{key}：找不到或不唯一：{options[key]}")
                data[key] = found[0]
        return {k: v for k, v in data.items() if v not in (None, "")}
