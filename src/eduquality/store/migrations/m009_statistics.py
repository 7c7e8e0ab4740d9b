"""Statistics that are not in the student data (issue 13 §1): population by single year of
age, the population's education attainment, finance, salaries, school buildings and equipment,
and the other figures an action plan's indicators need. Entered from the templates of
``eduquality template stats`` (:mod:`eduquality.ingest.stats`), each value with its source and
the source's date.

- ``statistic``: one value per (statistic, year, school, category). ``stat_code`` is a code of
  :data:`eduquality.store.statistics.STATISTICS`; ``school_code`` '' stands for the district as a
  whole (no foreign key, so that '' is allowed; the importer checks the codes); ``category`` is
  the breakdown a statistic has ('15' for age 15, 'junior' for an attainment level; '' when
  none). The file that wrote a value is in ``import_log`` (kind 'stats').
"""

VERSION = 9

SQL = """
CREATE TABLE statistic (
    stat_code   VARCHAR NOT NULL,
    year        INTEGER NOT NULL CHECK (year BETWEEN 1949 AND 2100),
    school_code VARCHAR NOT NULL DEFAULT '',
    category    VARCHAR NOT NULL DEFAULT '',
    value       DOUBLE NOT NULL,
    source      VARCHAR NOT NULL,
    source_date DATE,
    PRIMARY KEY (stat_code, year, school_code, category)
);
"""
