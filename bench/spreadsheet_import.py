"""Time the import of a 10,000-row rectification ledger (XLSX) into a fresh SQLite data directory.

    .venv/bin/python bench/spreadsheet_import.py                 # 10,000 rows, one run
    .venv/bin/python bench/spreadsheet_import.py --rows 2000 --repeat 3
    .venv/bin/python bench/spreadsheet_import.py --cli           # also through `duban ledger sheet import`

The sheet is invented (bench/out/ledger_<N>.xlsx, rebuilt each run): a title row, then Number, Task, Responsible
unit, Deadline, Status and Progress, with deadlines written as date cells, '2025-12-31', '2025年12月31日',
'2025年底前' and 'by the end of 2025', and statuses in English and Chinese. Every run uses a new temporary data
directory (DUBAN_DATA_DIR), migrated first; the migration is not timed, nor is the inspection (the mapping step a
person runs first), which is shown apart. A second sheet, the same with two bad cells, checks that the errors are
reported by row and column and that nothing is stored.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
HEADERS = ["Number", "Task", "Responsible unit", "Deadline", "Status", "Progress"]
MAPPING = "number=Number,title=Task,units=Responsible unit,due=Deadline,completed=Status,progress=Progress"
UNITS = ["市住建局", "市财政局", "市生态环境局", "市自然资源局", "Qingshi Housing Bureau", "Songxi County Transport Bureau",
         "市水务局", "市农业农村局", "县人民政府", "市市场监管局"]
VERBS = ["Rectify", "Complete the survey of", "Close", "Repair", "Clean up", "Inspect", "Publish the list of",
         "整改", "完成", "清理"]
OBJECTS = ["illegal buildings along the river", "village sewage outlets", "overdue land reclamation", "rural roads",
           "dust at construction sites", "the landfill leachate pond", "unlicensed quarries", "黑臭水体", "农村厕所",
           "散乱污企业"]
FIRST_ROW = 3  # a title row, the header row, then item 1
BAD_DUE_ROW = 12


def bad_status_row(rows: int) -> int:
    return rows // 2


STATUSES = ["已完成", "进行中", "done", "in progress", "未完成", "", "completed", "正在推进"]


def deadline(rng: random.Random, i: int):
    day = date(2025, 1, 1) + timedelta(days=rng.randrange(0, 1000))
    form = i % 5
    if form == 0:
        return datetime(day.year, day.month, day.day)
    if form == 1:
        return day.isoformat()
    if form == 2:
        return f"{day.year}年{day.month}月{day.day}日"
    if form == 3:
        return f"{day.year}年底前"
    return f"by the end of {day.year}"


def build(path: Path, rows: int, *, bad: bool = False, seed: int = 4) -> None:
    from openpyxl import Workbook

    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("台账")
    sheet.append(["Lanshan rectification ledger (invented for the benchmark)"])
    sheet.append(HEADERS)
    for i in range(1, rows + 1):
        units = "、".join(rng.sample(UNITS, rng.choice((1, 1, 2, 3))))
        task = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} in area {i % 97 + 1}"
        progress = f"{rng.randrange(0, 101)}% done; report {i}" if rng.random() < 0.7 else ""
        due, status = deadline(rng, i), rng.choice(STATUSES)
        if bad and i + FIRST_ROW - 1 == BAD_DUE_ROW:
            due = "soon"
        if bad and i + FIRST_ROW - 1 == bad_status_row(rows):
            status = "maybe"
        sheet.append([i, task, units, due, status, progress])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def setup(data_dir: Path):
    os.environ["DUBAN_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "duban.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from duban.ledger.choices import OrganisationKind, Role
    from duban.ledger.services.organisations import create_organisation, create_person

    province = create_organisation("Lanshan Province", kind=OrganisationKind.PROVINCE, region="SC")
    office = create_organisation("Provincial Supervision Office", parent=province, kind=OrganisationKind.OFFICE)
    user = create_person("sup", roles=[(office, Role.SUPERVISOR)])
    return user, office


def run_once(rows: int, sheet: Path, bad_sheet: Path) -> dict:
    """In a child process (a fresh Django and data directory per run): the import, timed."""
    data_dir = Path(tempfile.mkdtemp(prefix="duban-bench-sheet-"))
    try:
        out = subprocess.run([sys.executable, __file__, "--child", str(sheet), str(bad_sheet), str(data_dir)],
                             capture_output=True, text=True, check=True)
        import json

        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def child(sheet: str, bad_sheet: str, data_dir: str) -> None:
    import json
    import resource

    user, office = setup(Path(data_dir))
    from duban.ledger.models import Event, Item
    from duban.ledger.services import spreadsheets
    from duban.ledger.services.history import verify_history

    t0 = time.perf_counter()
    try:
        spreadsheets.import_sheet(user, bad_sheet, MAPPING, on=date(2025, 3, 3), supervising_office=office)
        errors = []
    except spreadsheets.SheetError as e:
        errors = [str(error) for error in e.errors]
    t_bad = time.perf_counter() - t0
    stored_after_bad = Item.objects.count()

    t0 = time.perf_counter()
    inspection = spreadsheets.inspect_sheet(sheet)  # the mapping step, run by a person before the import
    t_inspect = time.perf_counter() - t0
    c0, t0 = time.process_time(), time.perf_counter()
    result = spreadsheets.import_sheet(user, sheet, MAPPING, on=date(2025, 3, 3), supervising_office=office)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    chain = verify_history()
    print(json.dumps({
        "rows": inspection.data_rows, "items": len(result.items), "claims": result.claims,
        "events": Event.objects.count(), "wall": wall, "cpu": cpu, "inspect": t_inspect,
        "bad_wall": t_bad, "bad_errors": errors, "stored_after_bad": stored_after_bad,
        "chain_ok": chain.ok, "verify_history": time.perf_counter() - t0,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def run_cli(sheet: Path) -> float:
    """`duban ledger sheet import` in a fresh data directory (migrated and set up first, not timed)."""
    data_dir = Path(tempfile.mkdtemp(prefix="duban-bench-sheet-cli-"))
    env = {**os.environ, "DUBAN_DATA_DIR": str(data_dir)}
    try:
        subprocess.run([sys.executable, __file__, "--setup", str(data_dir)], check=True, env=env)
        duban = str(Path(sys.executable).parent / "duban")
        t0 = time.perf_counter()
        subprocess.run([duban, "ledger", "sheet", "import", str(sheet), "--map", MAPPING, "--as", "sup",
                        "--on", "2025-03-03", "--office", "Provincial Supervision Office"], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        return time.perf_counter() - t0
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs (each in a fresh data directory); the median is kept")
    parser.add_argument("--cli", action="store_true", help="also time `duban ledger sheet import` end to end")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--setup", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup(Path(args.setup))
        return 0
    if args.child:
        child(*args.child)
        return 0
    sheet, bad_sheet = OUT / f"ledger_{args.rows}.xlsx", OUT / f"ledger_{args.rows}_bad.xlsx"
    t0 = time.perf_counter()
    build(sheet, args.rows)
    build(bad_sheet, args.rows, bad=True)
    print(f"built {sheet.name} ({sheet.stat().st_size / 1e6:.2f} MB) and {bad_sheet.name} in {time.perf_counter() - t0:.1f} s")
    runs = sorted((run_once(args.rows, sheet, bad_sheet) for _ in range(args.repeat)), key=lambda r: r["wall"])
    run = runs[len(runs) // 2]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| rows | items | claims kept | events | import wall s | import CPU s | inspect wall s | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {run['rows']:,} | {run['items']:,} | {run['claims']:,} | {run['events']:,} | {run['wall']:.1f} | "
          f"{run['cpu']:.1f} | {run['inspect']:.1f} | {run['max_rss_mb']:.0f} |")
    if args.repeat > 1:
        print("all runs (wall s): " + ", ".join(f"{r['wall']:.1f}" for r in runs))
    print(f"sheet with errors: {len(run['bad_errors'])} errors reported in {run['bad_wall']:.1f} s, "
          f"{run['stored_after_bad']} items stored:")
    for error in run["bad_errors"]:
        print(f"  {error}")
    print(f"history chain verifies: {run['chain_ok']} ({run['verify_history']:.1f} s)")
    if args.cli:
        print(f"duban ledger sheet import (one process, Django start-up included): {run_cli(sheet):.1f} s wall")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
