"""An objective item may have no answer key (issue 9): marking systems export objective items
already scored, and a district often has no key at hand. Its scores must then be given; option
letters are scored only for items with a key (:mod:`eduquality.ingest.scores.items`).

DuckDB cannot drop a CHECK constraint, so ``item`` is rebuilt without
``CHECK (item_type = 'subjective' OR answer_key IS NOT NULL)`` (no table references ``item``).
"""

VERSION = 6

SQL = """
CREATE TABLE item_v6 (
    paper_id       VARCHAR NOT NULL REFERENCES paper (paper_id),
    seq            SMALLINT NOT NULL CHECK (seq >= 1),
    item_no        VARCHAR NOT NULL,
    item_type      VARCHAR NOT NULL CHECK (item_type IN ('objective','subjective')),
    full_marks     DOUBLE NOT NULL CHECK (full_marks > 0),
    answer_key     VARCHAR,
    ability_level  VARCHAR,
    optional_group VARCHAR,
    PRIMARY KEY (paper_id, seq),
    UNIQUE (paper_id, item_no)
);
INSERT INTO item_v6 SELECT paper_id, seq, item_no, item_type, full_marks, answer_key,
                           ability_level, optional_group FROM item;
DROP TABLE item;
ALTER TABLE item_v6 RENAME TO item;
"""
