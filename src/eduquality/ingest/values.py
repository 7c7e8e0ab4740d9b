"""Cell values → clean columns, vectorised: text, numbers, dates, booleans, vocabulary codes.

Every parser returns the parsed column *and* a mask of the cells it could not parse, so the
caller reports exactly those cells (and only loops over them).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from eduquality.vocab import Vocabulary, parse_grade

_SPACE_RE = re.compile(r"\s+")


def cell_text(v: Any) -> str:
    """One cell as text: blank (None, NA, NaT, NaN) as "", an integral float without its ".0"
    (a code or 学籍号 a spreadsheet stored as a number), surrounding spaces removed.

    >>> cell_text(2022.0), cell_text(None), cell_text(float("nan")), cell_text(" 甲中 ")
    ('2022', '', '', '甲中')
    """
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def records(frame: pd.DataFrame) -> list[Any]:
    """The rows of ``frame`` as named tuples (cells of any type), for the few loops over
    problems and small tables."""
    return list(frame.itertuples(index=False))


def norm_name(text: Any) -> str:
    """A name as compared (school names and their aliases): NFKC (full-width → ASCII), no
    spaces anywhere.

    >>> norm_name(" 昆明市 第一中学（本部） ")
    '昆明市第一中学(本部)'
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", str(text)))


def _wide(ch: str) -> bool:
    """A character of CJK width (汉字, kana, full-width forms)."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def norm_person_name(text: str) -> str:
    """A person's name as stored and compared (students, teachers; every importer): spaces
    (ASCII, no-break U+00A0, ideographic U+3000, any Unicode space) removed at both ends and
    between 汉字 ('潘　语', '杨 晨语' → '潘语', '杨晨语'); one space kept between two words of
    a Latin-script (or other narrow-script) name ('Anna  Lee' → 'Anna Lee'); no space next
    to punctuation ('阿依古丽 · 买买提' → '阿依古丽·买买提'). Nothing else changes: a name
    without spaces is returned as it is (the middle dot's spellings are not unified).

    >>> norm_person_name("潘\u3000语"), norm_person_name(" Anna\u00a0 Lee "), norm_person_name("王健鑫")
    ('潘语', 'Anna Lee', '王健鑫')
    """
    words = text.split()
    if len(words) == 1:
        return words[0]
    out = words[0] if words else ""
    for word in words[1:]:
        a, b = out[-1], word[0]
        narrow_words = a.isalnum() and b.isalnum() and not _wide(a) and not _wide(b)
        out += (" " if narrow_words else "") + word
    return out


_ANY_SPACE = "[" + "".join(c for c in map(chr, range(0x3001)) if c.isspace()) + "]"
"""A character class of every character ``str.split`` splits on, written out (Arrow's RE2 and
Python's ``re`` read it alike; RE2's ``\\s`` is ASCII only)."""


def person_names(text: pd.Series) -> pd.Series:
    """:func:`norm_person_name` of each name of a column (missing stays missing). Only names
    holding a space are rewritten (found by one regular-expression pass): a column of 200,000
    names without spaces costs a scan, not 200,000 calls."""
    spaced = text.str.contains(_ANY_SPACE, regex=True, na=False).to_numpy(dtype=bool)
    if not spaced.any():
        return text
    out = text.copy()
    out[spaced] = map_unique(text[spaced], norm_person_name)[0].to_numpy()
    return out


def norm_header(text: Any) -> str:
    """A header as compared with aliases: :func:`norm_name`, lower case.

    >>> norm_header(" 17（2） "), norm_header("学 籍 号")
    ('17(2)', '学籍号')
    """
    return norm_name(text).lower()


_NUMBER_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


def _arrow(s: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow strings behind ``s`` (a CSV column), or None for other columns."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        arr = pa.array(s.array)
        return pa.chunked_array([arr]) if isinstance(arr, pa.Array) else arr
    return None


def _arrow_text(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    """Trimmed strings, empty ones null."""
    trimmed = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _is_str(obj: np.ndarray) -> np.ndarray:
    return np.frompyfunc(lambda v: isinstance(v, str), 1, 1)(obj).astype(bool)


def is_blank(s: pd.Series) -> np.ndarray:
    """True where a cell is empty (None, NaN, '' or only spaces)."""
    arr = _arrow(s)
    if arr is not None:
        return np.asarray(pc.is_null(_arrow_text(arr)).to_numpy(zero_copy_only=False),
                          dtype=bool)
    na = np.array(s.isna(), dtype=bool)  # a writable copy
    if s.dtype == object:
        obj = s.to_numpy(dtype=object)
        strs = np.flatnonzero(~na & _is_str(obj))
        if len(strs):
            blank_text = pd.Series(obj[strs], dtype=object).str.strip().eq("").to_numpy()
            na[strs[blank_text]] = True
    elif isinstance(s.dtype, pd.StringDtype):
        na = na | s.fillna("").str.strip().eq("").to_numpy()
    return na


def _fmt_number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def as_text(s: pd.Series) -> pd.Series:
    """Cells as stripped text (missing for blank). Integral numbers lose their '.0'
    (a 考号 stored as a number), dates become ISO dates."""
    arr = _arrow(s)
    if arr is not None:
        return pd.Series(pd.arrays.ArrowStringArray(_arrow_text(arr)), index=s.index)
    out = pd.Series(None, index=s.index, dtype=object)
    if s.dtype.kind in "fiu":
        nums = s.to_numpy(dtype=float)
        ok = np.isfinite(nums)
        integral = ok & (nums == np.round(np.where(ok, nums, 0)))
        text = np.where(integral, np.where(ok, nums, 0).astype(np.int64).astype(str),
                        nums.astype(str)).astype(object)
        text[~ok] = None
        return pd.Series(text, index=s.index, dtype=object)
    blank = is_blank(s)
    if blank.all():
        return out
    keep = s[~blank]
    if keep.dtype == object:
        kinds = keep.map(type)
        is_num = kinds.isin([float, int, np.float64, np.int64]).to_numpy()
        is_date = kinds.isin([dt.date, dt.datetime, pd.Timestamp]).to_numpy()
        text = keep.to_numpy(dtype=object).copy()
        strs = ~is_num & ~is_date
        if strs.any():
            text[strs] = pd.Series(text[strs], dtype=object).astype(str).str.strip().to_numpy()
        if is_num.any():
            text[is_num] = [_fmt_number(v) for v in keep[is_num]]
        if is_date.any():
            text[is_date] = [v.isoformat()[:10] for v in keep[is_date]]
    else:
        text = keep.astype(str).str.strip().to_numpy(dtype=object)
    out[~blank] = text
    return out


def as_number(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(values as float with NaN for blank or unparsable, mask of non-blank unparsable cells).
    Full-width digits, signs and points (``９０``, ``８５．５``, typed with a Chinese input
    method) read as the number they show (Unicode NFKC)."""
    if s.dtype.kind in "fiu":
        num = s.to_numpy(dtype=float)
        return num, np.zeros(len(s), dtype=bool)
    arr = _arrow(s)
    if arr is not None:
        try:  # the common case: only numbers and empty cells
            num = np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False),
                             dtype=float)
            return num, np.zeros(len(num), dtype=bool)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        text = pc.utf8_normalize(_arrow_text(arr), "NFKC")
        ok = pc.fill_null(pc.match_substring_regex(text, _NUMBER_RE), False)
        values = pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.float64())
        num = np.asarray(values.to_numpy(zero_copy_only=False), dtype=float)
        bad = ~np.asarray(ok.to_numpy(zero_copy_only=False), dtype=bool) & ~np.asarray(
            pc.is_null(text).to_numpy(zero_copy_only=False), dtype=bool)
        return num, bad
    num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(num)
    if bad.any():
        bad_idx = np.flatnonzero(bad)
        wide = pd.to_numeric(s.iloc[bad_idx].map(
            lambda v: unicodedata.normalize("NFKC", v) if isinstance(v, str) else v),
            errors="coerce").to_numpy(dtype=float)
        num[bad_idx] = wide
        bad[bad_idx] = np.isnan(wide) & ~is_blank(s.iloc[bad_idx])
    return num, bad


def map_unique(text: pd.Series, parse: Callable[[str], Any]) -> tuple[pd.Series, np.ndarray]:
    """Apply ``parse`` once per distinct text; (parsed values, mask of non-blank unparsed).

    The distinct texts are found by hashing (``pd.factorize``, Arrow's for Arrow strings) and
    the parsed values spread back by their codes: no Python lookup per row. The result has
    the dtype that ``text.map`` would give (missing where the text is missing or unparsed)."""
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    small = pd.Series(uniques).map({u: parse(u) for u in uniques})
    parsed = pd.Series(pd.api.extensions.take(small.array, codes, allow_fill=True),
                       index=text.index)
    bad = (codes >= 0) & parsed.isna().to_numpy()
    return parsed, bad


def parse_vocab(text: pd.Series, vocab: Vocabulary) -> tuple[pd.Series, np.ndarray]:
    """Labels or aliases → codes of ``vocab``."""
    return map_unique(text, vocab.parse)


def date_from_text(v: str) -> dt.date | None:
    """A date written as text: '2021-09-01', '2021/9/1', '2021.9.1', '2021年9月1日', '20210901',
    with or without a time after it; None when the text is not a date.

    >>> date_from_text("2021年9月1日"), date_from_text("2021-09-01 08:30:00")
    (datetime.date(2021, 9, 1), datetime.date(2021, 9, 1))
    >>> date_from_text("2021-02-30") is None, date_from_text("九月") is None
    (True, True)
    """
    s = unicodedata.normalize("NFKC", v).strip()
    s = re.sub(r"[年月/.]", "-", s).replace("日", "")
    if re.fullmatch(r"\d{8}", s):
        s = f"{s[:4]}-{s[4:6]}-{s[6:]}"
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?", s)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_date(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Dates from Excel date cells or text ('2021-09-01', '2021/9/1', '2021年9月1日',
    '20210901'); returns datetime64 values and the mask of unparsable non-blank cells."""
    blank = is_blank(s)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[s]")
    bad = np.zeros(len(s), dtype=bool)
    if blank.all():
        return out, bad
    keep = s[~blank]
    values: list[tuple[Any, dt.date | None]] = []
    for v in pd.unique(keep):
        if isinstance(v, dt.datetime | pd.Timestamp):
            values.append((v, v.date()))
        elif isinstance(v, dt.date):
            values.append((v, v))
        else:
            values.append((v, date_from_text(str(v))))
    table = dict(values)
    parsed = keep.map(table)
    idx = np.flatnonzero(~blank)
    bad[idx] = parsed.isna().to_numpy()
    out.iloc[idx] = pd.to_datetime(parsed, errors="coerce").to_numpy()
    return out, bad


_TRUE = {"是", "1", "y", "yes", "true", "√", "✓", "有", "t"}
_FALSE = {"否", "0", "n", "no", "false", "无", "f", "×"}


def _parse_bool(v: str) -> bool | None:
    s = v.strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    return None


def parse_bool(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """是/否, 1/0, Y/N, √/blank → bool (blank is False)."""
    text = as_text(s)
    parsed, bad = map_unique(text, _parse_bool)
    return parsed.eq(True).to_numpy(dtype=bool, na_value=False), bad  # blank is False


def normalise_class(text: pd.Series) -> pd.Series:
    """A class name as compared: NFKC, no spaces, no trailing 班, no leading zeros
    ('（01）班' and '1班' and '1' compare equal)."""
    def one(v: str) -> str:
        s = _SPACE_RE.sub("", unicodedata.normalize("NFKC", v))
        s = s.strip("()").removesuffix("班").strip("()")
        return s.lstrip("0") or s
    parsed, _ = map_unique(text, one)
    return parsed


_GRADE_PREFIX = re.compile(r"^(初[一二三]|高[一二三]|(?:[一二三四五六七八九]|十[一二]?|1[0-2]|[1-9])年级)(.*)$")


def split_class_grade(text: str) -> tuple[int | None, str]:
    """A class as schools write it → (grade named in front, the rest): '七年级3班' → (7, '3班'),
    '初一(3)班' → (7, '(3)班'), '高一1班' → (10, '1班'); (None, text) without a grade.

    >>> split_class_grade("初一（3）班"), split_class_grade("3班")
    ((7, '(3)班'), (None, '3班'))
    """
    s = _SPACE_RE.sub("", unicodedata.normalize("NFKC", text))
    m = _GRADE_PREFIX.match(s)
    if not m:
        return None, text.strip()
    label = m.group(1)
    return parse_grade(label) or parse_grade(label.removesuffix("年级")), m.group(2)


def class_norm(names: pd.Series) -> pd.Series:
    """Class names as compared, by every importer: without a grade in front
    (:func:`split_class_grade`), then :func:`normalise_class` ('初二(01)班' = '1班' = '1')."""
    rest, _ = map_unique(names, lambda t: split_class_grade(t)[1])
    return normalise_class(rest)
