"""The CJK font of charts and PDFs: registered when matplotlib's cache predates it, or a clear
stop that says what to install."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from matplotlib import font_manager

from eduquality.reports.fonts import (
    CJK_FAMILIES,
    MissingFontError,
    ensure_cjk_font,
    find_font_file,
    has_cjk_face,
    require_font_file,
)

INSTALLED = find_font_file()
needs_font = pytest.mark.skipif(INSTALLED is None, reason="no Noto CJK font installed here")


def _stale_manager() -> font_manager.FontManager:
    """A font manager as a cache built before the CJK font was installed would give."""
    stale = copy.copy(font_manager.fontManager)
    stale.ttflist = [f for f in stale.ttflist if "CJK" not in f.name]
    stale.afmlist = list(stale.afmlist)
    return stale


@needs_font
def test_stale_cache_gets_the_installed_face_registered() -> None:
    stale = _stale_manager()
    assert not has_cjk_face(stale)
    family = ensure_cjk_font(stale)
    assert family in CJK_FAMILIES
    assert has_cjk_face(stale)
    assert any(Path(f.fname) == INSTALLED for f in stale.ttflist if f.name in CJK_FAMILIES)
    assert not has_cjk_face(_stale_manager())  # the global manager's list was not touched


@needs_font
def test_a_manager_that_knows_the_face_is_left_alone() -> None:
    stale = _stale_manager()
    ensure_cjk_font(stale)
    n = len(stale.ttflist)
    ensure_cjk_font(stale)
    assert len(stale.ttflist) == n


def test_no_font_installed_stops_with_what_to_install(tmp_path: Path) -> None:
    stale = _stale_manager()
    missing = [tmp_path / "NotoSansCJK-Regular.ttc"]
    with pytest.raises(MissingFontError) as err:
        ensure_cjk_font(stale, missing)
    assert "apt-get install fonts-noto-cjk" in str(err.value)
    assert "apt-get install fonts-noto-cjk" in err.value.text("en")
    assert str(missing[0]) in str(err.value)
    assert not has_cjk_face(stale)
    with pytest.raises(MissingFontError, match="fonts-noto-cjk"):
        require_font_file(missing)


def test_the_first_installed_candidate_is_found(tmp_path: Path) -> None:
    face = tmp_path / "NotoSansCJKsc-Regular.otf"
    face.write_bytes(b"")
    assert find_font_file([tmp_path / "absent.ttc", face]) == face

