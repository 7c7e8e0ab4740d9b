"""控辍保学 (issue 14 §2): the register of school-age children, monthly attendance, and the
follow-up of every alert.

- ``school_age_child``: the district's list of school-age children (户籍/常住 适龄儿童少年
  名单, from the public-security household register and the community survey), one row per
  child and list year (the calendar year in which the school year starts). ``person_id``: the
  身份证号 in upper case (a 学籍号 is G + 身份证号, so a student matches by
  :func:`eduquality.store.dropout.person_key`). Imported by :mod:`eduquality.ingest.children`.
- ``attendance_month``: days absent per student and month (``month``: its first day) at the
  school that kept the sheet; ``sick_days`` and ``leave_days`` (病假, 事假) when the sheet
  tells them apart, the rest of ``days_absent`` being unexcused (旷课); ``school_days``: the
  month's school days when known. A daily 出勤 grid is summed into these rows on import
  (:mod:`eduquality.ingest.attendance`).
- ``dropout_followup``: what was done about an alert (contacted, returned, transferred with
  proof, other), dated, by whom; keyed by ``person_id`` so that a child never enrolled can be
  followed too. A transfer needs its proof (the receiving school's 学籍 confirmation).
"""

VERSION = 15

SQL = """
CREATE TABLE school_age_child (
    year               INTEGER NOT NULL CHECK (year BETWEEN 1949 AND 2100),
    person_id          VARCHAR NOT NULL,
    name               VARCHAR NOT NULL,
    gender             VARCHAR,
    birth_date         DATE NOT NULL,
    community          VARCHAR,
    poverty_registered BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (year, person_id)
);

CREATE TABLE attendance_month (
    student_id  INTEGER NOT NULL,
    month       DATE NOT NULL,
    school_code VARCHAR NOT NULL,
    school_days SMALLINT CHECK (school_days IS NULL OR school_days BETWEEN 0 AND 31),
    days_absent DOUBLE NOT NULL CHECK (days_absent >= 0 AND days_absent <= 31),
    sick_days   DOUBLE CHECK (sick_days IS NULL OR sick_days >= 0),
    leave_days  DOUBLE CHECK (leave_days IS NULL OR leave_days >= 0),
    PRIMARY KEY (student_id, month)
);

CREATE SEQUENCE dropout_followup_seq START 1;

CREATE TABLE dropout_followup (
    followup_id INTEGER PRIMARY KEY DEFAULT nextval('dropout_followup_seq'),
    person_id   VARCHAR NOT NULL,
    action      VARCHAR NOT NULL CHECK (action IN (
                    'contacted', 'returned', 'transferred', 'other')),
    done_on     DATE NOT NULL,
    note        VARCHAR,
    proof       VARCHAR,
    recorded_by VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    CHECK (action <> 'transferred' OR proof IS NOT NULL)
);
"""
