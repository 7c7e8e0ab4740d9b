"""Settings, vocabularies and messages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eduquality.config import Settings, Thresholds, load_settings
from eduquality.errors import ConfigError
from eduquality.i18n import register, tr
from eduquality.vocab import (
    CUT_LINES,
    EXAM_TYPES,
    STAGES,
    SUBJECT_STATUS,
    SUBJECTS,
    TRACKS,
    grade_label,
    parse_grade,
    spelling_key,
)

VOCABULARIES = [CUT_LINES, EXAM_TYPES, STAGES, SUBJECT_STATUS, SUBJECTS, TRACKS]


def test_defaults_without_file(tmp_path):
    s = load_settings(env={"EDUQUALITY_CONFIG": str(tmp_path / "absent.toml")})
    assert s.lang == "zh" and s.db == "eduquality.duckdb"
    assert s.thresholds == Thresholds(0.85, 0.70, 0.60, 0.40)
    assert (s.plan.step, s.knowledge.min_gap) == (0.04, 0.05)


def test_plan_step_and_weak_point_gap_from_the_file(tmp_path):
    cfg = tmp_path / "eq.toml"
    cfg.write_text("[plan]\nstep = 0.05\n[knowledge]\nmin_gap = 0.1\n", encoding="utf-8")
    s = load_settings(cfg, env={})
    assert (s.plan.step, s.knowledge.min_gap) == (0.05, 0.1)


def test_file_then_environment(tmp_path):
    cfg = tmp_path / "eq.toml"
    cfg.write_text('lang = "en"\ndb = "a.duckdb"\n[thresholds]\nexcellent = 0.9\npass = 0.5\n',
                   encoding="utf-8")
    s = load_settings(cfg, env={})
    assert (s.lang, s.db, s.thresholds.excellent, s.thresholds.pass_) == ("en", "a.duckdb", 0.9, 0.5)
    s = load_settings(cfg, env={"EDUQUALITY_DB": "b.duckdb", "EDUQUALITY_LANG": "zh"})
    assert (s.lang, s.db) == ("zh", "b.duckdb")


@pytest.mark.parametrize("text,match", [
    ("nonsense = 1\n", "未知设置"),
    ("[thresholds]\nexcellent = 0.5\npass = 0.6\n", "低分 ≤ 及格"),
    ("lang = 'fr'\n", "未知语言"),
    ("lang = \n", "格式错误"),
    ("[plan]\nstep = 4\n", "plan.step"),
    ("[knowledge]\nmin_gap = -0.05\n", "min_gap"),
    ("[publication]\npublic = true\n", "配置项无效"),
])
def test_bad_settings_are_explained(tmp_path, text, match):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=match):
        load_settings(cfg, env={})


def test_missing_named_file(tmp_path):
    with pytest.raises(ConfigError, match="找不到配置文件"):
        load_settings(tmp_path / "nope.toml", env={})


def test_overrides_ignore_none():
    assert Settings().with_overrides(db=None, lang="en").lang == "en"


def test_vocabulary_parses_labels_aliases_and_codes():
    assert STAGES.parse("完全中学") == STAGES.parse("完中") == STAGES.parse("complete") == "complete"
    assert SUBJECT_STATUS.parse(" 缺 ") == SUBJECT_STATUS.parse("-") == "absent"
    assert EXAM_TYPES.parse("三诊") == "diag3"
    assert STAGES.parse("幼儿园") is None
    assert STAGES.label("nine_year", "en") == "nine-year school"


def test_vocabulary_spellings_as_sheets_write_them():
    """Spaces inside, full-width forms and brackets around a word do not change what it means
    (缺 考, （缺考）, 【免考】, ＡＢＳＥＮＴ); other words still mean nothing."""
    assert {SUBJECT_STATUS.parse(t) for t in ("缺 考", "（缺考）", "(缺　考)", "ＡＢＳＥＮＴ",
                                              "请假")} == {"absent"}
    assert SUBJECT_STATUS.parse("【免考】") == "exempt"
    assert SUBJECT_STATUS.parse("舞弊") == "cheating"
    assert SUBJECT_STATUS.parse("0(缺考)") is None and SUBJECT_STATUS.parse("()") is None
    assert TRACKS.parse("Physics Track") == TRACKS.parse("物理 类") == "physics"


_SPACES = st.sampled_from([" ", "\u3000", "\t", "\xa0"])


@given(st.sampled_from(VOCABULARIES).flatmap(
    lambda v: st.tuples(st.just(v), st.sampled_from(v.spellings()))),
    st.lists(_SPACES, max_size=3), st.sampled_from(["", "()", "（）", "【】"]), st.booleans())
def test_vocabulary_parse_ignores_spaces_width_and_brackets(pair, spaces, brackets, upper):
    """Property: a known spelling with spaces inserted, wrapped in brackets or upper-cased
    parses to the same code; :func:`spelling_key` is idempotent."""
    vocab, spelling = pair
    code = vocab.parse(spelling)
    assert code is not None
    mid = len(spelling) // 2
    text = spelling[:mid] + "".join(spaces) + spelling[mid:]
    text = (brackets[:1] + text + brackets[1:]) if brackets else text
    text = text.upper() if upper else text
    assert vocab.parse(text) == code
    assert spelling_key(spelling_key(text)) == spelling_key(text)


@pytest.mark.parametrize("text,grade", [("初二", 8), ("八年级", 8), ("8", 8), ("高三", 12),
                                        ("Grade 1", 1), ("一年级", 1), ("13", None), ("大一", None)])
def test_parse_grade(text, grade):
    assert parse_grade(text) == grade


@given(st.integers(1, 12))
def test_grade_labels_round_trip(grade):
    assert parse_grade(grade_label(grade)) == grade
    assert parse_grade(grade_label(grade, "en")) == grade


def test_messages_in_both_languages():
    register({"test.hello": ("你好，{name}", "hello, {name}")})
    assert tr("test.hello", "zh", name="五华") == "你好，五华"
    assert tr("test.hello", "en", name="Wuhua") == "hello, Wuhua"
    with pytest.raises(ValueError):
        register({"test.hello": ("别的", "other")})


def test_spark_settings_from_the_file_and_the_environment(tmp_path):
    cfg = tmp_path / "eq.toml"
    cfg.write_text('[spark]\nmaster = "yarn"\nexchange = "s3a://b/eq"\n'
                   '[spark.options]\n"spark.executor.memory" = "8g"\n', encoding="utf-8")
    s = load_settings(cfg, env={})
    assert (s.spark.master, s.spark.exchange) == ("yarn", "s3a://b/eq")
    assert dict(s.spark.options) == {"spark.executor.memory": "8g"}
    assert load_settings(cfg, env={"EDUQUALITY_SPARK_MASTER": "local[2]"}).spark.master == (
        "local[2]")
    assert load_settings(tmp_path / "eq.toml", env={}).spark.master == "yarn"
    cfg.write_text('[spark.options]\n"executor.memory" = "8g"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"spark\.options"):
        load_settings(cfg, env={})
