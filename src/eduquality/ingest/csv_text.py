"""The text of a CSV/TXT file: its encoding and its field separator, found the same way by the
importers' reader (:mod:`eduquality.ingest.readers`) and the typed reader of numbers
(:mod:`eduquality.ingest.number_csv`). No pandas here: ``irt fit`` and ``items`` load this.

Encodings a school's file comes in:

- a byte-order mark says it: UTF-8 with BOM (Excel's "CSV UTF-8"), UTF-16 LE or BE (Excel's
  "Unicode text", a tab-separated ``.txt`` that users also rename to ``.csv``);
- else UTF-8 when the bytes are valid UTF-8;
- else GB18030, the superset of GBK (Excel's "CSV" on a Chinese Windows).

A file that is none of these (UTF-16 without its BOM, a workbook renamed ``.csv``) raises
:class:`Undecodable` with the line where decoding failed; the readers turn it into a message in
the user's language, never the codec's own text.

Separators: comma, tab (Excel's "Unicode text" and "Text (Tab delimited)") or semicolon (Excel
in a locale whose list separator is the semicolon), read from the header: the first line that holds any of
them outside quotes (a title line above the table holds none), the one it holds most of.
"""

from __future__ import annotations

SEPARATORS = (",", "\t", ";")
"""The field separators recognised, in the order a tie is settled (comma first)."""

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


class Undecodable(ValueError):
    """The bytes are not text in any encoding read: ``line`` (1-based) is where it failed."""

    def __init__(self, line: int) -> None:
        self.line = line
        super().__init__(f"undecodable from line {line}")


def detect_encoding(data: bytes) -> str:
    """'utf-8-sig', 'utf-16-le' or 'utf-16-be' (a BOM), 'utf-8' (valid UTF-8) or 'gb18030'
    (GBK and its superset), as :func:`decode` reads ``data``.

    >>> detect_encoding("学号".encode("gbk")), detect_encoding("学号".encode("utf-8"))
    ('gb18030', 'utf-8')
    >>> detect_encoding("学号".encode("utf-16"))  # Python writes the BOM of its byte order
    'utf-16-le'
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` without its BOM, and its encoding (:func:`detect_encoding`).

    Raises :class:`Undecodable` when the bytes do not decode, or when they look like UTF-16
    without a BOM (more than one byte in eight of the first 4 KiB zero, the high bytes of its
    ASCII characters: they would "decode" as UTF-8 to text full of NULs).

    >>> decode(b"\\xff\\xfe" + "学号\\t姓名".encode("utf-16-le"))
    ('学号\\t姓名', 'utf-16-le')
    >>> try:
    ...     decode("a\\n学号".encode("utf-16-le"))  # no BOM
    ... except Undecodable as exc:
    ...     exc.line
    1
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _decode(data, len(bom), name), name
    head = data[:4096]
    if head.count(0) * 8 > len(head):
        raise Undecodable(1)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return _decode(data, 0, "gb18030"), "gb18030"


def _decode(data: bytes, start: int, encoding: str) -> str:
    try:
        return data[start:].decode(encoding) if start else data.decode(encoding)
    except UnicodeDecodeError as exc:
        failed = start + exc.start
        if encoding.startswith("utf-16"):
            line = data[start:failed].decode(encoding, "replace").count("\n") + 1
        else:
            line = data.count(b"\n", 0, failed) + 1
        raise Undecodable(line) from None


def as_utf8(data: bytes, text: str, encoding: str) -> bytes:
    """The UTF-8 bytes of ``text`` (``data`` decoded by :func:`decode`) without a BOM, for
    Arrow's CSV reader: ``data`` itself when it is UTF-8 (no copy)."""
    if encoding == "utf-8":
        return data
    if encoding == "utf-8-sig":
        return data[3:]
    return text.encode("utf-8")


def detect_separator(text: str, max_lines: int = 50) -> str:
    r"""The field separator of the CSV ``text`` (see the module): in the first line, of the
    first ``max_lines``, that holds a separator outside quotes, the one it holds most of
    (a tie: comma, then tab, then semicolon); a comma when no line holds any.

    >>> detect_separator("考号;姓名;数学\n1;张三;40,5\n")
    ';'
    >>> detect_separator('成绩单\n"学校,班级"\t姓名\t数学\n')  # a title; a quoted comma
    '\t'
    """
    quoted = False
    for line in text.split("\n", max_lines)[:max_lines]:
        if quoted or '"' in line:
            counts, quoted = _count_outside_quotes(line, quoted)
        else:
            counts = [line.count(s) for s in SEPARATORS]
        if any(counts):
            return SEPARATORS[counts.index(max(counts))]
    return ","


def _count_outside_quotes(line: str, quoted: bool) -> tuple[list[int], bool]:
    """Each separator's count in ``line`` outside quoted fields (``quoted``: the line starts
    inside one, a value that holds a line break), and whether the line ends inside one."""
    counts = [0] * len(SEPARATORS)
    for ch in line:
        if ch == '"':
            quoted = not quoted  # a doubled quote inside a value toggles twice
        elif not quoted and ch in SEPARATORS:
            counts[SEPARATORS.index(ch)] += 1
    return counts, quoted
