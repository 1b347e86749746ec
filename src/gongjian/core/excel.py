"""A one-sheet Excel export with a header row, for the lists that export what the page shows."""

import io

from django.http import FileResponse


class Export:
    """One sheet of an Excel export with a header row: rows are written to ``sheet``; ``response`` finishes it."""

    def __init__(self, name: str, columns: list[str]):
        import xlsxwriter

        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"strings_to_numbers": False, "strings_to_formulas": False,
                                                      "strings_to_urls": False})
        self.sheet = self.book.add_worksheet(name)
        self.sheet.write_row(0, 0, columns, self.format(bold=True, bg_color="#DDEBF7", border=1, text_wrap=True))

    def format(self, **spec):
        return self.book.add_format(spec)

    def response(self, filename: str, widths: dict[tuple[int, int], int], *, freeze: tuple[int, int]):
        for (first, last), width in widths.items():
            self.sheet.set_column(first, last, width)
        self.sheet.freeze_panes(*freeze)
        self.book.close()
        self.buffer.seek(0)
        return FileResponse(self.buffer, as_attachment=True, filename=filename)
