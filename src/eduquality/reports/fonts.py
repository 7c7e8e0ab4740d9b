"""The one place that decides the CJK font of charts and PDFs, and makes sure it is there.

Every chart (matplotlib) and every PDF (WeasyPrint) uses one face: Noto Sans CJK SC, regular
(:data:`CJK_FAMILY`). A report is never written with missing glyphs (tofu boxes):

- matplotlib keeps a font cache (``fontlist-*.json``); a cache built before the font was
  installed does not know it, and matplotlib then silently falls back to DejaVu Sans.
  :func:`ensure_cjk_font` checks the font manager and, when it holds no Noto CJK face,
  registers the installed file (``fontManager.addfont``, :data:`FONT_FILES`);
- WeasyPrint finds fonts through fontconfig, which the ``fonts-noto-cjk`` package registers on
  installation; :func:`require_font_file` checks that a Noto CJK file is installed at all.

When no Noto CJK file can be found, both stop with :class:`MissingFontError`, which says what to
install (``apt-get install fonts-noto-cjk``) instead of writing an unreadable report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from eduquality.errors import KeyedError
from eduquality.i18n import register

MESSAGES = register({
    "reports.no_cjk_font": (
        "找不到中文字体 {family}，无法生成不缺字的图表或 PDF。请安装：apt-get install "
        "fonts-noto-cjk（或 dnf install google-noto-sans-cjk-fonts）；已查找：{searched}",
        "the CJK font {family} was not found, so charts and PDFs would miss glyphs. Install it: "
        "apt-get install fonts-noto-cjk (or dnf install google-noto-sans-cjk-fonts); "
        "searched: {searched}",
    ),
})

CJK_FAMILY = "Noto Sans CJK SC"
"""The face of every chart and PDF (regular only: headings use size and colour, not bold)."""

CJK_FAMILIES = (CJK_FAMILY, "Noto Sans CJK JP")
"""Names under which the installed face may be registered. matplotlib reads only the first face
of a ``.ttc`` collection, which Noto names 'Noto Sans CJK JP' (same glyph set)."""

FONT_FAMILY = [*CJK_FAMILIES, "DejaVu Sans"]
"""matplotlib's ``font.family``: the CJK face first; DejaVu Sans only for symbols it lacks."""

CSS_FONT_FAMILY = f'"{CJK_FAMILY}", sans-serif'
"""The ``font-family`` of PDF pages (WeasyPrint resolves it through fontconfig)."""

FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian, Ubuntu: fonts-noto-cjk
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Arch: noto-fonts-cjk
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora
    "/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc",  # Fedora ≥ 39
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/local/share/fonts/NotoSansCJK-Regular.ttc",
    "/usr/local/share/fonts/NotoSansCJKsc-Regular.otf",
    "~/.local/share/fonts/NotoSansCJK-Regular.ttc",
    "~/.local/share/fonts/NotoSansCJKsc-Regular.otf",
    "/Library/Fonts/NotoSansCJK-Regular.ttc",
    "C:/Windows/Fonts/NotoSansCJK-Regular.ttc",
)
"""Where the packages of common systems install the regular Noto Sans CJK face."""


class MissingFontError(KeyedError):
    """No Noto CJK font is installed: charts and PDFs would miss glyphs."""


def find_font_file(candidates: Iterable[str | Path] = FONT_FILES) -> Path | None:
    """The first of ``candidates`` that exists (``~`` expanded), or None."""
    for c in candidates:
        path = Path(c).expanduser()
        if path.is_file():
            return path
    return None


def require_font_file(candidates: Sequence[str | Path] = FONT_FILES) -> Path:
    """The installed Noto CJK file; :class:`MissingFontError` when there is none."""
    found = find_font_file(candidates)
    if found is None:
        raise MissingFontError("reports.no_cjk_font", family=CJK_FAMILY,
                               searched=", ".join(str(c) for c in candidates))
    return found


def has_cjk_face(manager: Any) -> bool:
    """Whether matplotlib's font ``manager`` knows one of :data:`CJK_FAMILIES`."""
    return any(f.name in CJK_FAMILIES for f in manager.ttflist)


def ensure_cjk_font(manager: Any = None, candidates: Sequence[str | Path] = FONT_FILES) -> str:
    """Make sure matplotlib draws CJK text with a Noto CJK face; return the family it uses.

    When ``manager`` (default: matplotlib's ``fontManager``) holds no Noto CJK face — no font
    installed when its cache was built — the installed file is registered with ``addfont``.
    Raises :class:`MissingFontError` when no such file is installed."""
    if manager is None:
        from matplotlib import font_manager

        manager = font_manager.fontManager
    if not has_cjk_face(manager):
        manager.addfont(str(require_font_file(candidates)))
        cached = getattr(manager, "_findfont_cached", None)
        if cached is not None and hasattr(cached, "cache_clear"):
            cached.cache_clear()  # forget lookups that fell back to DejaVu Sans
        if not has_cjk_face(manager):
            raise MissingFontError("reports.no_cjk_font", family=CJK_FAMILY,
                                   searched=", ".join(str(c) for c in candidates))
    return next(f.name for f in manager.ttflist if f.name in CJK_FAMILIES)


@cache
def chart_font() -> str:
    """:func:`ensure_cjk_font` for matplotlib's own font manager, once per process."""
    return ensure_cjk_font()


@cache
def pdf_font() -> Path:
    """:func:`require_font_file`, once per process (before the first PDF is written)."""
    return require_font_file()
