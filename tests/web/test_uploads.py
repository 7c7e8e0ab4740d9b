"""The upload rules before any reader opens a file (zip bombs, oversized sheets) and the
temporary area of uploads awaiting confirmation."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from eduquality.ingest.readers import RawSheet
from eduquality.web.uploads import (
    PendingUploads,
    SheetSize,
    UploadLimits,
    UploadRefused,
    check_cells,
    check_suffix,
    check_workbook,
    human_bytes,
)

LIMITS = UploadLimits()


def _workbook(path: Path, cells: dict[str, object]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "教师"
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(path)
    return path


def test_an_ordinary_workbook_passes(tmp_path):
    check_workbook(_workbook(tmp_path / "ok.xlsx", {"A1": "工号", "B1": "姓名", "A2": "T9"}),
                   LIMITS, "en")


def test_a_zip_bomb_is_refused_by_its_ratio(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (40 << 20))  # 40 MiB → ~40 KiB
    assert path.stat().st_size < 100_000
    with pytest.raises(UploadRefused, match="zip bomb"):
        check_workbook(path, LIMITS, "en")


def test_a_workbook_unpacking_beyond_the_cap_is_refused(tmp_path):
    path = tmp_path / "big.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(3):
            zf.writestr(f"xl/media/{i}.bin", b"x" * (1 << 20))
    with pytest.raises(UploadRefused, match="unpacks to too much"):
        check_workbook(path, UploadLimits(max_unpacked=2 << 20, max_ratio=10_000), "en")


def test_a_member_lying_about_its_size_fails_its_check(tmp_path):
    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"<row r=\"1\"><c r=\"A1\"/></row>" * 100)
    data = bytearray(path.read_bytes())
    # shrink the declared size in the central directory: Python stops there, the CRC fails
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0]
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (info.file_size // 2).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(UploadRefused):
        check_workbook(path, LIMITS, "en")


def test_a_cell_far_away_is_refused_before_a_reader_allocates_the_sheet(tmp_path):
    path = _workbook(tmp_path / "far.xlsx", {"A1": "工号", "A1000000": "x"})
    assert path.stat().st_size < 20_000
    with pytest.raises(UploadRefused, match=r"sheet '教师' is too large \(1000000 rows"):
        check_workbook(path, LIMITS, "en")
    wide = _workbook(tmp_path / "wide.xlsx", {"A1": "工号", "ZZ1": "x"})  # column 702
    with pytest.raises(UploadRefused, match="702 columns"):
        check_workbook(wide, UploadLimits(max_cols=500), "en")


def test_sheet_size_counts_rows_cells_and_the_declared_dimension():
    size = SheetSize()
    size.feed(b'<dimension ref="A1:C4"/><sheetData><row r="1"><c r="A1"/><c r="C1"/></row>'
              b'<row><c/><c/><c/><c/></row><x:row r="9"><x:c r="B9"/></x:row></sheetData>')
    assert (size.rows, size.cols, size.cells, size.declared) == (9, 4, 7, 12)
    huge = SheetSize()
    huge.feed(b'<dimension ref="A1:XFD1048576"/>')
    assert huge.too_big(LIMITS) and not size.too_big(LIMITS)


def test_not_a_workbook_and_unsupported_types(tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"not a zip at all")
    with pytest.raises(UploadRefused, match=r"not a valid \.xlsx"):
        check_workbook(fake, LIMITS, "en")
    assert check_suffix("名册.XLSX", "en") == ".xlsx" and check_suffix("a.csv", "en") == ".csv"
    for name in ("旧表.xls", "a.exe", "noext"):
        with pytest.raises(UploadRefused, match="unsupported file type"):
            check_suffix(name, "en")
    with pytest.raises(UploadRefused, match=r"不支持的文件类型 \.xls"):
        check_suffix("旧表.xls", "zh")


def test_check_cells_refuses_sheets_read_beyond_the_limits():
    small = RawSheet("a", pd.DataFrame([[1, 2]] * 3))
    check_cells([small], UploadLimits(max_rows=3, max_cols=2, max_cells=6), "en")
    with pytest.raises(UploadRefused, match="4 rows × 2 columns"):
        check_cells([RawSheet("a", pd.DataFrame([[1, 2]] * 4))],
                    UploadLimits(max_rows=3), "en")
    with pytest.raises(UploadRefused):
        check_cells([small], UploadLimits(max_cells=5), "en")


def test_human_bytes():
    assert [human_bytes(n) for n in (512, 2048, 20 << 20, 1536)] == [
        "512 B", "2 KiB", "20 MiB", "1.5 KiB"]


def test_pending_uploads_belong_to_their_session_and_expire(tmp_path):
    area = PendingUploads(UploadLimits(ttl_s=60, per_session=2), root=tmp_path)
    assert oct(area.root.stat().st_mode & 0o777) == "0o700"
    item = area.add("cookie-1", "p1", "../../etc/名册.csv", b"a,b\n", now=0.0, lang="en")
    assert item.path.parent.parent == area.root and item.name == "名册.csv"
    assert oct(item.path.stat().st_mode & 0o777) == "0o600"
    assert area.get(item.token, "cookie-1", now=1.0) is item
    assert area.get(item.token, "cookie-2", now=1.0) is None       # another session
    assert area.get(item.token, None, now=1.0) is None
    area.add("cookie-1", "p1", "b.csv", b"x", now=2.0, lang="en")
    with pytest.raises(UploadRefused, match="too many uploads"):
        area.add("cookie-1", "p1", "c.csv", b"x", now=3.0, lang="en")
    area.add("cookie-2", "p1", "c.csv", b"x", now=3.0, lang="en")  # per session
    assert area.get(item.token, "cookie-1", now=61.0) is None       # expired …
    assert not item.path.exists()                                   # … and deleted
    assert len(area) == 2
    other = area.add("cookie-3", "p2", "d.csv", b"x", now=62.0, lang="en")
    area.discard(other.token)
    assert not other.path.parent.exists() and area.get(other.token, "cookie-3", 63.0) is None


def test_a_cell_hidden_in_a_tag_across_chunks_is_still_counted(tmp_path):
    path = tmp_path / "hidden.xlsx"
    junk = "".join(f"{i:x}" for i in range(800_000))           # ~4 MiB: one tag, 4 chunks
    xml = (f'<worksheet><sheetData><row r="1"><c r="A1"/></row>'
           f'<row><c r="A900000" j="{junk}"/></row></sheetData></worksheet>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    with pytest.raises(UploadRefused, match="900000 rows"):
        check_workbook(path, UploadLimits(max_ratio=10_000), "en")
