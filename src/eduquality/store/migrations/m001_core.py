"""The core data model: district, years, schools, classes, students, teachers, exams, scores.

Statuses and categories are stored as the English codes of :mod:`eduquality.vocab`.
Current enrolment status is derived from ``enrolment_event`` (view ``student_status``), never
stored twice. A table that others reference carries no CHECK that mentions its key (DuckDB then
refuses to UPDATE a referenced row), and no UNIQUE besides its key: the school-year format, "a
school is not its own parent" and unique school names are checked by
``Database.check_integrity`` instead. Item scores must not exceed the item's full marks: checked by CHECK where the row
carries the bound, and by :func:`eduquality.store.db.Database.check_integrity` inside every
write transaction where the bound lives in another table.

Frozen: this text is what version 1 has created since the first release (its CHECK lists were
once built from :mod:`eduquality.vocab` and are now literal). Never edit it: an applied
migration is history, guarded by ``tests/store/test_migrations.py``. A new term in a vocabulary
(a subject, a status) comes as a new migration; see :mod:`eduquality.store.migrations`.
"""

VERSION = 1

SQL = """
CREATE TABLE district (
    district_code VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    city          VARCHAR,
    province      VARCHAR
);

CREATE TABLE school_year (
    year_code  VARCHAR PRIMARY KEY,
    start_date DATE NOT NULL,
    end_date   DATE NOT NULL,
    CHECK (end_date > start_date)
);

CREATE TABLE school (
    school_code        VARCHAR PRIMARY KEY,
    name               VARCHAR NOT NULL,
    district_code      VARCHAR NOT NULL REFERENCES district (district_code),
    stage              VARCHAR NOT NULL CHECK (stage IN (
                           'primary', 'junior', 'senior', 'complete', 'nine_year',
                           'twelve_year', 'vocational')),
    ownership          VARCHAR NOT NULL CHECK (ownership IN ('public','private')),
    locale             VARCHAR NOT NULL CHECK (locale IN ('urban','town','rural')),
    tier               VARCHAR,
    peer_group         VARCHAR,
    parent_school_code VARCHAR
);

CREATE TABLE subject (
    subject_code VARCHAR PRIMARY KEY,
    name_zh      VARCHAR NOT NULL UNIQUE,
    name_en      VARCHAR NOT NULL
);

CREATE TABLE teacher (
    teacher_id    VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    gender        VARCHAR CHECK (gender IN ('M','F')),
    school_code   VARCHAR NOT NULL REFERENCES school (school_code),
    subject_code  VARCHAR REFERENCES subject (subject_code),
    title         VARCHAR,
    qualification VARCHAR
);

CREATE TABLE teacher_programme (
    teacher_id VARCHAR NOT NULL REFERENCES teacher (teacher_id),
    tier       VARCHAR NOT NULL CHECK (tier IN (
                   'backbone', 'district_master', 'city_master', 'province_master',
                   'master_principal')),
    year_code  VARCHAR NOT NULL REFERENCES school_year (year_code),
    PRIMARY KEY (teacher_id, tier, year_code)
);

CREATE TABLE class (
    class_id        VARCHAR PRIMARY KEY,
    school_code     VARCHAR NOT NULL REFERENCES school (school_code),
    year_code       VARCHAR NOT NULL REFERENCES school_year (year_code),
    grade           SMALLINT NOT NULL CHECK (grade BETWEEN 1 AND 12),
    name            VARCHAR NOT NULL,
    track           VARCHAR CHECK (track IS NULL OR track IN (
                        'arts', 'science', 'physics', 'history')),
    head_teacher_id VARCHAR,
    UNIQUE (school_code, year_code, grade, name)
);

CREATE TABLE teaching_assignment (
    class_id     VARCHAR NOT NULL REFERENCES class (class_id),
    subject_code VARCHAR NOT NULL REFERENCES subject (subject_code),
    teacher_id   VARCHAR NOT NULL REFERENCES teacher (teacher_id),
    PRIMARY KEY (class_id, subject_code)
);

CREATE SEQUENCE student_id_seq START 1;

CREATE TABLE student (
    student_id     INTEGER PRIMARY KEY DEFAULT nextval('student_id_seq'),
    national_id    VARCHAR NOT NULL UNIQUE,
    name           VARCHAR NOT NULL,
    gender         VARCHAR CHECK (gender IN ('M','F')),
    ethnicity      VARCHAR,
    birth_date     DATE,
    poverty_registered BOOLEAN NOT NULL DEFAULT FALSE,
    disabled       BOOLEAN NOT NULL DEFAULT FALSE,
    migrant        BOOLEAN NOT NULL DEFAULT FALSE,
    left_behind    BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE class_membership (
    student_id INTEGER NOT NULL REFERENCES student (student_id),
    year_code  VARCHAR NOT NULL REFERENCES school_year (year_code),
    class_id   VARCHAR NOT NULL REFERENCES class (class_id),
    PRIMARY KEY (student_id, year_code)
);

CREATE TABLE enrolment_event (
    student_id  INTEGER NOT NULL REFERENCES student (student_id),
    event_date  DATE NOT NULL,
    event_type  VARCHAR NOT NULL CHECK (event_type IN (
                    'admission', 'transfer_in', 'transfer_out', 'suspension', 'resumption',
                    'dropout', 'return', 'graduation')),
    school_code VARCHAR NOT NULL REFERENCES school (school_code),
    note        VARCHAR,
    PRIMARY KEY (student_id, event_date, event_type)
);

CREATE TABLE exam (
    exam_id    VARCHAR PRIMARY KEY,
    name       VARCHAR NOT NULL,
    exam_type  VARCHAR NOT NULL CHECK (exam_type IN (
                   'monitoring', 'midterm', 'final', 'diag1', 'diag2', 'diag3', 'mock',
                   'zhongkao', 'gaokao')),
    scope      VARCHAR NOT NULL CHECK (scope IN ('school','district','city','province')),
    year_code  VARCHAR NOT NULL REFERENCES school_year (year_code),
    term_no    SMALLINT CHECK (term_no IN (1, 2)),
    exam_date  DATE,
    grade      SMALLINT NOT NULL CHECK (grade BETWEEN 1 AND 12)
);

CREATE TABLE paper (
    paper_id     VARCHAR PRIMARY KEY,
    exam_id      VARCHAR NOT NULL REFERENCES exam (exam_id),
    subject_code VARCHAR NOT NULL REFERENCES subject (subject_code),
    track        VARCHAR CHECK (track IS NULL OR track IN ('arts','science','physics','history')),
    full_marks   DOUBLE NOT NULL CHECK (full_marks > 0),
    UNIQUE (exam_id, subject_code, track)
);

CREATE TABLE item (
    paper_id       VARCHAR NOT NULL REFERENCES paper (paper_id),
    seq            SMALLINT NOT NULL CHECK (seq >= 1),
    item_no        VARCHAR NOT NULL,
    item_type      VARCHAR NOT NULL CHECK (item_type IN ('objective','subjective')),
    full_marks     DOUBLE NOT NULL CHECK (full_marks > 0),
    answer_key     VARCHAR,
    ability_level  VARCHAR,
    optional_group VARCHAR,
    PRIMARY KEY (paper_id, seq),
    UNIQUE (paper_id, item_no),
    CHECK (item_type = 'subjective' OR answer_key IS NOT NULL)
);

CREATE TABLE optional_group (
    paper_id   VARCHAR NOT NULL REFERENCES paper (paper_id),
    group_code VARCHAR NOT NULL,
    n_counted  SMALLINT NOT NULL CHECK (n_counted >= 1),
    PRIMARY KEY (paper_id, group_code)
);

CREATE TABLE item_knowledge (
    paper_id        VARCHAR NOT NULL,
    seq             SMALLINT NOT NULL,
    knowledge_point VARCHAR NOT NULL,
    weight          DOUBLE NOT NULL DEFAULT 1 CHECK (weight > 0),
    PRIMARY KEY (paper_id, seq, knowledge_point)
);

CREATE TABLE exam_registration (
    exam_id     VARCHAR NOT NULL REFERENCES exam (exam_id),
    student_id  INTEGER NOT NULL REFERENCES student (student_id),
    exam_number VARCHAR NOT NULL,
    school_code VARCHAR NOT NULL REFERENCES school (school_code),
    class_id    VARCHAR,
    PRIMARY KEY (exam_id, student_id),
    UNIQUE (exam_id, exam_number)
);

CREATE TABLE subject_result (
    paper_id   VARCHAR NOT NULL,
    student_id INTEGER NOT NULL,
    status     VARCHAR NOT NULL CHECK (status IN ('present','absent','cheating','exempt')),
    score      DOUBLE CHECK (score >= 0),
    PRIMARY KEY (paper_id, student_id),
    CHECK ((status = 'present') = (score IS NOT NULL))
);

-- Item-level scores: NULL score = not answered or an optional item not chosen.
CREATE TABLE item_score (
    paper_id   VARCHAR NOT NULL,
    student_id INTEGER NOT NULL,
    seq        SMALLINT NOT NULL,
    score      DOUBLE CHECK (score >= 0),
    choice     VARCHAR
);

CREATE TABLE cut_line (
    year      INTEGER NOT NULL,
    province  VARCHAR NOT NULL,
    exam_kind VARCHAR NOT NULL CHECK (exam_kind IN ('gaokao', 'zhongkao')),
    track     VARCHAR CHECK (track IS NULL OR track IN ('arts','science','physics','history')),
    line_code VARCHAR NOT NULL,
    score     DOUBLE NOT NULL CHECK (score >= 0),
    UNIQUE (year, province, exam_kind, track, line_code)
);

-- The official 一分一段表 (score -> count and cumulative count at or above).
CREATE TABLE score_distribution (
    year       INTEGER NOT NULL,
    province   VARCHAR NOT NULL,
    exam_kind  VARCHAR NOT NULL,
    track      VARCHAR,
    score      DOUBLE NOT NULL,
    n          INTEGER NOT NULL CHECK (n >= 0),
    cumulative INTEGER NOT NULL CHECK (cumulative >= 0),
    UNIQUE (year, province, exam_kind, track, score)
);

CREATE TABLE district_statistic (
    district_code VARCHAR NOT NULL REFERENCES district (district_code),
    year_code     VARCHAR NOT NULL REFERENCES school_year (year_code),
    indicator     VARCHAR NOT NULL,
    value         DOUBLE NOT NULL,
    note          VARCHAR,
    PRIMARY KEY (district_code, year_code, indicator)
);

CREATE SEQUENCE import_id_seq START 1;

CREATE TABLE import_log (
    import_id   INTEGER PRIMARY KEY DEFAULT nextval('import_id_seq'),
    kind        VARCHAR NOT NULL,
    file_name   VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    target      VARCHAR,
    imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    imported_by VARCHAR NOT NULL,
    rows_read   INTEGER NOT NULL,
    rows_written INTEGER NOT NULL,
    outcome     VARCHAR NOT NULL CHECK (outcome IN ('imported', 'unchanged'))
);

CREATE TABLE app_user (
    username      VARCHAR PRIMARY KEY,
    display_name  VARCHAR NOT NULL,
    role          VARCHAR NOT NULL CHECK (role IN (
                      'admin', 'researcher', 'leader', 'principal', 'teacher', 'parent')),
    school_code   VARCHAR,
    class_id      VARCHAR,
    student_id    INTEGER,
    password_hash VARCHAR
);

CREATE TABLE audit_log (
    logged_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    username  VARCHAR NOT NULL,
    role      VARCHAR NOT NULL,
    action    VARCHAR NOT NULL CHECK (action IN ('view', 'export', 'import', 'login', 'denied')),
    object    VARCHAR NOT NULL,
    detail    VARCHAR
);

-- Current status of each student: the latest enrolment event decides.
CREATE VIEW student_status AS
SELECT student_id,
       arg_max(event_type, event_date) AS last_event,
       arg_max(school_code, event_date) AS school_code,
       max(event_date) AS since,
       CASE arg_max(event_type, event_date)
            WHEN 'transfer_out' THEN 'left'
            WHEN 'suspension'   THEN 'suspended'
            WHEN 'dropout'      THEN 'dropped_out'
            WHEN 'graduation'   THEN 'graduated'
            ELSE 'enrolled' END AS status
FROM enrolment_event
GROUP BY student_id;

-- The subjects (seeded by version 1; a later change to the list is a new migration).
INSERT INTO subject VALUES
    ('chinese', '语文', 'Chinese'),
    ('math', '数学', 'Mathematics'),
    ('english', '英语', 'English'),
    ('physics', '物理', 'Physics'),
    ('chemistry', '化学', 'Chemistry'),
    ('biology', '生物', 'Biology'),
    ('politics', '思想政治', 'Politics'),
    ('history', '历史', 'History'),
    ('geography', '地理', 'Geography'),
    ('morality', '道德与法治', 'Morality and Law'),
    ('science', '科学', 'Science'),
    ('pe', '体育', 'Physical Education'),
    ('it', '信息技术', 'Information Technology');
"""
