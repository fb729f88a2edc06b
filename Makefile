# Quick start: `make run` serves the back office, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app run
PORT   ?= 8080
# the suite on as many workers as cores (at most 4), whole files to a worker (pytest-xdist); PYTEST_ARGS= runs it
# in one process
PYTEST_ARGS ?= -n auto --maxprocesses 4 --dist loadfile

.PHONY: run test setup system system-test venv translations db init demo bench clean

run: setup demo
	PORT=$(PORT) $(BIN)/python run.py

test: system-test venv translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: system venv translations db init

system:
	@scripts/system-deps.sh

system-test:
	@scripts/system-deps.sh --test

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, this is " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip "setuptools>=78.1.1"
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

translations: venv
	$(BIN)/pybabel compile -f -d translations >/dev/null

db: venv
	$(FLASK) db upgrade

init: db
	$(FLASK) pm init

# A demo part that fails is reported and does not stop `make run` from serving; the next run loads it.
demo: setup
	-$(FLASK) pm demo --if-empty --households 600

bench: venv translations
	$(BIN)/python bench/pdf.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/import_owners.py
	$(BIN)/python bench/service.py
	$(BIN)/python bench/billing.py
	$(BIN)/python bench/meters.py
	$(BIN)/python bench/visits.py
	$(BIN)/python bench/surveys.py

clean:
	rm -rf $(VENV) *.egg-info

# After changing user-visible strings: extract them and merge into the catalogs.
messages: venv
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l --no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel update -N --ignore-obsolete -i translations/messages.pot -d translations
