"""`eduquality choices`: 选科 read from the papers of the hand-made 3+1+2 高考 (tests/factories)."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from eduquality.cli import main
from tests.factories import new_regime_db, save_to


def test_choices_by_gender_with_small_units_withheld(tmp_path, command_db) -> None:
    db = new_regime_db()
    with db.write() as con:  # genders: odd student numbers M, even F
        con.execute("UPDATE student SET gender = CASE WHEN student_id % 2 = 1 THEN 'M' "
                    "ELSE 'F' END")
    path = save_to(db, command_db)
    out = tmp_path / "choices.xlsx"
    r = CliRunner().invoke(main, ["--db", str(path), "choices", "2025-gaokao", "--by", "gender",
                                  "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "物化生" in r.output and "史政地" in r.output
    shares = pd.read_excel(out, sheet_name="shares", engine="calamine")
    everyone = shares[shares["level"] == 0].set_index("label")["n"].to_dict()
    # P1–P4, P6–P8 物化生 (7); P5, P9, P10 物化地 (3); H1–H10 史政地 (10)
    assert everyone == {"物化生": 7, "物化地": 3, "史政地": 10}
    men = shares[(shares["level"] == 1) & (shares["gender"] == "M")].set_index("label")["n"]
    # odd: P1 P3 P7 物化生, P5 P9 物化地, H1 H3 H5 H7 H9 史政地
    assert men.to_dict() == {"物化生": 3, "物化地": 2, "史政地": 5}
    results = pd.read_excel(out, sheet_name="results", engine="calamine").set_index("label")
    # min_unit_n 10 (the default): 物化生 (7) and 物化地 (3) are withheld; 史政地's 10 750 totals
    # (H1–H10: 640 590 560 531 502 480 449 418 391 355) → 491.6
    assert results.loc["史政地", "mean"] == 491.6 and results.loc["all", "n"] == 20
    assert results.loc[["物化生", "物化地"], "mean"].isna().all()
    assert results.loc[["物化生", "物化地"], "withheld"].all()
