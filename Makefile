# Two commands matter: `make run` (set up and start the daemon on SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two stamps: what running needs (`make run`: the project alone) and what testing adds (`.[test]`:
# pytest, ruff, aiosmtpd, … for `make test`, the benchmarks and the demo).
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
BROWSER := $(VENV)/.browser

.PHONY: run test bench bench-memory demo soak chaos lint docs clean venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

venv: $(TEST_STAMP)

# Debian's Chromium and ChromeDriver for the browser test of the search page (root, Debian's registry).
$(BROWSER): $(STAMP)
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null; \
	else echo "chromium is not installed and cannot be installed here: the browser test will skip"; fi
	touch $(BROWSER)

run: $(STAMP)
	$(BIN)/kremlin-watch run

test: $(TEST_STAMP) $(BROWSER)
	$(BIN)/ruff check .
	$(BIN)/mkdocs build --strict --quiet --site-dir $(VENV)/site
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The reference in docs/, built with MkDocs into site/ (strict: a broken link fails).
docs: $(TEST_STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

bench: $(TEST_STAMP)
	$(BIN)/python -m bench

demo: $(TEST_STAMP)
	$(BIN)/python scripts/demo.py

# The daemon beside changedetection.io (installed into .venv-peer on first use), same replica and interval.
bench-memory: $(TEST_STAMP)
	@[ -x .venv-peer/bin/changedetection.py ] || { $(PYTHON) -m venv .venv-peer && .venv-peer/bin/pip install --quiet changedetection.io; } \
	  || echo "changedetection.io could not be installed into .venv-peer: the benchmark says so"
	$(BIN)/python -m bench memory

soak: $(TEST_STAMP)
	$(BIN)/python -m bench.soak

# The daemon against a replica with seeded faults, kills and restarts; exits 1 when an invariant breaks.
CHAOS_CHECKS ?= 300
CHAOS_SEED ?= 1
chaos: $(TEST_STAMP)
	$(BIN)/python -m bench.chaos --checks $(CHAOS_CHECKS) --seed $(CHAOS_SEED)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) data site .pytest_cache
