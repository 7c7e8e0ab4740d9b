"""The manifest (``OUT/manifest.json``): every file the simulator wrote, in import order."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ManifestEntry:
    """One file. ``kind``: roster, stats, programmes, attendance, children, proficiency, paper,
    scores, cut_lines or score_distribution; ``level``: item or total for scores;
    ``subject``/``track``: Chinese labels or None."""

    path: str
    kind: str
    format: str                      # xlsx or csv
    encoding: str | None = None      # csv: utf-8-sig, gbk or utf-8
    exam_id: str | None = None
    subject: str | None = None
    track: str | None = None
    level: str | None = None
    header_rows: int = 1
    year: str | None = None
    description: str = ""


@dataclass
class Manifest:
    out_dir: Path
    seed: int
    students: int
    profile: str
    years: list[str]
    files: list[ManifestEntry] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, entry: ManifestEntry) -> None:
        self.files.append(entry)

    def of_kind(self, kind: str) -> list[ManifestEntry]:
        return [f for f in self.files if f.kind == kind]

    def to_dict(self) -> dict[str, object]:
        return {"generator": "eduquality simulate", "format_version": 1, "seed": self.seed,
                "students": self.students, "profile": self.profile, "years": self.years,
                "counts": self.counts, "truth": "truth/",
                "files": [asdict(f) for f in self.files]}

    def write(self) -> Path:
        path = self.out_dir / "manifest.json"
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
        return path

    @classmethod
    def read(cls, out_dir: str | Path) -> Manifest:
        """The manifest of a simulated district folder."""
        out = Path(out_dir)
        data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        m = cls(out, int(data["seed"]), int(data["students"]), str(data["profile"]),
                list(data["years"]), counts=dict(data["counts"]))
        m.files = [ManifestEntry(**f) for f in data["files"]]
        return m
