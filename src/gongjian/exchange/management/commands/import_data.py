from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from gongjian.exchange.exports import write_error_report
from gongjian.exchange.management.commands._actor import actor_named
from gongjian.exchange.services import import_projects


class Command(BaseCommand):
    help = (
        "Import projects from an .xlsx workbook (sheets 项目, and optionally 形象进度节点 and 前期手续, as in the "
        "template) or a .csv file (UTF-8 or GBK). Every row is checked first: if any is wrong nothing is saved "
        "and each error is listed by sheet, row and column. Rows are matched by 项目编号, or by name within the "
        "year when the code is blank, so importing the same file again updates instead of duplicating. "
        "Exit status 1 on errors. Example: gongjian import projects 2026年重点项目.xlsx --dry-run"
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Shown as `gongjian import ...`, the name the gongjian command gives it.
        return super().create_parser(prog_name, "import", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["projects"], help="what to import")
        parser.add_argument("file", help="the .xlsx or .csv file")
        parser.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="act as this account: its permissions and data scope apply and the audit trail "
            "names it (default: the command line, recorded as 'system', may change anything)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check everything and print the counts, save nothing"
        )
        parser.add_argument(
            "--error-report",
            metavar="REPORT.xlsx",
            help="when there are errors, also write them (and the rejected rows) to this workbook",
        )

    def handle(self, *args, file, username, dry_run, error_report, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        actor = actor_named(username)
        with path.open("rb") as stream:
            try:
                result = import_projects(stream, filename=path.name, actor=actor, dry_run=dry_run)
            except PermissionDenied as exc:
                raise CommandError(str(exc) or "无权导入项目。") from exc
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"提示：{warning}"))
        if not result.ok:
            self.stderr.write("工作表\t行号\t列\t填写的值\t错误原因")
            for error in result.errors:
                self.stderr.write(
                    f"{error.sheet}\t{error.row or ''}\t{error.column}\t{error.value}\t{error.message}"
                )
            if error_report:
                with open(error_report, "wb") as report:
                    write_error_report(result.errors, report, rejected=result.rejected)
                self.stderr.write(f"错误报告已写入 {error_report}")
            raise CommandError(f"导入失败：共 {len(result.errors)} 处错误，未保存任何数据。")
        done = "检查通过（未保存）" if dry_run else "导入完成"
        self.stdout.write(
            self.style.SUCCESS(
                f"{done}：新建 {result.created} 个项目，更新 {result.updated} 个，未变 {result.unchanged} 个。"
            )
        )
        if result.created_units:
            self.stdout.write(f"新登记的业主单位：{'、'.join(result.created_units)}")
