"""Readers for the files schools send, validation, and all-or-nothing imports."""
