"""spaCy reference for the throughput benchmark: sentence-split a text file, streaming.

Run it from the benchmark's own environment (spaCy is not a dependency of duban):

    bench/setup_spacy.sh
    bench/.venv-spacy/bin/python bench/spacy_reference.py FILE [--unit line|paragraph] [--batch-size N]

The pipeline is spaCy's blank English tokenizer plus the rule-based sentencizer, i.e. about the
cheapest useful spaCy pipeline. The file is read lazily and fed to `nlp.pipe` as a generator, one
line (default; in the shared corpus one non-blank line is one paragraph) or one blank-line-separated
paragraph at a time, so the whole text is never held. Prints one JSON line with counts to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Iterator

import spacy


def lines(path: str) -> Iterator[str]:
    """Non-blank lines of the file, stripped."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if line:
                yield line


def paragraphs(path: str) -> Iterator[str]:
    """Runs of non-blank lines separated by blank lines, joined with a space."""
    buf: list[str] = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if line:
                buf.append(line)
            elif buf:
                yield " ".join(buf)
                buf = []
    if buf:
        yield " ".join(buf)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", metavar="FILE")
    ap.add_argument("--unit", choices=("line", "paragraph"), default="line")
    ap.add_argument("--batch-size", type=int, default=256)
    args = ap.parse_args(argv)

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    texts = lines(args.path) if args.unit == "line" else paragraphs(args.path)
    n_texts = n_sents = n_tokens = 0
    for doc in nlp.pipe(texts, batch_size=args.batch_size):
        n_texts += 1
        n_tokens += len(doc)
        n_sents += sum(1 for _ in doc.sents)
    json.dump({"spacy": spacy.__version__, "unit": args.unit, "texts": n_texts, "sentences": n_sents,
               "tokens": n_tokens}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
