from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongjian.core.forms import Form

# Ten thousand projects with their milestones and approvals make a workbook of a few megabytes.
MAX_UPLOAD_BYTES = 30 * 1024 * 1024


class ImportForm(Form):
    """The file to import, and whether only to check it."""

    file = forms.FileField(
        label=_("导入文件"),
        help_text=_("Excel 工作簿（.xlsx）或 CSV 文件（UTF-8 或 GBK 编码）。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    dry_run = forms.BooleanField(label=_("只检查，不保存"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in {".xlsx", ".xlsm", ".csv"}:
            raise ValidationError(_("只能导入 .xlsx 或 .csv 文件；旧版 .xls 请先另存为 .xlsx。"))
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("文件不能超过 30 MB。"))
        return upload
