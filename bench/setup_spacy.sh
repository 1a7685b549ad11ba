#!/usr/bin/env bash
# Create the benchmark's own optional environment for the spaCy reference run: bench/.venv-spacy.
# spaCy is NOT a dependency of duban; this venv is gitignored and used only by
# `bench/extract_throughput.py --spacy`. The blank English pipeline needs no model download.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
test -x .venv-spacy/bin/python || "$PYTHON" -m venv .venv-spacy
.venv-spacy/bin/pip install --quiet --upgrade pip
.venv-spacy/bin/pip install --quiet spacy
.venv-spacy/bin/python -c 'import spacy; nlp = spacy.blank("en"); nlp.add_pipe("sentencizer"); print("spacy", spacy.__version__, "ok:", [s.text for s in nlp("One. Two.").sents])'
