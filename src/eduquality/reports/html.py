"""HTML rendering: one self-contained page (stylesheet inline, charts as data: URIs, no network).

The same page, with ``pdf=True`` (A4 page rules, running header with the 内部资料 mark, page
numbers), is what :mod:`eduquality.reports.pdf` hands to WeasyPrint.
"""

from __future__ import annotations

import base64
from functools import cache
from importlib.resources import files
from typing import Any

import jinja2
from markupsafe import Markup

from eduquality.reports import labels as L
from eduquality.reports.fonts import CSS_FONT_FAMILY
from eduquality.reports.model import Chart, Column, Fmt, Report, Table, Text


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("eduquality.reports", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


@cache
def stylesheet() -> str:
    return (files("eduquality.reports") / "static" / "report.css").read_text(encoding="utf-8")


format_value = L.cell
"""A cell as text (:func:`eduquality.reports.labels.cell`)."""


def _cell_class(value: Any, fmt: Fmt) -> str:
    if fmt == "band":
        return f"text band-{value}"
    return "text" if fmt == "text" else ""


ARROWS = {"above": "↑", "below": "↓", "similar": "≈", "too_few": ""}


def _column_cells(table: Table, c: Column, lang: str) -> list[tuple[str, str]]:
    values = table.frame[c.key].tolist()
    if c.band_key and c.band_key in table.frame:
        bands = table.frame[c.band_key].tolist()
        return [(f"{format_value(v, c.fmt, lang)} {ARROWS.get(str(b), '')}".rstrip(),
                 f"band-{b}") for v, b in zip(values, bands, strict=True)]
    return [(format_value(v, c.fmt, lang), _cell_class(v, c.fmt)) for v in values]


def _table(table: Table, lang: str) -> dict[str, Any]:
    cols = [c for c in table.columns if c.in_print and c.key in table.frame]
    columns = [_column_cells(table, c, lang) for c in cols]
    rows = [list(r) for r in zip(*columns, strict=True)] if columns else []
    return {"kind": "table", "title": table.title, "note": table.note,
            "headers": [c.label for c in cols], "rows": rows,
            "narrow": len(cols) <= 4}


def _chart(chart: Chart) -> dict[str, Any] | None:
    data = chart.png()
    if data is None:  # a chart of data only (the web draws it itself)
        return None
    mime = "image/svg+xml" if data.lstrip()[:1] == b"<" else "image/png"
    src = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
    return {"kind": "chart", "title": chart.title, "src": src}


def _css_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_rules(report: Report) -> str:
    """A4 page rules for print: running title, 内部资料 mark, page numbers."""
    mark = (f"@top-right {{ content: {_css_string(L.text('internal', report.lang))}; "
            "font-size: 8pt; color: #b00020; }") if report.internal else ""
    return (
        "@page { size: A4; margin: 16mm 14mm 16mm 14mm; "
        f"@top-left {{ content: {_css_string(report.title)}; font-size: 7.5pt; color: #777; }} "
        f"{mark} "
        '@bottom-center { content: counter(page) " / " counter(pages); font-size: 7.5pt; '
        "color: #777; } }\n"
        f"html {{ font-family: {CSS_FONT_FAMILY}; }}"
    )


def render_html(report: Report, pdf: bool = False) -> str:
    """The report as one HTML document; ``pdf``: with the A4 page rules for WeasyPrint."""
    lang = report.lang
    sections = []
    for s in report.sections:
        blocks: list[dict[str, Any]] = []
        for b in s.blocks:
            if isinstance(b, Table):
                if b.print_:
                    blocks.append(_table(b, lang))
            elif isinstance(b, Chart):
                drawn = _chart(b)
                if drawn is not None:
                    blocks.append(drawn)
            elif isinstance(b, Text):
                blocks.append({"kind": "text", "text": b.text})
        if blocks:
            sections.append({"title": s.title, "blocks": blocks})
    footer = "EduQuality · " + L.text("internal" if report.internal else "public", lang)
    return _environment().get_template("report.html.j2").render(
        report=report, sections=sections, css=Markup(stylesheet()),
        page_css=Markup(page_rules(report)) if pdf else "",
        mark=L.text("internal", lang), methods_title=L.text("sec.methods", lang), footer=footer,
    )
