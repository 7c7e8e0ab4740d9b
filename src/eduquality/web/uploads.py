"""Uploaded files between their dry run and the import: the size rules and the temporary area.

An upload is checked before any reader opens it (:func:`check_workbook`): a ``.xlsx`` is a zip
archive, and a small one can unpack into gigabytes (a "zip bomb") or declare a cell at
``XFD1048576`` so that a reader allocating the sheet's rectangle runs out of memory. So the
archive's members, their declared sizes and compression ratios are checked, every member is
unpacked as a stream with the bytes counted (Python's ``zipfile`` stops at the declared size
and fails the CRC check when a member holds more), and each worksheet's rows, columns and
cells are counted from its XML (``<dimension>``, ``<row r>``, ``<c r>``) before the reader
(:func:`eduquality.ingest.readers.read_sheets`) sees the file. The legacy binary ``.xls`` is
refused (it cannot be checked this way: the user saves it as ``.xlsx``); a CSV is bounded by
the upload's size and counted after reading (:func:`check_cells`).

Between the dry run and the confirmation the file lives in :class:`PendingUploads`: a private
temporary folder (0700) of the server process, one entry per upload, reachable only with the
session cookie it was uploaded under, for :data:`UploadLimits.ttl_s` seconds at most, and
deleted when imported, cancelled or expired, when its session signs out, and with the folder
when the process ends.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import tempfile
import threading
import weakref
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.ingest.readers import CSV_SUFFIXES, RawSheet

MESSAGES = register({
    "web.upload.too_big": ("文件太大（上限 {limit}）", "the file is too large (at most {limit})"),
    "web.upload.no_length": ("上传请求缺少长度（Content-Length）",
                             "the upload has no length (Content-Length)"),
    "web.upload.no_file": ("请选择要上传的文件", "choose a file to upload"),
    "web.upload.file_type": (
        "不支持的文件类型 {suffix}：请上传 .xlsx 或 .csv（.xls 请在 Excel 中另存为 .xlsx）",
        "unsupported file type {suffix}: upload .xlsx or .csv (save an .xls as .xlsx in Excel)",
    ),
    "web.upload.not_xlsx": ("文件不是有效的 .xlsx 工作簿", "the file is not a valid .xlsx workbook"),
    "web.upload.unpacked_too_big": (
        "工作簿解压后过大（{size}，上限 {limit}），已拒绝",
        "the workbook unpacks to too much data ({size}, at most {limit}): refused",
    ),
    "web.upload.ratio": (
        "工作簿中的 {part} 压缩比异常（{ratio}:1，上限 {limit}:1），疑似压缩炸弹，已拒绝",
        "{part} in the workbook is compressed {ratio}:1 (at most {limit}:1), like a zip "
        "bomb: refused",
    ),
    "web.upload.members": ("工作簿包含的部件过多（{n} 个）", "the workbook has too many parts ({n})"),
    "web.upload.sheet_too_big": (
        "工作表「{sheet}」过大（{rows} 行 × {cols} 列；上限 {max_rows} 行、{max_cols} 列、"
        "{max_cells} 个单元格），请拆分后上传",
        "sheet '{sheet}' is too large ({rows} rows × {cols} columns; at most {max_rows} "
        "rows, {max_cols} columns, {max_cells} cells): split it",
    ),
    "web.upload.busy": ("待确认的上传过多，请先确认或取消之前的上传",
                        "too many uploads await confirmation: confirm or cancel them first"),
})

XLSX_SUFFIXES = (".xlsx", ".xlsm")
UPLOAD_SUFFIXES = (*XLSX_SUFFIXES, *CSV_SUFFIXES)
"""What the web takes: workbooks that can be checked before opening, and CSV."""


class UploadRefused(EduQualityError):
    """The upload breaks a size rule or is not a file the platform takes."""


@dataclass(frozen=True)
class UploadLimits:
    """The caps of an upload (``app.state.upload_limits``; tests shrink them)."""

    max_bytes: int = 20 << 20
    """The uploaded file (and, with a little room for the form, the request)."""
    max_unpacked: int = 200 << 20
    """A workbook's members unpacked, together."""
    max_ratio: int = 200
    """Unpacked ÷ packed size of one member larger than 1 MiB."""
    max_members: int = 1000
    max_rows: int = 300_000
    max_cols: int = 1000
    max_cells: int = 6_000_000
    """Per sheet: what a score sheet of a province-sized exam stays far below."""
    ttl_s: float = 1800.0
    """How long an upload waits for its confirmation."""
    per_session: int = 3
    """Uploads awaiting confirmation per session."""


def human_bytes(n: int) -> str:
    """``20971520`` → ``'20 MiB'``."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" or n == int(n) else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"  # pragma: no cover


def check_suffix(name: str, lang: str) -> str:
    """The file's suffix, lower case, when the web takes it; else UploadRefused."""
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadRefused(tr("web.upload.file_type", lang, suffix=suffix or "?"))
    return suffix


_TAG = re.compile(rb"<(?:\w+:)?(row|c|dimension)\b([^>]*)>")
_ROW_R = re.compile(rb'\br="([0-9]+)"')
_CELL_R = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_DIM = re.compile(rb'\bref="([A-Z]+)([0-9]+)(?::([A-Z]+)([0-9]+))?"')


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


@dataclass
class SheetSize:
    """Rows, columns (1-based maxima) and cells counted in one worksheet's XML."""

    rows: int = 0
    cols: int = 0
    cells: int = 0
    declared: int = 0
    """The area its ``<dimension ref>`` declares (readers may allocate it)."""
    _row: int = field(default=0, repr=False)
    _col: int = field(default=0, repr=False)

    def feed(self, xml: bytes) -> None:
        for m in _TAG.finditer(xml):
            tag, attrs = m.group(1), m.group(2)
            if tag == b"row":
                r = _ROW_R.search(attrs)
                self._row = int(r.group(1)) if r else self._row + 1
                self._col = 0
                self.rows = max(self.rows, self._row)
            elif tag == b"c":
                c = _CELL_R.search(attrs)
                self._col = _col(c.group(1)) if c else self._col + 1
                if c:
                    self.rows = max(self.rows, int(c.group(2)))
                self.cols = max(self.cols, self._col)
                self.cells += 1
            else:
                d = _DIM.search(attrs)
                if d and d.group(3):
                    width = _col(d.group(3)) - _col(d.group(1)) + 1
                    height = int(d.group(4)) - int(d.group(2)) + 1
                    self.declared = max(self.declared, width * height)

    def too_big(self, limits: UploadLimits) -> bool:
        return (self.rows > limits.max_rows or self.cols > limits.max_cols
                or self.rows * self.cols > limits.max_cells or self.declared > limits.max_cells)


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Part name → sheet name (the part's own name when the workbook does not say)."""
    from eduquality.ingest.readers import _xlsx_sheet_parts

    try:
        return {part: name for name, part in _xlsx_sheet_parts(zf).items()}
    except Exception:  # names are for messages only
        return {}


def check_workbook(path: Path, limits: UploadLimits, lang: str) -> None:
    """Refuse (UploadRefused) a ``.xlsx`` that is no zip archive, has too many members, packs
    a member more than ``max_ratio``:1, unpacks to more than ``max_unpacked`` bytes, or has a
    worksheet beyond ``max_rows`` × ``max_cols`` / ``max_cells`` — all before a reader opens
    it. Every member is unpacked once as a stream (bytes counted, CRC checked)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UploadRefused(tr("web.upload.not_xlsx", lang)) from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            raise UploadRefused(tr("web.upload.members", lang, n=len(infos)))
        declared = sum(i.file_size for i in infos)
        if declared > limits.max_unpacked:
            raise UploadRefused(tr("web.upload.unpacked_too_big", lang,
                                   size=human_bytes(declared),
                                   limit=human_bytes(limits.max_unpacked)))
        for i in infos:
            ratio = i.file_size / max(i.compress_size, 1)
            if i.file_size > (1 << 20) and ratio > limits.max_ratio:
                raise UploadRefused(tr("web.upload.ratio", lang, part=i.filename,
                                       ratio=int(ratio), limit=limits.max_ratio))
        names = _sheet_names(zf)
        total = 0
        for i in infos:
            size = SheetSize() if i.filename.startswith("xl/worksheets/") else None
            try:
                with zf.open(i) as fh:
                    tail = b""
                    while chunk := fh.read(1 << 20):
                        total += len(chunk)
                        if total > limits.max_unpacked:
                            raise UploadRefused(tr(
                                "web.upload.unpacked_too_big", lang,
                                size=f"> {human_bytes(limits.max_unpacked)}",
                                limit=human_bytes(limits.max_unpacked)))
                        if size is not None:
                            tail = _scan(size, tail + chunk, lang)
                            if size.too_big(limits):
                                break
                    if size is not None:
                        size.feed(tail)
            except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
                raise UploadRefused(tr("web.upload.not_xlsx", lang)) from exc
            except NotImplementedError as exc:  # an unsupported compression method
                raise UploadRefused(tr("web.upload.not_xlsx", lang)) from exc
            if size is not None and size.too_big(limits):
                raise UploadRefused(_too_big(names.get(i.filename, i.filename), size.rows,
                                             size.cols, limits, lang))


MAX_TAG = 8 << 20
"""Bytes one XML tag of a worksheet may span (a real one spans a few dozen)."""


def _scan(size: SheetSize, buf: bytes, lang: str) -> bytes:
    """Feed the complete tags of ``buf`` to ``size``; return what follows the last ``<`` (a
    tag that may continue in the next chunk)."""
    cut = buf.rfind(b"<")
    if cut < 0:
        return b""  # text only: no tag pending
    if cut == 0 and len(buf) > MAX_TAG:
        raise UploadRefused(tr("web.upload.not_xlsx", lang))
    size.feed(buf[:cut])
    return buf[cut:]


def _too_big(sheet: str, rows: int, cols: int, limits: UploadLimits, lang: str) -> str:
    return tr("web.upload.sheet_too_big", lang, sheet=sheet, rows=rows, cols=cols,
              max_rows=limits.max_rows, max_cols=limits.max_cols, max_cells=limits.max_cells)


def check_cells(sheets: list[RawSheet], limits: UploadLimits, lang: str) -> None:
    """Refuse sheets beyond the limits once read (a CSV, or what a workbook held)."""
    for s in sheets:
        rows, cols = s.cells.shape
        if rows > limits.max_rows or cols > limits.max_cols or rows * cols > limits.max_cells:
            raise UploadRefused(_too_big(s.name, rows, cols, limits, lang))


def _key(session_token: str) -> str:
    return hashlib.sha256(session_token.encode()).hexdigest()


@dataclass
class Pending:
    """One upload awaiting its confirmation: the file, who sent it under which session, and
    the options of its dry run (kind, exam, subject …)."""

    token: str
    session_key: str
    username: str
    path: Path
    created: float
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name


class PendingUploads:
    """The temporary area of uploads between dry run and confirmation (see the module)."""

    def __init__(self, limits: UploadLimits, root: Path | None = None) -> None:
        self.limits = limits
        self.root = Path(tempfile.mkdtemp(prefix="eduquality-uploads-", dir=root))
        self.root.chmod(0o700)
        self._items: dict[str, Pending] = {}
        self._lock = threading.Lock()
        weakref.finalize(self, shutil.rmtree, self.root, True)  # also at exit

    def add(self, session_token: str, username: str, name: str, data: bytes, now: float,
            lang: str) -> Pending:
        """Keep ``data`` under its file name (its directory part dropped) for this session.
        Refused when the session already has ``per_session`` uploads waiting."""
        self.purge(now)
        key = _key(session_token)
        with self._lock:
            if sum(p.session_key == key for p in self._items.values()) >= self.limits.per_session:
                raise UploadRefused(tr("web.upload.busy", lang))
            token = secrets.token_urlsafe(18)
            folder = self.root / token
            folder.mkdir(mode=0o700)
            safe = Path(name.replace("\\", "/")).name.strip() or "upload"
            path = folder / safe[-120:]
            path.write_bytes(data)
            path.chmod(0o600)
            item = Pending(token, key, username, path, now)
            self._items[token] = item
            return item

    def get(self, token: str, session_token: str | None, now: float) -> Pending | None:
        """The upload ``token`` of this session, if it has not expired."""
        self.purge(now)
        with self._lock:
            item = self._items.get(token)
        if item is None or session_token is None or not secrets.compare_digest(
                item.session_key, _key(session_token)):
            return None
        return item

    def discard(self, token: str) -> None:
        """Forget an upload and delete its file."""
        with self._lock:
            item = self._items.pop(token, None)
        if item is not None:
            shutil.rmtree(item.path.parent, ignore_errors=True)

    def drop_session(self, session_token: str | None) -> None:
        """Delete every upload of this session (it is ending: signing out)."""
        if not session_token:
            return
        key = _key(session_token)
        with self._lock:
            mine = [t for t, p in self._items.items() if p.session_key == key]
        for token in mine:
            self.discard(token)

    def purge(self, now: float) -> None:
        """Delete the uploads older than ``ttl_s``."""
        with self._lock:
            old = [t for t, p in self._items.items() if now - p.created > self.limits.ttl_s]
        for token in old:
            self.discard(token)

    def __len__(self) -> int:
        return len(self._items)
