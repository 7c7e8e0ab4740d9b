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
	$(PY) -m pytest -q

# The edit loop: lint, types, layer contracts and the fast tests (no slow, browser, Spark or
# end-to-end demo tests); stops at the first failure. `make test` stays the full suite CI runs.
check: setup
	.venv/bin/ruff check src tests bench
	.venv/bin/mypy
	.venv/bin/lint-imports
	$(PY) -m pytest -q -x -m "not slow" -p no:cacheprovider \
		--ignore=tests/web/test_browser.py --ignore=tests/analysis/test_spark_parity.py \
		--ignore=tests/cli/test_demo.py --ignore=tests/simulate

bench: setup
	$(PY) bench/run_all.py

web: setup
	.venv/bin/eduquality web --db $(OUT)/district.duckdb
