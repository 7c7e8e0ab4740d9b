"""The plan's programmes (issue 14 §1 and §4): 三名工程 and teacher development, partner schools,
support for special groups. Entered from the workbook of ``eduquality template programmes``
(:mod:`eduquality.ingest.programmes`); the file that wrote the rows is in ``import_log`` (kind
'programmes').

- ``studio``: a 名师工作室 or 名校长基地 (``kind``, vocab.STUDIO_KINDS) with its host (a teacher
  on record), subject (NULL for a 名校长基地), level 区/市/省 (vocab.PROGRAMME_LEVELS) and dates
  (``end_date`` NULL while it runs; end ≥ start is checked by the importer: a CHECK spanning
  columns of a referenced table would break DuckDB's column-by-column update).
- ``studio_member``: its members and when they joined and left.
- ``mentoring``: a mentor and a mentee (以一带十、以十带百、以百促千), from ``start_date``,
  optionally within a studio.
- ``programme_activity``: a studio's 教研, 送教 and 课题 (vocab.ACTIVITY_KINDS) by date, with the
  school it went to (送教) and the number of participants.
- ``teacher_training``: hours of training per teacher and school year, ``it_hours`` of them
  信息技术 (信息技术应用能力提升).
- ``teacher_rotation``: 交流轮岗 of a teacher from one school to another.
- ``principal_reserve``: 名校（园）长后备人才库, a teacher entered in a school year.
- ``school_partnership``: 名校融民校 / 名校办分校 (vocab.PARTNERSHIP_KINDS): the leading school,
  the partner school and the first school year (autumn of ``start_year``) of the partnership.
- ``student_support``: 资助 of a student (vocab.SUPPORT_KINDS) in a school year, with its amount
  in 元.
"""

VERSION = 16

SQL = """
CREATE TABLE studio (
    studio_id       VARCHAR PRIMARY KEY,
    name            VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL CHECK (kind IN ('studio', 'principal_base')),
    host_teacher_id VARCHAR NOT NULL REFERENCES teacher (teacher_id),
    subject_code    VARCHAR REFERENCES subject (subject_code),
    level           VARCHAR NOT NULL CHECK (level IN ('district', 'city', 'province')),
    start_date      DATE NOT NULL,
    end_date        DATE
);

CREATE TABLE studio_member (
    studio_id  VARCHAR NOT NULL REFERENCES studio (studio_id),
    teacher_id VARCHAR NOT NULL REFERENCES teacher (teacher_id),
    joined     DATE NOT NULL,
    left_on    DATE,
    PRIMARY KEY (studio_id, teacher_id),
    CHECK (left_on IS NULL OR left_on >= joined)
);

CREATE TABLE mentoring (
    mentor_id  VARCHAR NOT NULL REFERENCES teacher (teacher_id),
    mentee_id  VARCHAR NOT NULL REFERENCES teacher (teacher_id),
    studio_id  VARCHAR REFERENCES studio (studio_id),
    start_date DATE NOT NULL,
    end_date   DATE,
    PRIMARY KEY (mentor_id, mentee_id),
    CHECK (mentor_id <> mentee_id),
    CHECK (end_date IS NULL OR end_date >= start_date)
);

CREATE TABLE programme_activity (
    studio_id     VARCHAR NOT NULL REFERENCES studio (studio_id),
    activity_date DATE NOT NULL,
    kind          VARCHAR NOT NULL CHECK (kind IN ('research', 'outreach', 'project')),
    title         VARCHAR NOT NULL,
    school_code   VARCHAR REFERENCES school (school_code),
    participants  INTEGER CHECK (participants IS NULL OR participants >= 0),
    PRIMARY KEY (studio_id, activity_date, kind, title)
);

CREATE TABLE teacher_training (
    teacher_id VARCHAR NOT NULL REFERENCES teacher (teacher_id),
    year_code  VARCHAR NOT NULL REFERENCES school_year (year_code),
    hours      DOUBLE NOT NULL CHECK (hours >= 0),
    it_hours   DOUBLE NOT NULL DEFAULT 0 CHECK (it_hours >= 0),
    PRIMARY KEY (teacher_id, year_code),
    CHECK (it_hours <= hours)
);

CREATE TABLE teacher_rotation (
    teacher_id  VARCHAR NOT NULL REFERENCES teacher (teacher_id),
    from_school VARCHAR NOT NULL REFERENCES school (school_code),
    to_school   VARCHAR NOT NULL REFERENCES school (school_code),
    start_date  DATE NOT NULL,
    end_date    DATE,
    PRIMARY KEY (teacher_id, start_date),
    CHECK (from_school <> to_school),
    CHECK (end_date IS NULL OR end_date >= start_date)
);

CREATE TABLE principal_reserve (
    teacher_id VARCHAR NOT NULL REFERENCES teacher (teacher_id),
    year_code  VARCHAR NOT NULL REFERENCES school_year (year_code),
    note       VARCHAR,
    PRIMARY KEY (teacher_id, year_code)
);

CREATE TABLE school_partnership (
    lead_school    VARCHAR NOT NULL REFERENCES school (school_code),
    partner_school VARCHAR NOT NULL REFERENCES school (school_code),
    kind           VARCHAR NOT NULL CHECK (kind IN ('merger', 'branch')),
    start_year     INTEGER NOT NULL CHECK (start_year BETWEEN 1949 AND 2100),
    PRIMARY KEY (lead_school, partner_school),
    CHECK (lead_school <> partner_school)
);

CREATE TABLE student_support (
    student_id INTEGER NOT NULL REFERENCES student (student_id),
    year_code  VARCHAR NOT NULL REFERENCES school_year (year_code),
    kind       VARCHAR NOT NULL CHECK (kind IN (
                   'grant', 'fee_waiver', 'living_allowance', 'nutrition', 'other')),
    amount     DOUBLE NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (student_id, year_code, kind)
);
"""
