"""The Parquet exchange as Spark sees it (issue 16): every table of an export
(:mod:`eduquality.store.parquet`) a temporary view of the session, and the Ibis backend over
them, so that the exam analysis's Ibis expressions (:mod:`eduquality.analysis.tables`,
:mod:`eduquality.analysis.unit_stats`) run on Spark unchanged.

``folder`` may be a local folder or a URL the cluster reads (``s3a://bucket/eq``,
``hdfs:///eq``): the manifest is read through Spark too. The partitioned tables are read as
plain files (``recursiveFileLookup``): their files hold exactly the table's columns, and the
exam and subject of a row come from its paper (Spark's partition discovery decodes a
percent-encoded non-ASCII value byte by byte, so it would misread ``exam_id=2024期末``).
"""

from __future__ import annotations

import json
from typing import Any

from eduquality.store.parquet import MANIFEST, PARTITIONS


def _join(folder: str, name: str) -> str:
    return f"{folder.rstrip('/')}/{name}"


def read_manifest_spark(spark: Any, folder: str) -> dict[str, Any]:
    """The export's manifest, read by Spark (works on object storage as on a local folder)."""
    text = spark.read.text(_join(folder, MANIFEST), wholetext=True).collect()[0][0]
    manifest: dict[str, Any] = json.loads(text)
    return manifest


def register_exchange(spark: Any, folder: str) -> list[str]:
    """Make every table of the export in ``folder`` a temporary view of ``spark`` (same
    names as in the database); the names registered. A partitioned table without rows has no
    files and gets no view."""
    manifest = read_manifest_spark(spark, folder)
    done = []
    for table, entry in manifest["tables"].items():
        if not entry["files"]:
            continue
        if table in PARTITIONS:
            frame = (spark.read.option("recursiveFileLookup", "true")
                     .parquet(_join(folder, table)))
        else:
            frame = spark.read.parquet(_join(folder, f"{table}.parquet"))
        frame.createOrReplaceTempView(table)
        done.append(table)
    return done


def spark_ibis(spark: Any, folder: str) -> Any:
    """An Ibis backend over ``spark`` with the export in ``folder`` registered as views."""
    import ibis

    register_exchange(spark, folder)
    return ibis.pyspark.connect(spark)
