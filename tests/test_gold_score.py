"""The extractor measured with the spec's scorer against our gold: of ../shared/corpus, examples/ and tests/heldout/.

Thresholds only ever go up: raise one when the extractor improves, never lower it.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = sorted((SHARED / "corpus").glob("*.txt"))
SCORER = SHARED / "spec" / "score.py"
GOLD = ROOT / "tests" / "gold"

# Per-kind F1 floors, measured on the commit that set them.
F1_FLOOR = {
    "document": 0.94,
    "task": 0.99,
    "milestone": 0.99,
    "indicator": 0.99,
    "finding": 0.99,
    "outcome": 0.9,
    "time_limit": 0.9,
}
FIELD_FLOOR = {("task", "units"): 0.99, ("task", "due"): 0.99, ("milestone", "units"): 0.99, ("document", "genre"): 0.95,
               ("finding", "parties"): 0.92}

pytestmark = pytest.mark.skipif(not CORPUS or not SCORER.exists(), reason="../shared/corpus is not beside the checkout")


def score(paths: list[Path], gold: Path, out: Path) -> dict:
    """Extract `paths` with duban and score the records against the gold directory: the scorer's per-kind report."""
    with out.open("w") as f:
        subprocess.run([sys.executable, "-m", "duban.cli", "extract", *map(str, paths), "--format", "jsonl", "--quiet"],
                       stdout=f, check=True, cwd=ROOT)
    result = subprocess.run([sys.executable, str(SCORER), str(gold), str(out), "--json"],
                            capture_output=True, text=True, check=True)
    report = result.stdout[: result.stdout.rindex("macro-F1")]  # the scorer ends with a plain summary line
    return json.loads(report)["kinds"]


@pytest.fixture(scope="module")
def scores(tmp_path_factory) -> dict:
    return score(CORPUS, GOLD, tmp_path_factory.mktemp("score") / "pred.jsonl")


@pytest.mark.parametrize("kind", sorted(F1_FLOOR))
def test_f1_at_least_floor(scores, kind):
    assert scores[kind]["F1"] >= F1_FLOOR[kind], scores[kind]


@pytest.mark.parametrize("kind,field", sorted(FIELD_FLOOR))
def test_field_accuracy_at_least_floor(scores, kind, field):
    assert scores[kind]["fields"][field] >= FIELD_FLOOR[(kind, field)], scores[kind]


EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in (".txt", ".html", ".pdf", ".docx"))
EXAMPLES_F1_FLOOR = {"document": 1.0, "task": 1.0, "milestone": 1.0, "indicator": 0.99, "finding": 0.97, "outcome": 1.0, "time_limit": 1.0}
EXAMPLES_FIELD_FLOOR = {("task", "units"): 0.88, ("milestone", "units"): 0.94, ("finding", "parties"): 0.74}


@pytest.fixture(scope="module")
def example_scores(tmp_path_factory) -> dict:
    """The project's own samples, annotated by hand in tests/gold_examples: documents the corpus does not have."""
    return score(EXAMPLES, ROOT / "tests" / "gold_examples", tmp_path_factory.mktemp("examples") / "pred.jsonl")


@pytest.mark.parametrize("kind", sorted(EXAMPLES_F1_FLOOR))
def test_examples_f1_at_least_floor(example_scores, kind):
    assert example_scores[kind]["F1"] >= EXAMPLES_F1_FLOOR[kind], example_scores[kind]


@pytest.mark.parametrize("kind,field", sorted(EXAMPLES_FIELD_FLOOR))
def test_examples_field_accuracy_at_least_floor(example_scores, kind, field):
    assert example_scores[kind]["fields"][field] >= EXAMPLES_FIELD_FLOOR[(kind, field)], example_scores[kind]


HELDOUT = sorted((ROOT / "tests" / "heldout").glob("*.txt"))
HELDOUT_F1_FLOOR = {"document": 1.0, "task": 1.0, "milestone": 1.0, "indicator": 1.0, "finding": 1.0, "outcome": 1.0,
                    "time_limit": 1.0}
HELDOUT_FIELD_FLOOR = {("document", "genre"): 1.0, ("task", "units"): 1.0, ("task", "due"): 1.0, ("milestone", "units"): 1.0,
                       ("finding", "parties"): 0.99, ("finding", "amounts"): 1.0, ("indicator", "baseline"): 1.0,
                       ("indicator", "target_year"): 1.0, ("indicator", "unit"): 1.0, ("indicator", "comparator"): 1.0}


@pytest.fixture(scope="module")
def heldout_scores(tmp_path_factory) -> dict:
    """Documents written blind, from the spec alone, by a colleague who had not seen the extractor (tests/gold_heldout)."""
    return score(HELDOUT, ROOT / "tests" / "gold_heldout", tmp_path_factory.mktemp("heldout") / "pred.jsonl")


@pytest.mark.parametrize("kind", sorted(HELDOUT_F1_FLOOR))
def test_heldout_f1_at_least_floor(heldout_scores, kind):
    assert heldout_scores[kind]["F1"] >= HELDOUT_F1_FLOOR[kind], heldout_scores[kind]


@pytest.mark.parametrize("kind,field", sorted(HELDOUT_FIELD_FLOOR))
def test_heldout_field_accuracy_at_least_floor(heldout_scores, kind, field):
    assert heldout_scores[kind]["fields"][field] >= HELDOUT_FIELD_FLOOR[(kind, field)], heldout_scores[kind]


def test_no_tracked_file_copies_the_corpus():
    """Gold keeps line numbers and fields only, fixtures are our own: no 12-word run of the corpus is in the project."""
    import re

    def shingles(text: str, n: int = 12) -> set[str]:
        words = re.findall(r"[a-z0-9]+", text.lower())
        return {" ".join(words[i : i + n]) for i in range(max(0, len(words) - n + 1))}

    seed = set().union(*(shingles(p.read_text(encoding="utf-8", errors="ignore")) for p in CORPUS))
    tracked = subprocess.run(["git", "ls-files", "-z"], capture_output=True, text=True, cwd=ROOT).stdout.split("\0")
    copied = [name for name in tracked if name and (ROOT / name).is_file() and (ROOT / name).stat().st_size < 2_000_000
              and shingles((ROOT / name).read_text(encoding="utf-8", errors="ignore")) & seed]
    assert not copied, copied
