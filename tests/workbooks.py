"""Reading what an export wrote, and following an export that went to the background, as a person would."""

import io
import re

import openpyxl

from gongjian.jobs.models import Job


def contents(data: bytes) -> dict[str, list[tuple]]:
    """Every sheet's rows as values, by sheet name; the moment a file was written (导出时间) left out."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {
        sheet.title: [
            row
            for row in sheet.iter_rows(values_only=True)
            if not (isinstance(row[0], str) and row[0].startswith("导出时间"))
        ]
        for sheet in book.worksheets
    }


def export_in_background(client, url: str) -> tuple[Job, bytes]:
    """Open an export too long for the request: its page offers the background job (the GET starts nothing);
    start it, land on the job's page (the test backend has run it) and download the file from there."""
    before = Job.objects.count()
    offered = client.get(url)
    assert offered.status_code == 200 and Job.objects.count() == before
    page = offered.content.decode()
    assert 'id="export-start"' in page and 'method="post"' in page
    started = client.post(url)
    assert started.status_code == 302
    job = Job.objects.latest("created_at")
    assert started.url == f"/system/jobs/{job.pk}/"
    link = re.search(r'id="job-file" href="([^"]+)"', client.get(started.url).content.decode()).group(1)
    assert link == f"/system/jobs/{job.pk}/file/"
    download = client.get(link)
    assert download.status_code == 200
    return job, b"".join(download.streaming_content)
