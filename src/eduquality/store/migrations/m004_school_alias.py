"""Rosters as schools export them.

- ``school_alias``: other names of a school, aliases (简称, names in use besides the registered
  one) and former names (曾用名), so that files naming a school by any of them are matched to it.
  A name is compared after normalising (NFKC, no spaces: ``eduquality.ingest.values.norm_name``);
  a name that fits two schools is ambiguous and refused by the importers, never guessed.
- ``class_list``: the schools and years whose classes came from a class list; students are
  checked against it. For the others, classes come from the students' rows. Every class before
  this migration came from a class list.
"""

VERSION = 4

SQL = """
CREATE TABLE school_alias (
    school_code VARCHAR NOT NULL REFERENCES school (school_code),
    alias       VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL CHECK (kind IN ('alias', 'former')),
    PRIMARY KEY (school_code, alias)
);

CREATE TABLE class_list (
    school_code VARCHAR NOT NULL REFERENCES school (school_code),
    year_code   VARCHAR NOT NULL REFERENCES school_year (year_code),
    PRIMARY KEY (school_code, year_code)
);

INSERT INTO class_list SELECT DISTINCT school_code, year_code FROM class;
"""
