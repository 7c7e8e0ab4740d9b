"""Stored exam analyses (tables ``exam_analysis`` and ``exam_analysis_frame``, migration 11).

An :class:`~eduquality.results.ExamAnalysis` is kept as JSON for its small parts (the exam
record, display names, method notes) and one Arrow IPC stream per table (pandas metadata
included, so dtypes, index and column names come back as they were). Never pickle: reading a
stored analysis runs no code from the database.

A stored analysis is used only when its :class:`AnalysisKey` (data fingerprint, settings hash,
code version) equals the one wanted now; otherwise it is stale and computed again. The
decision which analysis to use lives in :mod:`eduquality.analysis.stored`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from eduquality.results import Deferred, ExamAnalysis, ExamInfo, lazy_analysis
from eduquality.store.db import Database

__all__ = [
    "AnalysisKey",
    "decode_analysis",
    "decode_frame",
    "encode_analysis",
    "encode_frame",
    "forget_analyses",
    "is_writable",
    "load_analysis",
    "save_analysis",
    "stored_keys",
]

FORMAT = 2
"""The layout of ``meta`` and the frames; a stored analysis of another format is stale.
2: text columns stored dictionary-encoded (:data:`DICTIONARY_KEY`)."""

_FRAMES = [f.name for f in fields(ExamAnalysis)
           if f.name not in ("exam", "summaries", "names", "methods")]
"""The ExamAnalysis fields that are DataFrames (``summaries`` is a dict of them)."""


@dataclass(frozen=True)
class AnalysisKey:
    """What made an analysis: the exam's data (fingerprint), the settings that shape it (hash)
    and the code (version). Equal keys, equal analysis."""

    fingerprint: str
    settings_hash: str
    code_version: str


BATCH_ROWS = 100_000
"""Rows per record batch of a stored frame: batches are decompressed in parallel on reading
(a 200,000-student exam's students frame: 382 MB uncompressed, 40 MB in zstd batches, read
back in 0.6 s against 3 s for the uncompressed blob)."""


DICTIONARY_KEY = b"eduquality.dictionary"
"""Schema metadata: the JSON list of the text columns stored dictionary-encoded (codes and
school codes repeat on every row: a 200,000-student exam's students frame takes 24 MB instead
of 40, and its school and peer-group columns decode in 0.08 s instead of 0.15 s)."""


def encode_frame(frame: pd.DataFrame) -> bytes:
    """``frame`` as one Arrow IPC stream (with pandas metadata: index, dtypes, names), its text
    columns dictionary-encoded (:data:`DICTIONARY_KEY`), zstd-compressed in batches of
    :data:`BATCH_ROWS` rows (any stream :func:`decode_frame` reads, compressed or not,
    dictionary-encoded or not)."""
    table = pa.Table.from_pandas(frame).combine_chunks()
    encoded = []
    for i, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            table = table.set_column(i, field.name, pc.dictionary_encode(table.column(i)))
            encoded.append(field.name)
    if encoded:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               DICTIONARY_KEY: json.dumps(encoded).encode()})
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression="zstd")
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table, max_chunksize=BATCH_ROWS)
    return bytes(sink.getvalue().to_pybytes())


def decode_frame(data: bytes, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The DataFrame :func:`encode_frame` wrote; with ``columns``, only those of them it has
    (in that order, with its index), its text columns as pandas categoricals of the same
    values (:attr:`eduquality.results.Deferred.columns`: read to find rows and units, never
    shown): the other columns are not even decompressed, the text not spelt out (a
    200,000-student exam's school and peer-group columns: 0.01 s against 1.2 s for all)."""
    buffer = pa.py_buffer(data)
    if columns is None:
        with pa.ipc.open_stream(buffer) as reader:
            return _plain_text(reader.read_all()).to_pandas()
    with pa.ipc.open_stream(buffer) as reader:
        schema = reader.schema
    meta = json.loads((schema.metadata or {}).get(b"pandas", b"{}"))
    index = {c for c in meta.get("index_columns", []) if isinstance(c, str)}
    options = pa.ipc.IpcReadOptions(included_fields=[
        i for i, name in enumerate(schema.names) if name in {*columns, *index}])
    with pa.ipc.open_stream(buffer, options=options) as reader:
        frame = _plain_text(reader.read_all(), only=index).to_pandas()  # an index as it was
    return frame[[c for c in columns if c in frame.columns]]


def _plain_text(table: pa.Table, only: set[str] | None = None) -> pa.Table:
    """``table`` with the text columns that :func:`encode_frame` dictionary-encoded (those of
    ``only``) as they were (a pandas categorical is a dictionary column of its own, and stays
    one)."""
    encoded = set(json.loads((table.schema.metadata or {}).get(DICTIONARY_KEY, b"[]")))
    if only is not None:
        encoded &= only
    if not encoded:
        return table
    plain = pa.schema([
        pa.field(f.name, f.type.value_type, f.nullable, f.metadata)
        if f.name in encoded and pa.types.is_dictionary(f.type) else f
        for f in table.schema], metadata=table.schema.metadata)
    return table.cast(plain)


def encode_analysis(analysis: ExamAnalysis) -> tuple[str, dict[str, bytes]]:
    """``meta`` (JSON text) and the frames (name → Arrow IPC bytes) of ``analysis``; summary
    levels are stored as frames named ``summaries/<level>``."""
    frames = {name: encode_frame(getattr(analysis, name)) for name in _FRAMES}
    for level, frame in analysis.summaries.items():
        frames[f"summaries/{level}"] = encode_frame(frame)
    meta = {
        "format": FORMAT,
        "exam": asdict(analysis.exam),
        "names": analysis.names,
        "methods": [[key, params] for key, params in analysis.methods],
        "levels": list(analysis.summaries),
    }
    return json.dumps(meta, ensure_ascii=False), frames


def decode_analysis(meta_text: str, frames: dict[str, bytes]) -> ExamAnalysis:
    """The ExamAnalysis that :func:`encode_analysis` gave ``meta_text`` and ``frames`` for.
    The summaries are decoded now; every other frame when it is first read
    (:func:`eduquality.results.lazy_analysis`), once: a page of unit summaries never decodes
    the student rows (issue 12)."""
    meta = json.loads(meta_text)
    return lazy_analysis(
        {"exam": ExamInfo(**meta["exam"]),
         "summaries": {level: decode_frame(frames[f"summaries/{level}"])
                       for level in meta["levels"]},
         "names": meta["names"],
         "methods": [(str(key), dict(params)) for key, params in meta["methods"]]},
        {name: _deferred(frames[name]) for name in _FRAMES})


def _deferred(data: bytes) -> Deferred:
    return Deferred(lambda: decode_frame(data), lambda columns: decode_frame(data, columns))


def load_analysis(db: Database, exam_id: str, key: AnalysisKey) -> ExamAnalysis | None:
    """The stored analysis of ``exam_id`` made with ``key``; None when there is none or the
    stored one is stale (another key or format)."""
    row = db.con.execute(
        "SELECT meta FROM exam_analysis WHERE exam_id = ? AND fingerprint = ? "
        "AND settings_hash = ? AND code_version = ?",
        [exam_id, key.fingerprint, key.settings_hash, key.code_version]).fetchone()
    if row is None or json.loads(row[0]).get("format") != FORMAT:
        return None
    rows = db.con.execute("SELECT name, data FROM exam_analysis_frame WHERE exam_id = ?",
                          [exam_id]).fetchall()
    return decode_analysis(str(row[0]), {str(name): bytes(data) for name, data in rows})


def save_analysis(db: Database, exam_id: str, key: AnalysisKey,
                  analysis: ExamAnalysis) -> None:
    """Store ``analysis`` of ``exam_id`` made with ``key``, replacing the one stored before, in
    one transaction. Writes (light path: touches no scores)."""
    meta, frames = encode_analysis(analysis)
    with db.write(check_scores=False) as con:
        con.execute("DELETE FROM exam_analysis_frame WHERE exam_id = ?", [exam_id])
        con.execute("DELETE FROM exam_analysis WHERE exam_id = ?", [exam_id])
        con.execute("INSERT INTO exam_analysis (exam_id, fingerprint, settings_hash, "
                    "code_version, meta) VALUES (?, ?, ?, ?, ?)",
                    [exam_id, key.fingerprint, key.settings_hash, key.code_version, meta])
        con.executemany("INSERT INTO exam_analysis_frame (exam_id, name, data) VALUES (?, ?, ?)",
                        [[exam_id, name, data] for name, data in frames.items()])


def forget_analyses(db: Database, exam_id: str | None = None) -> int:
    """Delete the stored analysis of ``exam_id`` (None: of every exam). Returns how many
    analyses were deleted. Writes (light path)."""
    where, params = ("WHERE exam_id = ?", [exam_id]) if exam_id is not None else ("", [])
    with db.write(check_scores=False) as con:
        n = con.execute(f"SELECT count(*) FROM exam_analysis {where}", params).fetchone()
        con.execute(f"DELETE FROM exam_analysis_frame {where}", params)
        con.execute(f"DELETE FROM exam_analysis {where}", params)
    return int(n[0]) if n else 0


def stored_keys(db: Database) -> dict[str, AnalysisKey]:
    """exam_id → the key of its stored analysis."""
    rows: list[Any] = db.con.execute(
        "SELECT exam_id, fingerprint, settings_hash, code_version FROM exam_analysis").fetchall()
    return {str(e): AnalysisKey(str(f), str(s), str(c)) for e, f, s, c in rows}


def is_writable(db: Database) -> bool:
    """False for a database opened read-only (the CLI's report commands): a DuckDB file opened
    so, a PostgreSQL session whose transactions are read-only (opened so, or a standby)."""
    if db.dialect != "duckdb":
        return db.scalar("SELECT current_setting('transaction_read_only')") == "off"
    return not bool(db.scalar("SELECT readonly FROM duckdb_databases() "
                              "WHERE database_name = current_database()"))
