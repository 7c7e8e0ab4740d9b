"""Import mapping templates: a mapping that worked, saved under a name and applied to the next
file whose headers match (``import … --save-template NAME``, ``--template NAME``).

- ``kind``: the import kind (roster, paper, scores);
- ``fingerprints``: the header fingerprints of the sheets imported, comma-separated
  (:func:`eduquality.ingest.templates.header_fingerprint`);
- ``mapping``: the ``--map`` pairs as JSON (normalised header → field);
- ``options``: kind-specific options as JSON (roster kind, subject, track, sheet).
"""

VERSION = 5

SQL = """
CREATE TABLE import_template (
    name         VARCHAR PRIMARY KEY,
    kind         VARCHAR NOT NULL,
    fingerprints VARCHAR NOT NULL,
    mapping      VARCHAR NOT NULL,
    options      VARCHAR NOT NULL,
    saved_by     VARCHAR,
    saved_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);
"""
