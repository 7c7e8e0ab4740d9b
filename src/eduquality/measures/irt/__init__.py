"""Item response theory: models, estimation, scoring, linking, DIF."""
