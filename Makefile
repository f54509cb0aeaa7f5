# Two commands do all the set-up: `make demo` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test lint notebooks bench clean platform platform-down generate

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' -c constraints.txt
	touch $@

demo: $(INSTALLED)  ## run every notebook on the shipped incidents; outputs in reports/
	$(BIN)/incident-lab demo --out reports

test: $(INSTALLED)  ## unit, integration and notebook tests
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check incident_lib tests benchmarks services incidents notebooks tools examples
	$(BIN)/ruff format --check incident_lib tests benchmarks tools examples

notebooks: $(INSTALLED)  ## re-execute the committed notebooks on the shipped incidents (their golden outputs)
	cd notebooks && for nb in *.ipynb; do ../$(BIN)/papermill --no-progress-bar "$$nb" "$$nb" || exit 1; done
	@# committed outputs must not leak this machine's paths
	@! grep -l "$(CURDIR)" notebooks/*.ipynb

platform: $(INSTALLED)  ## the four services, diagnostics API (:8000), Prometheus (:9090), bounded load; on 127.0.0.1
	$(BIN)/python -m services.local_platform up --state .platform

platform-down:  ## stop exactly what `make platform` started (the pids recorded in .platform/pids)
	$(BIN)/python -m services.local_platform down --state .platform

bench: $(INSTALLED)
	$(BIN)/python benchmarks/sweep.py

clean:
	rm -rf $(VENV) reports .pytest_cache

generate: $(INSTALLED)  ## rewrite what follows from the rule registry: the chart's read-only role, the docs' tables
	$(BIN)/python -m tools.generate
