# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The ledger's data lives in ./data unless DUBAN_DATA_DIR names another directory.
DJANGO := DJANGO_SETTINGS_MODULE=duban.settings $(BIN)/python -m django

run: $(STAMP)
	$(DJANGO) migrate --verbosity 0
	$(BIN)/duban ledger demo
	$(BIN)/duban ledger create-admin
	$(DJANGO) runserver --insecure 127.0.0.1:8000  # --insecure: serve the admin's CSS though DEBUG is off

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/extract_throughput.py

clean:
	rm -rf $(VENV) .pytest_cache
