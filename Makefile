# Two commands matter: `make demo` and `make test`. Both create .venv when it is
# missing, install the pinned dependencies, and clean up what they start.
VENV    ?= .venv
PY      := $(VENV)/bin/python
PYTHON  ?= $(shell command -v python3.11 || command -v python3)
STAMP   := $(VENV)/.installed

.PHONY: install demo test chaos airflow lint bench clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "Python 3.11 is required (found $$($(PY) --version)); set PYTHON=/path/to/python3.11"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

demo: install
	$(PY) scripts/demo.py

# The suite on every core (pytest-xdist). --dist worksteal: each worker takes a contiguous half of the suite, so
# module-scoped fixtures (payments worlds, the offline-export Airflow home) are mostly built once, and takes work
# from the other when it runs out. TEST_WORKERS=0 runs it in one process; PYTEST_ARGS adds arguments (-k, -x, a path).
TEST_WORKERS ?= auto
test: install
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The fault campaign alone, longer: RUNS rounds per tool and state database (make test runs 8).
RUNS ?= 30
chaos: install
	CHAOS_ROUNDS=$(RUNS) $(PY) -m pytest tests/chaos -q

airflow: install
	$(PY) scripts/airflow_local.py

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) bench/focus_extract.py

clean:
	rm -rf .sandbox .state .pytest_cache .ruff_cache
