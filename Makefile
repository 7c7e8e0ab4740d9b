# The two commands of the README: `make demo` and `make test`. Both install what they need first.
.PHONY: setup demo test check lint bench web
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
	$(PY) -m pytest -q -n 2

# The edit loop: lint, types, layer contracts and the fast tests on two processes (no slow,
# browser, Spark or end-to-end demo tests); stops at the first failure. A test is marked slow
# (`@pytest.mark.slow`, or `pytestmark` for a whole file) when it took 2 s or more, its fixtures'
# setup included, in a timed run on the shared 2-core machine (about 0.5 s on an idle core); a
# file whose tests are all slow keeps its cheapest one here when that one is cheap. `make test`
# stays the full suite CI runs, slow tests included.
# Timed 2026-11-29, the pytest part: 527 tests in 2 min 45 s on the shared machine (load average
# 7-9 from other users; the run got 58 % of one core), 97 s of CPU in all: about 50 s on two
# idle cores (an estimate from the CPU time, not a measured run).
check: setup
	.venv/bin/ruff check src tests bench
	.venv/bin/mypy
	.venv/bin/lint-imports
	$(PY) -m pytest -q -x -n 2 -m "not slow" -p no:cacheprovider \
		--ignore=tests/web/test_browser.py --ignore=tests/analysis/test_spark_parity.py \
		--ignore=tests/cli/test_demo.py --ignore=tests/simulate

bench: setup
	$(PY) bench/run_all.py

web: setup
	.venv/bin/eduquality web --db $(OUT)/district.duckdb
