from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongjian.assess import services
from gongjian.core.locking import ANY_VERSION


class Command(BaseCommand):
    help = (
        "Assessment schemes as YAML: `scheme import FILE [--activate YEAR]` keeps the file as a new version; "
        "`scheme export [--year YEAR]` prints the scheme in force for a year (default: this year's)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import", "export"])
        parser.add_argument("file", nargs="?")
        parser.add_argument("--activate", type=int, metavar="YEAR")
        parser.add_argument("--year", type=int)

    def handle(self, *args, action, file, activate, year, **options):
        if action == "export":
            row = services.scheme_for(year or timezone.localdate().year)
            self.stdout.write(services.export_yaml(row), ending="")
            return
        if not file:
            raise CommandError("scheme import needs the YAML file")
        try:
            row = services.import_yaml(
                Path(file).read_text(encoding="utf-8"), actor=None, note=f"导入 {file}"
            )
            if activate:
                # the command line puts the imported version in force whatever was chosen for the year before
                services.activate(row, activate, actor=None, expected_version=ANY_VERSION)
        except ValidationError as exc:
            raise CommandError(
                "；".join(f"{k}: {'；'.join(v)}" for k, v in exc.message_dict.items())
                if hasattr(exc, "error_dict")
                else "；".join(exc.messages)
            ) from exc
        self.stdout.write(f"{row} saved" + (f", in force for {activate}" if activate else ""))
