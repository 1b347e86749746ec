"""The vendored browser libraries are the files whose checksums were recorded when they were fetched."""

import hashlib
from pathlib import Path

import gongjian

VENDOR = Path(gongjian.__file__).parent / "core" / "static" / "core" / "vendor"


def test_every_vendored_file_matches_its_recorded_checksum():
    sums = sorted(VENDOR.glob("*/SHA256SUMS"))
    assert sums, "no vendored library found"
    for listing in sums:
        for line in listing.read_text().splitlines():
            digest, name = line.split()
            data = (listing.parent / name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == digest, f"{listing.parent.name}/{name} was changed"


def test_echarts_carries_its_licence():
    licence = (VENDOR / "echarts" / "LICENSE").read_text()
    assert "Apache License" in licence
