"""store.parquet: the database exported as Parquet partitioned by exam and subject and imported
into an empty database gives identical tables; a changed, missing or extra file, another schema
version or an occupied target is refused with nothing written."""

from __future__ import annotations

import json

import duckdb
import pytest

from eduquality.errors import EduQualityError
from eduquality.store import open_database
from eduquality.store.migrations import all_migrations
from eduquality.store.parquet import LEFT_OUT, MANIFEST, export_parquet, import_parquet
from eduquality.store.transfer import table_checksum
from tests.factories import SEEDED_SUBJECTS
from tests.store.test_transfer import _district


@pytest.fixture(scope="module")
def district():
    db = _district()
    yield db
    db.close()


@pytest.fixture(scope="module")
def exported(district, tmp_path_factory):
    folder = tmp_path_factory.mktemp("exchange") / "out"
    return export_parquet(district, folder, "test"), folder


def _empty(db) -> bool:
    return all(n == 0 for t, n in db.table_counts().items()
               if t not in ("subject", "schema_migrations"))


def test_round_trip_gives_identical_tables(district, exported, db_location):
    done, folder = exported
    with open_database(db_location) as back:
        imported = import_parquet(back, folder)
        assert [t.table for t in imported] == [t.table for t in done]
        tables = {t.table for t in done}
        assert tables == {t for t in district.table_counts() if t not in LEFT_OUT}
        for table in sorted(tables):
            assert table_checksum(back.con, table) == table_checksum(district.con, table), table
        # keys continue after the imported ones
        with back.write() as con:
            con.execute("INSERT INTO student (national_id, name) VALUES ('NEW', '新生')")
        assert back.scalar("SELECT student_id FROM student WHERE national_id = 'NEW'") == (
            district.scalar("SELECT max(student_id) FROM student") + 1)
        assert back.scalar("SELECT count(*) FROM app_user") == 0    # accounts stay home


def test_layout_is_hive_partitioned_with_a_manifest(district, exported):
    done, folder = exported
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["schema_version"] == district.schema_version()
    rows = {t.table: t.rows for t in done}
    assert {t: e["rows"] for t, e in manifest["tables"].items()} == rows
    assert rows["item_score"] == district.scalar("SELECT count(*) FROM item_score") > 100
    math = folder / "item_score" / "exam_id=E1" / "subject_code=math"
    assert list(math.glob("*.parquet"))
    assert not (folder / "item_score" / "exam_id=E1" / "subject_code=chinese").exists()
    assert {p.name for p in (folder / "subject_result").iterdir()} == {
        "exam_id=E1", "exam_id=E2", "exam_id=E3"}
    assert (folder / "school.parquet").is_file() and (folder / "item.parquet").is_file()
    assert (folder / "exam_registration.parquet").is_file()
    # a reader of the exchange sees the partition columns (as a cluster does)
    with duckdb.connect() as reader:  # its own connection: the module's default is shared
        n = reader.sql(f"""SELECT count(*) FROM read_parquet(
                           '{folder}/subject_result/**/*.parquet', hive_partitioning = true)
                           WHERE exam_id = 'E2' AND subject_code = 'chinese'""").fetchall()[0][0]
    assert n == district.scalar("SELECT count(*) FROM subject_result "
                                "WHERE paper_id = 'E2/chinese'")
    for rel, digest in manifest["tables"]["student"]["files"].items():
        assert rel == "student.parquet" and len(digest) == 64
    assert (folder / "student.parquet").stat().st_mode & 0o077 == 0    # minors' data


def _copy(folder, tmp_path):
    import shutil

    target = tmp_path / "copy"
    shutil.copytree(folder, target)
    return target


def test_another_schema_version_is_refused(exported, tmp_path):
    folder = _copy(exported[1], tmp_path)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["schema_version"] = 99
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    current = all_migrations()[-1].version
    for lang, text in (("en", rf"schema version 99 .* has {current}; nothing was imported"),
                       ("zh", rf"架构版本 99 与本数据库的版本 {current} 不同，未导入任何数据")):
        with open_database(":memory:", lang) as db:
            with pytest.raises(EduQualityError, match=text):
                import_parquet(db, folder)
            assert _empty(db)


def test_changed_missing_and_extra_files_are_refused(exported, tmp_path):
    folder = _copy(exported[1], tmp_path)
    part = next((folder / "item_score").rglob("*.parquet"))
    rel = part.relative_to(folder).as_posix()
    original = part.read_bytes()
    with open_database(":memory:", "en") as db:
        part.write_bytes(original[:-1] + b"\0")
        with pytest.raises(EduQualityError, match=f"checksum of {rel} does not match"):
            import_parquet(db, folder)
        part.unlink()
        with pytest.raises(EduQualityError, match=f"lacks the file {rel}"):
            import_parquet(db, folder)
        part.write_bytes(original)
        (folder / "item_score" / "stray.parquet").write_bytes(original)
        with pytest.raises(EduQualityError, match=r"holds the file item_score/stray\.parquet"):
            import_parquet(db, folder)
        assert _empty(db)
        (folder / MANIFEST).unlink()
        with pytest.raises(EduQualityError, match=r"no manifest\.json"):
            import_parquet(db, folder)


def test_a_wrong_row_count_rolls_everything_back(exported, tmp_path, db_location):
    folder = _copy(exported[1], tmp_path)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["tables"]["subject_result"]["rows"] += 1     # the last tables are checked late
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with open_database(db_location, "en") as db:
        with pytest.raises(EduQualityError, match=r"subject_result: .* nothing was imported"):
            import_parquet(db, folder)
        assert _empty(db) and db.scalar("SELECT count(*) FROM subject") == SEEDED_SUBJECTS


def test_occupied_target_and_folder_are_refused(district, exported, tmp_path, db_location):
    with pytest.raises(EduQualityError, match=r"导出目录 .* 不是空的"):
        export_parquet(district, exported[1])
    with open_database(db_location, "en") as db:
        with db.write() as con:
            con.execute("INSERT INTO district VALUES ('1', '区', NULL, NULL)")
        with pytest.raises(EduQualityError, match=r"not empty \(district hold rows\)"):
            import_parquet(db, exported[1])
        assert db.scalar("SELECT count(*) FROM school") == 0
