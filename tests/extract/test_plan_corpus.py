"""Facts of the shared corpus's plans, checked by hand against the files, read at run time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
SICHUAN = CORPUS / "003_575252aa507e0ab1.txt"
TIANJIN_AND_SHENZHEN = CORPUS / "001_75b1cbe0efa3536a.txt"

pytestmark = pytest.mark.skipif(not SICHUAN.exists(), reason="../shared/corpus is not beside the checkout")


def extract(path: Path) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "duban.cli", "extract", str(path), "--format", "jsonl", "--quiet"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture(scope="module")
def sichuan() -> list[dict]:
    return [r for r in extract(SICHUAN) if r["line_start"] >= 185 and r["line_end"] <= 333]


@pytest.fixture(scope="module")
def file_001() -> list[dict]:
    return extract(TIANJIN_AND_SHENZHEN)


def test_government_services_plan_is_one_plan_document(sichuan):
    docs = [r for r in sichuan if r["kind"] == "document"]
    assert [(d["line_start"], d["line_end"], d["genre"], d["date"]) for d in docs] == [(185, 333, "plan", "2022-09-15")]


def test_government_services_plan_numbered_tasks(sichuan):
    tasks = [r for r in sichuan if r["kind"] == "task"]
    # (1)–(3) are ideology, principles and goals; (four) to (forty-eight) are the tasks, one per line 233…333.
    assert len(tasks) == 45
    assert tasks[0]["number"] == "(four)" and tasks[0]["line_start"] == 233
    assert tasks[-1]["number"] == "(forty-eight)" and tasks[-1]["line_start"] == 333
    assert [t["number"] for t in tasks if t["number"][1:-1].isdigit()] == ["(9)", "(45)"]


def test_government_services_plan_units(sichuan):
    tasks = {t["number"]: t for t in sichuan if t["kind"] == "task"}
    four = tasks["(four)"]["units"]
    assert four[0] == "General Office of the provincial government"  # the lead unit comes first
    assert len(four) == 6 and four[-1].startswith("people’s governments of cities")
    assert not any("lead unit" in u for u in four)  # the bracket's note is not a unit
    assert tasks["(twelve)"]["units"][:1] and all(t["units"] == [] for n, t in tasks.items() if n in ("(forty-four)", "(45)"))


def test_government_services_plan_milestones_carry_task_units(sichuan):
    milestones = [r for r in sichuan if r["kind"] == "milestone" and r["line_start"] == 233]
    assert milestones and all(m["units"][0] == "General Office of the provincial government" for m in milestones)
    goals = [r for r in sichuan if r["kind"] == "milestone" and r["line_start"] in (225, 227, 229)]
    assert [m["due"] for m in goals] == ["2023-12-31", "2024-12-31", "2025-12-31"] and all(m["units"] == [] for m in goals)


def test_science_plan_indicator_table(file_001):
    rows = [r for r in file_001 if r["kind"] == "indicator" and 720 <= r["line_start"] <= 810]
    got = [(r["unit"], r["baseline"]["value"], r["target"]["value"], r["target"]["year"]) for r in rows]
    assert got == [
        ("%", 3.2, 3.3, 2025),
        ("%", 5, 8, 2025),
        ("person-year", 103, 110, 2025),
        ("pieces", 9.8, 16, 2025),
        ("family", 7420, 11600, 2025),
        ("100 million yuan", 1113, 1600, 2025),
        ("%", 16.58, 23, 2025),
        ("%", 1.13, 1.35, 2025),
        ("home", 216, 300, 2025),
        ("home", 1, 8, 2025),
        ("%", 0.08, 0.08, 2025),
    ]
    assert rows[2]["name"] == "R&D personnel per 10,000 employed persons"


def test_pilot_units_are_inherited_by_the_pilot_items(file_001):
    tasks = {r["line_start"]: r for r in file_001 if r["kind"] == "task"}
    assert tasks[548]["units"][0] == "Shenzhen Municipal Transportation Bureau"
    assert tasks[548]["units"][-1].startswith("Shenzhen Airport (Group) Co., Ltd")
    assert tasks[638]["units"] == ["Shenzhen Municipal Transportation Bureau", "Public Security Bureau"]
    assert 608 not in tasks and tasks[610]["number"] == "(1)"  # a heading over sub-items is not a task
