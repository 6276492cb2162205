# CaseTrail: two commands. `make run` sets up and serves; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint install frontend fonts demo clean scale-test

$(STAMP): pyproject.toml verifier/pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（$(PYTHON)）。Debian/Ubuntu：apt-get install python3.11 python3.11-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# setuptools warns, boxed in "!!", that a folder named like the package may shadow it: true of
	@# every editable install run from its own checkout, and harmless — not worth alarming anyone.
	@# The offline verifier (verifier/, casetrail-verify) first: casetrail.lib re-exports its Merkle,
	@# note and canonical-JSON modules, so that code exists once. Installed from this checkout only
	@# (never named in pyproject's dependencies, where pip would look it up on an index).
	PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet -e ./verifier
	PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) frontend fonts

# 文书 are set in Noto Serif CJK SC (Debian fonts-noto-cjk) and WeasyPrint needs Pango: installed
# here when missing and we may (root with apt-get); otherwise named. Rendering refuses without them.
fonts:
	@if fc-list ':family=Noto Serif CJK SC' 2>/dev/null | grep -q . && ldconfig -p | grep -q libharfbuzz-subset; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fontconfig libharfbuzz-subset0 \
	     libpango-1.0-0 libpangoft2-1.0-0 >/dev/null) || echo "警告：未能安装 fonts-noto-cjk，文书无法生成"; \
	else echo "提示：文书需要字体 fonts-noto-cjk 与 Pango。Debian/Ubuntu：sudo apt-get install fonts-noto-cjk fontconfig libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0"; fi

# htmx comes from the npm registry. Without npm the UI still works (plain forms), only less lively.
frontend: node_modules/htmx.org/dist/htmx.min.js
node_modules/htmx.org/dist/htmx.min.js: package.json
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --silent && touch $@; \
	else echo "提示：未找到 npm，界面将不加载 htmx（功能不受影响）。Debian/Ubuntu：apt-get install npm"; fi

# The demo: its shared password and the embedded SECRET_KEY are allowed (CASETRAIL_DEMO=1).
demo: install
	CASETRAIL_DEMO=1 $(VENV)/bin/casetrail migrate --noinput
	CASETRAIL_DEMO=1 $(VENV)/bin/casetrail demo

run: demo
	CASETRAIL_DEMO=1 $(VENV)/bin/casetrail run

test: install
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy casetrail
	$(VENV)/bin/mypy -p casetrail_verify
	$(PY) manage.py makemigrations --check --dry-run

# Scale-out on one machine (issue 18 item 7): PostgreSQL, SeaweedFS S3 with Object Lock, RQ on
# Redis with two workers, two gunicorn instances on one address; see README 省级部署.
SCALE_STAMP := $(VENV)/.scale-installed
$(SCALE_STAMP): $(STAMP) pyproject.toml
	PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet -e '.[dev,scale]'
	touch $(SCALE_STAMP)

scale-test: install $(SCALE_STAMP)
	$(PY) bench/scale_test.py $(SCALE_ARGS)

clean:
	rm -rf $(VENV) node_modules var
