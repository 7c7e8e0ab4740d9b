"""Same seed → byte-identical files; the CLI; bad arguments give clear errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from eduquality.cli import main
from eduquality.simulate import SimulationError, simulate_district


def _digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_files(tmp_path):
    a = simulate_district(tmp_path / "a", students=800, seed=11, profile="minimal", years=2)
    b = simulate_district(tmp_path / "b", students=800, seed=11, profile="minimal", years=2)
    da, db = _digests(a.out_dir), _digests(b.out_dir)
    assert da == db
    assert any(k.endswith(".csv") for k in da) and any(k.endswith(".xlsx") for k in da)
    c = simulate_district(tmp_path / "c", students=800, seed=12, profile="minimal", years=1)
    dc = _digests(c.out_dir)
    common = [k for k in dc if k.endswith(".csv") and k in da]
    assert common and all(dc[k] != da[k] for k in common)


def test_rerun_into_the_same_folder_replaces_it(tmp_path):
    simulate_district(tmp_path, students=800, seed=1, profile="minimal", years=1)
    m = simulate_district(tmp_path, students=800, seed=1, profile="minimal", years=1)
    assert (tmp_path / "manifest.json").exists() and m.files


def test_bad_arguments(tmp_path):
    with pytest.raises(SimulationError, match="学生数"):
        simulate_district(tmp_path / "x", students=10)
    with pytest.raises(SimulationError, match="profile"):
        simulate_district(tmp_path / "x", profile="huge", lang="en")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "mine.txt").write_text("x")
    with pytest.raises(SimulationError, match=r"manifest\.json"):
        simulate_district(tmp_path / "busy", students=800)


def test_cli_simulate(tmp_path):
    runner = CliRunner()
    out = tmp_path / "d"
    result = runner.invoke(main, ["simulate", "--out", str(out), "--students", "800",
                                  "--profile", "minimal", "--years", "1", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert (out / "manifest.json").exists() and (out / "truth" / "items.parquet").exists()
    assert "manifest.json" in result.output
    bad = runner.invoke(main, ["simulate", "--out", str(tmp_path / "e"), "--students", "5"])
    assert bad.exit_code == 2 and "学生数" in bad.output


@pytest.mark.slow
def test_two_hundred_thousand_students_minimal_profile(tmp_path):
    """Scale: the smallest profile at 200,000 students a year completes: one school year (its
    cohorts, exams and files at full size; codes and 学籍号 wide enough for 200,000 students).
    The suite cannot afford more (two years took 4 of the suite's 30 minutes in CI);
    bench/results/simulate.md times the whole span of eight years."""
    m = simulate_district(tmp_path, students=200_000, seed=5, profile="minimal", years=1)
    # the year's enrolment is drawn around the target: within 1 %
    assert m.counts["students"] >= 198_000 and m.counts["schools"] > 100
