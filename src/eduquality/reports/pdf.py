"""PDF rendering with WeasyPrint: A4, one embedded and subsetted CJK face, charts as PNGs.

Speed (bench/results/reports.md): one font face (Noto Sans CJK SC regular; headings are not
bold, so no second face is loaded and embedded), font subsetting left on, one
:class:`FontConfiguration` shared by every document rendered in the process, charts as PNG
(vector charts with CJK glyph paths cost WeasyPrint ~0.2 s each). The face is decided in
:mod:`eduquality.reports.fonts`; no PDF is written when it is not installed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from eduquality.reports.fonts import pdf_font
from eduquality.reports.html import render_html
from eduquality.reports.model import Report


@cache
def font_configuration() -> FontConfiguration:
    """One font configuration per process: fonts are loaded once for all documents."""
    return FontConfiguration()


def render_pdf(report: Report, path: str | Path | None = None) -> bytes:
    """The report as PDF bytes; also written to ``path`` when given. Writes."""
    pdf_font()  # never a PDF with missing glyphs: stop with what to install
    html = render_html(report, pdf=True)
    data: bytes = HTML(string=html, base_url=None).write_pdf(
        font_config=font_configuration())
    if path is not None:
        Path(path).write_bytes(data)
    return data
