"""IRT calibration on Spark (issue 16): the EM's E-step summed over a cluster's partitions.

The EM (:mod:`eduquality.measures.irt.estimation`) asks its source for the E-step's sums once
per cycle (:mod:`eduquality.measures.irt.estep`). :class:`SparkSource` answers with one Spark
job: ``mapInArrow`` over the response table's Arrow batches — each batch coded to categories
(:func:`~eduquality.measures.irt.data.encode_like`), its statistics computed
(:func:`~eduquality.measures.irt.estep.chunk_stats_many`) and added up within the partition, one
row per partition — then the partitions' rows summed on the driver. The M-step runs on the
driver (a few numbers per item). So a paper with millions of takers calibrates on the cluster
to the estimates of the single-machine fit (the sums agree up to rounding).

Data: a Spark DataFrame with one column per item holding the marks (null = not answered),
one row per person — the wide form of ``item_score`` (:func:`wide_item_scores`). Categories
are found by one aggregation (the distinct marks of each item) and checked as on one machine
(:func:`~eduquality.measures.irt.data.check_categories`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from eduquality.measures.irt.api import IRT
from eduquality.measures.irt.data import Responses, check_categories, encode_like
from eduquality.measures.irt.estep import (
    EStepStats,
    Layout,
    StartTotals,
    chunk_stats_many,
    chunk_totals,
    stats_size,
)

Array = NDArray[np.float64]


def _partition_sum(job: Callable[[NDArray[np.int16]], Array], items: tuple[str, ...],
                   categories: tuple[Array, ...], batches: Iterator[Any]) -> Iterator[Any]:
    """The map step on one partition: code each Arrow batch, apply ``job`` (statistics as a
    flat vector), add up; one row (the vector's bytes) per non-empty partition."""
    import pyarrow as pa

    total: Array | None = None
    for batch in batches:
        if batch.num_rows == 0:
            continue
        codes = encode_like(batch.to_pandas(), items, categories).codes
        vec = job(codes)
        total = vec if total is None else total + vec
    if total is not None:
        yield pa.RecordBatch.from_pydict({"v": [total.astype(np.float64).tobytes()]},
                                         schema=pa.schema([("v", pa.binary())]))


def _stats_job(layout: Layout, many: list[list[Array]], codes: NDArray[np.int16]) -> Array:
    return chunk_stats_many(layout, many, codes)


def _totals_job(layout: Layout, codes: NDArray[np.int16]) -> Array:
    return chunk_totals(layout, codes).to_vector()


class SparkSource:
    """E-step sums over the partitions of ``frame`` (persons × item columns ``items``)."""

    def __init__(self, frame: Any, items: Sequence[str], categories: tuple[Array, ...]) -> None:
        self.frame = frame.select(*items)
        self.items = tuple(items)
        self.categories = categories
        self.jobs = 0

    def _reduce(self, job: Callable[[NDArray[np.int16]], Array], size: int) -> Array:
        fn = partial(_partition_sum, job, self.items, self.categories)
        rows = self.frame.mapInArrow(fn, "v binary").collect()
        self.jobs += 1
        out = np.zeros(size)
        for row in rows:       # the reduce: partitions' sums added on the driver
            out += np.frombuffer(row["v"], dtype=np.float64)
        return out

    def totals(self, layout: Layout) -> StartTotals:
        size = sum(len(g.index) * g.k for g in layout.groups) + 1
        return StartTotals.from_vector(layout, self._reduce(partial(_totals_job, layout), size))

    def stats(self, layout: Layout, params: list[Array]) -> EStepStats:
        return self.stats_many(layout, [params])[0]

    def stats_many(self, layout: Layout, many: list[list[Array]]) -> list[EStepStats]:
        """The statistics at several parameter values in one job (the standard errors)."""
        size = stats_size(layout)
        many = [[np.asarray(p) for p in params] for params in many]
        vec = self._reduce(partial(_stats_job, layout, many), size * len(many))
        return [EStepStats.from_vector(layout, vec[i * size:(i + 1) * size])
                for i in range(len(many))]


def spark_categories(frame: Any, items: Sequence[str]) -> tuple[Array, ...]:
    """The marks each item takes in ``frame`` (sorted), checked as on one machine."""
    from pyspark.sql import functions as F

    def marks(c: str) -> Any:     # NaN is "not answered", as null
        value = F.col(c).cast("double")
        return F.array_sort(F.collect_set(F.nanvl(value, F.lit(None).cast("double"))))

    row = frame.agg(*[marks(c).alias(f"c{j}") for j, c in enumerate(items)]).collect()[0]
    cats = [np.asarray(row[f"c{j}"] or [], dtype=float) for j in range(len(items))]
    check_categories(list(items), cats)
    return tuple(cats)


def calibrate_spark(frame: Any, items: Sequence[str], model: str = "2pl",
                    **settings: Any) -> IRT:
    """Calibrate ``model`` on the Spark DataFrame ``frame`` (one column per item, marks, null =
    not answered): the fitted :class:`~eduquality.measures.irt.api.IRT`, as ``IRT(model,
    **settings).fit(data)`` gives on one machine. The frame is cached for the EM's passes."""
    frame = frame.select(*items).cache()
    try:
        cats = spark_categories(frame, items)
        header = Responses(np.empty((0, len(items)), dtype=np.int16), tuple(items), cats)
        return IRT(model, **settings).fit(header, source=SparkSource(frame, items, cats))
    finally:
        frame.unpersist()


def spark_fit(spark: Any) -> Callable[[Any, str, int], IRT]:
    """A :data:`eduquality.analysis.calibration.Fit` whose E-step runs on ``spark``: the
    persons × items frame (pandas, NaN = not answered) becomes a Spark DataFrame spread over
    the session's default parallelism, then :func:`calibrate_spark`."""

    def fit(frame: Any, model: str, quadpts: int) -> IRT:
        cols = [str(c) for c in frame.columns]
        data = frame.set_axis(cols, axis=1).astype(float)
        sdf = spark.createDataFrame(data.astype(object).where(data.notna(), None),
                                    ", ".join(f"`{c}` double" for c in cols))
        sdf = sdf.repartition(spark.sparkContext.defaultParallelism)
        return calibrate_spark(sdf, cols, model, quadpts=quadpts)

    return fit


def wide_item_scores(spark: Any, item_scores: Any, paper_id: str) -> tuple[Any, list[str]]:
    """One row per student of ``paper_id`` and one column per item (``q<seq>``) from the long
    ``item_score`` rows (paper_id, student_id, seq, score) of the Parquet exchange."""
    from pyspark.sql import functions as F

    rows = item_scores.filter(F.col("paper_id") == paper_id)
    seqs = sorted(r["seq"] for r in rows.select("seq").distinct().collect())
    wide = (rows.groupBy("student_id").pivot("seq", seqs)
            .agg(F.first(F.col("score").cast("double"))))
    names = [f"q{s}" for s in seqs]
    return wide.select("student_id", *[F.col(str(s)).alias(n)
                                       for s, n in zip(seqs, names, strict=True)]), names
