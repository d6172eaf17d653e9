# Habeas task runner. Two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml package-lock.json 2>/dev/null | sha1sum | cut -c1-12)
export HABEAS_PROJECT_DIR := $(CURDIR)

.PHONY: demo test install lint format bench browser clean messages messages-update gettext pdf

$(STAMP):
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

## make demo: install, migrate the embedded SQLite database, generate the demo, serve it.
demo: install messages pdf
	$(BIN)/habeas migrate --noinput
	$(BIN)/habeas demo $(DEMO_ARGS)

## make test: install, then run the whole suite (DATABASE_URL selects the database).
test: install browser messages pdf
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Translations: compile the catalogues, src/habeas/locale/*/LC_MESSAGES/django.po (*.mo are not
## committed; docs/adr/0006-one-translation-catalogue.md).
messages: install gettext
	cd src && ../$(BIN)/habeas compilemessages -v0

## The translation sweep: extract every marked string into the Spanish catalogue (new strings come
## in untranslated, changed ones fuzzy); translate them, then `make messages` and
## `.venv/bin/python -m pytest tests/test_translations.py`.
messages-update: install gettext
	$(BIN)/python scripts/standards-messages.py
	cd src/habeas && ../../$(BIN)/habeas makemessages -l es --no-obsolete --add-location=file \
		--ignore='migrations/*' -v0

## GNU gettext (msgfmt, xgettext) for Django's catalogue commands, installed when missing.
gettext:
	@scripts/ensure-gettext

## HarfBuzz's subsetting library for the PDF reports (WeasyPrint), installed when missing.
pdf:
	@scripts/ensure-pdf-libraries

## Debian's Chromium for the browser tests, installed when missing.
browser:
	@scripts/ensure-chromium

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/intake.py

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
