"""The local Spark session's memory: Spark's 1 GiB default ran out of heap at 200,000 students."""

from __future__ import annotations

from eduquality.analysis.spark.session import local_memory

GIB = 1 << 30


def test_a_local_master_gets_half_the_machine_in_whole_gib():
    assert local_memory("local[2]", {}, physical=24 * GIB) == {"spark.driver.memory": "12g"}
    assert local_memory("local[*]", {}, physical=23 * GIB + 500) == {"spark.driver.memory": "11g"}
    assert local_memory("local", {}, physical=GIB) == {"spark.driver.memory": "1g"}


def test_a_setting_or_a_cluster_master_is_left_alone():
    assert local_memory("local[2]", {"spark.driver.memory": "3g"}, physical=24 * GIB) == {}
    assert local_memory("spark://host:7077", {}, physical=24 * GIB) == {}
    assert local_memory("yarn", {}, physical=24 * GIB) == {}


def test_the_shared_local_session_runs_with_it(spark):
    want = local_memory("local[2]", {})["spark.driver.memory"]
    assert spark.sparkContext.getConf().get("spark.driver.memory") == want
