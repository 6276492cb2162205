# CaseTrail: two commands. `make run` sets up and serves; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint install frontend demo clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（$(PYTHON)）。Debian/Ubuntu：apt-get install python3.11 python3.11-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# setuptools warns, boxed in "!!", that a folder named like the package may shadow it: true of
	@# every editable install run from its own checkout, and harmless — not worth alarming anyone.
	PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) frontend

# htmx comes from the npm registry. Without npm the UI still works (plain forms), only less lively.
frontend: node_modules/htmx.org/dist/htmx.min.js
node_modules/htmx.org/dist/htmx.min.js: package.json
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --silent && touch $@; \
	else echo "提示：未找到 npm，界面将不加载 htmx（功能不受影响）。Debian/Ubuntu：apt-get install npm"; fi

demo: install
	$(VENV)/bin/casetrail migrate --noinput
	$(VENV)/bin/casetrail demo

run: demo
	$(VENV)/bin/casetrail run

test: install
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy casetrail
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) node_modules var
