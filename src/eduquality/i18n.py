"""User-facing text in Chinese (default) and English.

Each module keeps its own messages next to its code and registers them::

    MESSAGES = register({
        "ingest.unknown_school": ("未知学校代码 {code}", "unknown school code {code}"),
    })

and renders them with ``tr("ingest.unknown_school", lang, code="5301")``.
"""

from __future__ import annotations

from collections.abc import Iterable

_CATALOG: dict[str, tuple[str, str]] = {}


def register(messages: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Add ``key -> (zh, en)`` messages to the catalog; a key may be registered only once
    with one text."""
    for key, texts in messages.items():
        if key in _CATALOG and _CATALOG[key] != texts:
            raise ValueError(f"message key registered twice with different texts: {key}")
        _CATALOG[key] = texts
    return messages


def tr(key: str, lang: str = "zh", /, **params: object) -> str:
    """The message ``key`` in ``lang`` ('zh' or 'en') with ``params`` filled in."""
    zh, en = _CATALOG[key]
    return (en if lang == "en" else zh).format(**params)


def has(key: str) -> bool:
    return key in _CATALOG


LIST_SEPARATORS = {"zh": "、", "en": ", "}
"""Between the items of a list in a message: 数学、语文 / Mathematics, Chinese."""


def join_list(items: Iterable[object], lang: str = "zh") -> str:
    """``items`` as one list in ``lang`` (``、`` in Chinese, ``, `` in English)."""
    return LIST_SEPARATORS["en" if lang == "en" else "zh"].join(str(i) for i in items)
