# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install system compiler chromium bench clean

$(STAMP): pyproject.toml setup.py duban/corpus/_topics.c | compiler
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# A C compiler and Python's headers, which installing duban needs to build its C module (duban/corpus/_topics.c):
# installed only when they are missing and we are root on Debian (anyone else is told what to install).
compiler:
	@if ! { command -v gcc >/dev/null && $(PYTHON) -c 'import os, sysconfig; assert os.path.exists(sysconfig.get_paths()["include"] + "/Python.h")' 2>/dev/null; }; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	        echo "installing gcc and python3-dev (duban's compiled module)"; \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc python3-dev; \
	    else \
	        echo "make: installing duban compiles a small C module: install a C compiler and Python's headers (Debian: gcc python3-dev)" >&2; \
	    fi; \
	fi

# Debian's Pango and a font, which WeasyPrint needs to render supervision notices as PDF: installed only when they
# are missing and we are root (anyone else is told what to install).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
DEJAVU := /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf

system:
	@if ! { PATH="$$PATH:/sbin:/usr/sbin" ldconfig -p | grep -F 'libpangoft2-1.0.so.0' >/dev/null && test -e $(DEJAVU); }; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	        echo "installing $(SYSTEM_PACKAGES) (PDF notices)"; \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES); \
	    else \
	        echo "make: PDF notices need Debian's $(SYSTEM_PACKAGES): install them as root" >&2; \
	    fi; \
	fi

# Debian's chromium, which the browser tests drive through Playwright's Python package (tests/web/test_browser.py):
# installed only when missing and we are root; nothing ever downloads a browser (never `playwright install`).
# Without it the browser tests skip, except under CI (CI set), where a missing chromium fails them.
chromium:
	@if ! command -v chromium >/dev/null; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	        echo "installing chromium (browser tests)"; \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	    fi; \
	fi

install: system chromium $(STAMP)

# The ledger's data lives in ./data unless DUBAN_DATA_DIR names another directory.
DJANGO := DJANGO_SETTINGS_MODULE=duban.settings $(BIN)/python -m django

run: system $(STAMP)
	$(DJANGO) migrate --verbosity 0
	$(BIN)/duban ledger demo
	$(BIN)/duban ledger create-admin
	$(DJANGO) runserver --insecure 127.0.0.1:8000  # --insecure: serve the admin's CSS though DEBUG is off

test: system chromium $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/extract_throughput.py

clean:
	rm -rf $(VENV) .pytest_cache
