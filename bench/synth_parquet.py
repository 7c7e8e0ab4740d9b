"""A city- or province-scale exam written straight into the Parquet exchange, in chunks.

N students × 9 subjects × 25 items (15 objective × 3 marks with chosen options, 10 subjective ×
8 marks; 2PL / binomial scores with school effects, ~2 % absent per subject) as an
``eduquality export parquet`` folder (:mod:`eduquality.store.parquet`: manifest, checksums,
item scores and subject results partitioned by exam and subject), which ``import parquet``
reads into DuckDB and Spark reads as it is. The small tables (schools, classes, papers, items)
come from an in-memory database exported as usual; the students, registrations, subject results
and item scores are written ``chunk`` students at a time (``pyarrow.parquet.ParquetWriter``),
so memory stays at one chunk whatever N (2,000,000 students: about 440 M item scores).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from eduquality.store import open_database
from eduquality.store.parquet import MANIFEST, export_parquet, sha256_file

SUBJECTS = ["chinese", "math", "english", "physics", "chemistry", "biology", "politics",
            "history", "geography"]
EXAM = "BIG"
STREAMED = ("student", "exam_registration", "subject_result", "item_score")


def _layout(n: int, n_schools: int, class_size: int) -> tuple[np.ndarray, np.ndarray]:
    """First student index of each school, and each school's number of classes."""
    start = (np.arange(n_schools + 1) * n) // n_schools
    return start, np.maximum(1, -(-(np.diff(start)) // class_size))


def write_exchange(folder: Path, n_students: int, n_items: int = 25, n_schools: int = 100,
                   class_size: int = 50, chunk: int = 100_000, seed: int = 7) -> dict[str, int]:
    """Write exam 'BIG' into ``folder`` (new); the rows written per streamed table."""
    rng = np.random.default_rng(seed)
    start, n_classes = _layout(n_students, n_schools, class_size)
    codes = np.array([f"B{s:03d}" for s in range(n_schools)])
    effect = rng.normal(0, 0.5, n_schools)
    full = np.where(np.arange(n_items) < 15, 3.0, 8.0)
    a = rng.uniform(0.6, 2.0, (len(SUBJECTS), n_items))
    b = rng.normal(0, 1, (len(SUBJECTS), n_items))
    db = open_database(":memory:")
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('C', '基准省', NULL, NULL)")
        con.execute("INSERT INTO school_year VALUES ('2021-2022', '2021-09-01', '2022-07-15')")
        con.execute(f"INSERT INTO exam VALUES ('{EXAM}', '全省统考', 'monitoring', 'province', "
                    "'2021-2022', 2, '2022-06-01', 11)")
        con.executemany("INSERT INTO school VALUES (?, ?, 'C', 'senior', 'public', 'urban', NULL,"
                        " ?, NULL)", [(c, f"基准学校{s}", f"G{s % 4}")
                                      for s, c in enumerate(codes)])
        con.executemany("INSERT INTO class VALUES (?, ?, '2021-2022', 11, ?, NULL, NULL)",
                        [(f"{c}-{k}", c, f"{k}班") for s, c in enumerate(codes)
                         for k in range(1, int(n_classes[s]) + 1)])
        for subject in SUBJECTS:
            paper = f"{EXAM}/{subject}"
            con.execute("INSERT INTO paper VALUES (?, ?, ?, NULL, ?)",
                        [paper, EXAM, subject, float(full.sum())])
            con.executemany("INSERT INTO item VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)",
                            [(paper, j + 1, str(j + 1), "objective" if full[j] == 3
                              else "subjective", float(full[j]),
                              "A" if full[j] == 3 else None) for j in range(n_items)])
    schemas = {t: db.con.sql(f'SELECT * FROM "{t}" LIMIT 0').to_arrow_table().schema
               for t in STREAMED}
    with db.write() as con:    # the student table's defaults (NOT NULL columns not given)
        con.execute("INSERT INTO student (student_id, national_id, name) VALUES (0, 'x', 'x')")
    defaults = db.con.sql("SELECT * FROM student").to_arrow_table().to_pylist()[0]
    with db.write() as con:
        con.execute("DELETE FROM student")
    export_parquet(db, folder)
    db.close()
    for t in ("student", "exam_registration"):
        (folder / f"{t}.parquet").unlink()
    writers = {t: pq.ParquetWriter(folder / f"{t}.parquet", schemas[t])
               for t in ("student", "exam_registration")}
    for t in ("subject_result", "item_score"):
        for subject in SUBJECTS:
            part = folder / t / f"exam_id={EXAM}" / f"subject_code={subject}"
            part.mkdir(parents=True, exist_ok=True)
            writers[f"{t}/{subject}"] = pq.ParquetWriter(part / "data_0.parquet", schemas[t])
    rows = dict.fromkeys(STREAMED, 0)
    letters = np.array(["B", "C", "D"])
    for c0 in range(0, n_students, chunk):
        idx = np.arange(c0, min(c0 + chunk, n_students))
        crng = np.random.default_rng([seed, c0])
        school = np.searchsorted(start, idx, side="right") - 1
        class_no = (idx - start[school]) // class_size + 1
        sid = (idx + 1).astype(np.int32)
        ability = crng.normal(effect[school], 1.0)
        tables = {
            "student": {"student_id": sid, "national_id": np.char.add("N", sid.astype(str)),
                        "name": np.char.add("考生", sid.astype(str))},
            "exam_registration": {"exam_id": np.full(len(idx), EXAM),
                                  "exam_number": np.char.add("K", sid.astype(str)),
                                  "student_id": sid, "school_code": codes[school],
                                  "class_id": np.char.add(np.char.add(codes[school], "-"),
                                                          class_no.astype(str))},
        }
        for t, cols in tables.items():
            if t == "student":
                cols = {**{k: np.full(len(idx), v) for k, v in defaults.items()
                           if v is not None and k not in cols}, **cols}
            _write(writers[t], schemas[t], cols)
            rows[t] += len(idx)
        for k, subject in enumerate(SUBJECTS):
            p = 1 / (1 + np.exp(-a[k] * (ability[:, None] - b[k])))
            scores = crng.binomial(full.astype(int), p).astype(np.float64)
            present = crng.random(len(idx)) > 0.02
            paper = f"{EXAM}/{subject}"
            _write(writers[f"subject_result/{subject}"], schemas["subject_result"], {
                "paper_id": np.full(len(idx), paper), "student_id": sid,
                "status": np.where(present, "present", "absent"),
                "score": pa.array(np.where(present, scores.sum(axis=1), np.nan),
                                  from_pandas=True)})
            rows["subject_result"] += len(idx)
            keep = np.repeat(present, n_items)
            choice = np.where(scores == full, "A", letters[crng.integers(0, 3, scores.shape)])
            choice = np.where(full == 3, choice, None)
            _write(writers[f"item_score/{subject}"], schemas["item_score"], {
                "paper_id": np.full(int(keep.sum()), paper),
                "student_id": np.repeat(sid, n_items)[keep],
                "seq": np.tile(np.arange(1, n_items + 1, dtype=np.int16), len(idx))[keep],
                "score": scores.ravel()[keep], "choice": choice.ravel()[keep]})
            rows["item_score"] += int(keep.sum())
    for w in writers.values():
        w.close()
    _update_manifest(folder, rows)
    return rows


def _write(writer: pq.ParquetWriter, schema: pa.Schema, cols: dict[str, object]) -> None:
    """One chunk of rows in the table's schema (columns not given: NULL)."""
    n = len(next(iter(cols.values())))  # type: ignore[arg-type]
    arrays = []
    for f in schema:
        value = cols.get(f.name)
        if value is None:
            arrays.append(pa.nulls(n, type=f.type))
        elif isinstance(value, pa.Array):
            arrays.append(value.cast(f.type))
        else:
            arrays.append(pa.array(value, type=f.type))
    writer.write_table(pa.Table.from_arrays(arrays, schema=schema))


def _update_manifest(folder: Path, rows: dict[str, int]) -> None:
    """The streamed tables' rows and files (checksums) into the exported manifest."""
    path = folder / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for t, n in rows.items():
        files = sorted((folder / t).rglob("*.parquet")) if (folder / t).is_dir() else [
            folder / f"{t}.parquet"]
        manifest["tables"][t]["rows"] = n
        manifest["tables"][t]["files"] = {p.relative_to(folder).as_posix(): sha256_file(p)
                                          for p in files}
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
