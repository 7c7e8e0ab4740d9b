# The two commands of the README: `make demo` and `make test`. Both install what they need first.
.PHONY: setup demo test lint bench web
PY := .venv/bin/python
OUT ?= out/demo

setup:
	@bash scripts/setup.sh

demo: setup
	.venv/bin/eduquality demo --out $(OUT)

test: setup
	.venv/bin/ruff check src tests bench
	.venv/bin/mypy
	.venv/bin/lint-imports
	$(PY) -m pytest -q

bench: setup
	$(PY) bench/run_all.py

web: setup
	.venv/bin/eduquality web --db $(OUT)/district.duckdb
