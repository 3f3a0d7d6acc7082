# Yiti: the two commands of the quick start are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: demo test test-slow lint catalogs bench bundle clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install -e '.[dev]'
	touch $(STAMP)

## run the demo: embedded server + demo tenant (and, with the desktop shell, the app)
demo: $(STAMP)
	$(BIN)/yiti demo

## the whole default suite: lint, architecture contracts, types, tests
test: $(STAMP) lint
	$(BIN)/pytest

## soaks, big benches and many-example property runs (not part of `make test`)
test-slow: $(STAMP)
	$(BIN)/pytest -m slow -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## re-extract strings and update catalogs; translate in resources/locale/*/LC_MESSAGES/yiti.po
catalogs: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k gettext_for:2 -k ngettext:1,2 --no-location \
		--sort-output --project yiti --copyright-holder Yiti -o resources/locale/yiti.pot .
	$(BIN)/pybabel update -D yiti -i resources/locale/yiti.pot -d resources/locale \
		--ignore-obsolete
	$(BIN)/pybabel compile -D yiti -d resources/locale --statistics

## sync benches, small size (one JSON line per case; see bench/README.md)
bench: $(STAMP)
	$(BIN)/python bench/sync.py --quick

## desktop bundle (PyInstaller, one folder, see build.spec): dist/yiti/; run dist/yiti/yiti
bundle: $(STAMP)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN build.spec

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache

## CRM screen benches, small size: customer list and 360 view, domain and Qt (bench/README.md)
.PHONY: bench-crm
bench-crm: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/crm.py --quick

## inventory read benches, small size: stock levels, stock card, ATP on a big cache (bench/README.md)
.PHONY: bench-inventory
bench-inventory: $(STAMP)
	$(BIN)/python bench/inventory.py --quick
