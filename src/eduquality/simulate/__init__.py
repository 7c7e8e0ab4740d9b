"""The synthetic Wuhua-like district with its ground truth."""
