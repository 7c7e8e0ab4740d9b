"""IRT results: item parameters per calibrated paper and students' scale scores.

``item_parameter`` keeps each item's model and parameters (logit = a·θ + d, R mirt's form;
``d``/``b`` hold one value per category boundary; ``c`` is the 3PL lower asymptote) on the
reporting scale named in ``scale`` (a chain of linked papers shares one scale; ``link_slope``
and ``link_intercept`` record θ_scale = slope·θ_own + intercept). ``categories`` lists the item
score that each category stands for (scores rounded to integers). Standard errors (of a and
the b's, which carry over to the reporting scale exactly: se(a)/slope, slope·se(b)) leave out the
uncertainty of the link. ``scale_score`` holds each
present student's θ on that scale with its standard error.
"""

VERSION = 2

SQL = """
CREATE TABLE item_parameter (
    paper_id       VARCHAR NOT NULL REFERENCES paper (paper_id),
    seq            SMALLINT NOT NULL,
    model          VARCHAR NOT NULL CHECK (model IN ('2pl', '3pl', 'grm', 'gpcm')),
    fit_model      VARCHAR NOT NULL,
    n_cats         SMALLINT NOT NULL CHECK (n_cats >= 2),
    categories     DOUBLE[] NOT NULL,
    a              DOUBLE NOT NULL,
    d              DOUBLE[] NOT NULL,
    b              DOUBLE[] NOT NULL,
    c              DOUBLE NOT NULL DEFAULT 0 CHECK (c >= 0 AND c < 1),
    se_a           DOUBLE,
    se_b           DOUBLE[],
    scale          VARCHAR NOT NULL,
    link_method    VARCHAR,
    link_slope     DOUBLE NOT NULL DEFAULT 1 CHECK (link_slope > 0),
    link_intercept DOUBLE NOT NULL DEFAULT 0,
    calibrated_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (paper_id, seq)
);

CREATE TABLE scale_score (
    paper_id   VARCHAR NOT NULL REFERENCES paper (paper_id),
    student_id INTEGER NOT NULL,
    scale      VARCHAR NOT NULL,
    method     VARCHAR NOT NULL CHECK (method IN ('eap', 'map', 'ml')),
    theta      DOUBLE NOT NULL,
    se         DOUBLE,
    PRIMARY KEY (paper_id, student_id)
);
"""
