"""Use cases that wire the store and the measures: analyse an exam, assess a school."""
