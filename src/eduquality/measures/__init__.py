"""Pure computation: arrays and frames in, results out. Knows nothing of files, database or web."""
