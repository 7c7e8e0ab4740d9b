# The two commands of the README: `make demo` and `make test`. Both install what they need first.
.PHONY: setup demo test check lint bench bench-quick web
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
	$(PY) -m pytest -q -n 2 --dist worksteal

# The edit loop: lint, types, layer contracts and the fast tests on two processes (no slow,
# browser, Spark or end-to-end demo tests); stops at the first failure. A test is marked slow
# (`@pytest.mark.slow`, `pytestmark` for a whole file, or listed by node id in
# tests/slow_tests.txt) when it took 0.5 s or more, its fixtures' setup included, in a timed run.
# `make test` stays the full suite CI runs, slow tests included.
# Timed 2026-11-30 00:22 UTC on the idle 2-core machine: the pytest part, 703 tests, 59 s wall
# (`time .venv/bin/python -m pytest -q -n 2 -m "not slow" ...` as below).
check: setup
	.venv/bin/ruff check src tests bench
	.venv/bin/mypy
	.venv/bin/lint-imports
	$(PY) -m pytest -q -x -n 2 -m "not slow" -p no:cacheprovider \
		--ignore=tests/web/test_browser.py --ignore=tests/analysis/test_spark_parity.py \
		--ignore=tests/cli/test_demo.py --ignore=tests/simulate

# Every benchmark at full size (an idle machine, an hour or more), then one table of every
# measure against its goal; bench-quick: small sizes in a few minutes, to check the scripts.
bench: setup
	$(PY) bench/run_all.py

bench-quick: setup
	$(PY) bench/run_all.py --quick

web: setup
	.venv/bin/eduquality web --db $(OUT)/district.duckdb
