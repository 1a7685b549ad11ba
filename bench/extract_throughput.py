"""Extraction throughput (MB/s of text per core) and peak memory of `duban extract`, at several corpus sizes.

    .venv/bin/python bench/extract_throughput.py                    # sizes 10,50,200 MB, duban only
    .venv/bin/python bench/extract_throughput.py --sizes 10,50 --spacy   # also the spaCy reference

Each corpus is one big text file made by repeating /work/shared/corpus/*.txt (override with
--corpus-dir or $DUBAN_BENCH_CORPUS) until it reaches the size; the files are cached in bench/out/
(gitignored) and never committed. One big file is the streaming case: duban reads it line by line
and must not hold it, so its peak memory should stay flat as the corpus grows.

Each measurement is a fresh subprocess, `duban extract FILE --format jsonl --quiet > /dev/null`,
reaped with os.wait4 so that CPU time (user+sys) and peak RSS (ru_maxrss) are that one child's
(resource.getrusage(RUSAGE_CHILDREN).ru_maxrss would be the maximum over every child so far).
MB/s per core = MB of input / CPU seconds; 1 MB = 10**6 bytes throughout, RSS included.

With --spacy the same file also goes through spaCy's blank English pipeline with a sentencizer
(bench/spacy_reference.py) run by bench/.venv-spacy/bin/python; create that environment with
bench/setup_spacy.sh. spaCy is a reference point only, not a dependency of duban.

Prints a markdown table (and writes it, with the raw numbers as JSON, to bench/out/).
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import hashlib
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
DEFAULT_CORPUS = os.environ.get("DUBAN_BENCH_CORPUS", "/work/shared/corpus")
SPACY_PYTHON = BENCH / ".venv-spacy" / "bin" / "python"
MB = 1_000_000
SEPARATOR = "\n\n"  # between copies: the shared files do not end with a newline


@dataclass
class Run:
    tool: str
    size_mb: int
    bytes: int
    wall_s: float
    cpu_s: float  # user + sys of the child
    peak_rss_mb: float
    returncode: int
    note: str = ""

    @property
    def mb_per_cpu_s(self) -> float:
        return self.bytes / MB / self.cpu_s if self.cpu_s > 0 else float("nan")

    @property
    def mb_per_wall_s(self) -> float:
        return self.bytes / MB / self.wall_s if self.wall_s > 0 else float("nan")


# ---------------------------------------------------------------------------------------------- corpora


def build_corpus(size_mb: int, corpus_dir: str) -> Path:
    """bench/out/corpus_<N>MB.txt: the shared files repeated (whole files, in name order) until >= N MB."""
    sources = sorted(glob.glob(os.path.join(corpus_dir, "*.txt")))
    if not sources:
        raise SystemExit(f"bench: no *.txt files in {corpus_dir}")
    stamp = {"size_mb": size_mb, "separator": SEPARATOR,
             "sources": [[os.path.basename(p), os.path.getsize(p), int(os.path.getmtime(p))] for p in sources]}
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"corpus_{size_mb}MB.txt"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists() and json.loads(meta.read_text()) == stamp:
        return path
    blobs = [Path(p).read_bytes() for p in sources]  # the shared files are small (~0.5 MB together)
    sep = SEPARATOR.encode()
    target = size_mb * MB
    written = 0
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        while written < target:
            for blob in blobs:
                if written:
                    f.write(sep)
                    written += len(sep)
                f.write(blob)
                written += len(blob)
                if written >= target:
                    break
        f.write(b"\n")
    tmp.replace(path)
    meta.write_text(json.dumps(stamp))
    return path


# ---------------------------------------------------------------------------------------------- measuring


def measure(tool: str, cmd: list[str], path: Path, size_mb: int, timeout: float, keep_stdout: bool = False,
            env: dict | None = None) -> Run:
    """Run cmd once in a fresh process and read its own rusage with os.wait4.

    stdout goes to /dev/null, or with keep_stdout (the spaCy reference's one line of counts) to bench/out/.
    """
    err_path = OUT / f"{tool}_{size_mb}MB.stderr"
    out_path = OUT / f"{tool}_{size_mb}MB.stdout" if keep_stdout else Path(os.devnull)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=OUT, env=env,
                                start_new_session=True)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            kill()
            raise
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    note = ""
    if timed_out.is_set():
        note = f"killed after {timeout:g} s timeout"
    elif proc.returncode != 0:
        tail = err_path.read_text(errors="replace").strip().splitlines()[-1:] or [""]
        note = f"exit {proc.returncode}: {tail[0][:120]}"
    elif keep_stdout:
        note = _counts(out_path.read_text(errors="replace"))
    return Run(tool=tool, size_mb=size_mb, bytes=path.stat().st_size, wall_s=wall,
               cpu_s=usage.ru_utime + usage.ru_stime, peak_rss_mb=usage.ru_maxrss * 1024 / MB,
               returncode=proc.returncode, note=note)


def _counts(stdout: str) -> str:
    """The reference's JSON line of counts, shortened for the table."""
    try:
        c = json.loads(stdout.strip().splitlines()[-1])
        return f"{c['texts']:,} texts, {c['sentences']:,} sentences, {c['tokens']:,} tokens"
    except (ValueError, IndexError, KeyError, TypeError):
        return stdout.strip()[:120]


def duban_command(path: Path) -> list[str]:
    script = Path(sys.executable).parent / "duban"
    base = [str(script)] if script.exists() else [sys.executable, "-m", "duban.cli"]
    return base + ["extract", str(path), "--format", "jsonl", "--quiet"]


def spacy_command(path: Path, unit: str) -> list[str]:
    return [str(SPACY_PYTHON), str(BENCH / "spacy_reference.py"), str(path), "--unit", unit]


def median_run(runs: list[Run]) -> Run:
    """The run with the median CPU time (the first failing run, if any failed)."""
    failed = [r for r in runs if r.returncode != 0]
    if failed:
        return failed[0]
    return sorted(runs, key=lambda r: r.cpu_s)[len(runs) // 2]


# ---------------------------------------------------------------------------------------------- context


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def snapshot() -> tuple[Path, str]:
    """Copy duban/ as it is now to bench/out/snapshot-<hash>/duban, so colleagues' edits cannot change it mid-run.

    Returns the directory to put first on PYTHONPATH and a short hash of the copied sources.
    """
    sources = sorted(p for p in (ROOT / "duban").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for p in sources:
        digest.update(str(p.relative_to(ROOT)).encode() + b"\0" + p.read_bytes() + b"\0")
    short = digest.hexdigest()[:12]
    dest = OUT / f"snapshot-{short}"
    if not dest.exists():
        tmp = OUT / f".snapshot-{short}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        for p in sources:
            target = tmp / p.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, target)
        _byte_compile(tmp)
        tmp.rename(dest)
    return dest, short


def _byte_compile(tree: Path) -> None:
    """Compile the copied duban/ to bytecode, as installing a package does, so that no run compiles its source.

    Python writes bytecode on first import by itself, unless PYTHONDONTWRITEBYTECODE is set (as on our machine):
    then every run would compile duban's source again, ~30 ms that an installed duban never spends.
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "duban")], check=True)


def export_commit(rev: str) -> tuple[Path, str]:
    """`git archive REV duban` into bench/out/commit-<sha>/: exactly the committed code, whatever the tree holds.

    A commit with a setup.py has compiled parts: they are built in the export (setup.py build_ext --inplace).
    """
    sha = git("rev-parse", "--verify", f"{rev}^{{commit}}")
    if sha == "?":
        raise SystemExit(f"bench: no commit {rev!r}")
    short = sha[:7]
    dest = OUT / f"commit-{short}"
    if not dest.exists():
        tmp = OUT / f".commit-{short}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        paths = ["duban"] + (["setup.py"] if git("ls-tree", "--name-only", sha, "setup.py") == "setup.py" else [])
        archive = subprocess.run(["git", "archive", sha, *paths], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
        if len(paths) > 1:
            build = subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"], cwd=tmp,
                                   capture_output=True, text=True)
            if build.returncode:
                raise SystemExit(f"bench: building commit {short}'s extension failed:\n{build.stderr}")
        _byte_compile(tmp)
        tmp.rename(dest)
    return dest, short


def machine() -> dict:
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": cpu, "ram": ram, "python": platform.python_version(),
            "kernel": platform.release()}


def table(runs: list[Run]) -> str:
    rows = ["| tool | size (MB) | wall s | CPU s | MB/s per core | MB/s wall | peak RSS (MB) | note |",
            "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in runs:
        ok = r.returncode == 0  # a failed or killed run has no meaningful rate
        cpu_rate, wall_rate = (f"{r.mb_per_cpu_s:.2f}", f"{r.mb_per_wall_s:.2f}") if ok else ("—", "—")
        rows.append(f"| {r.tool} | {r.bytes / MB:.1f} | {r.wall_s:.1f} | {r.cpu_s:.1f} | {cpu_rate} | "
                    f"{wall_rate} | {r.peak_rss_mb:.0f} | {'FAILED: ' if not ok else ''}{r.note} |")
    return "\n".join(rows)


# ---------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10,50,200", help="corpus sizes in MB, comma-separated (default 10,50,200)")
    ap.add_argument("--spacy", action="store_true", help="also run the spaCy reference (bench/.venv-spacy)")
    ap.add_argument("--spacy-unit", choices=("line", "paragraph"), default="line")
    ap.add_argument("--no-duban", action="store_true", help="skip duban (e.g. to re-run only the reference)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per tool and size; the median CPU run is kept")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds before one run is killed (default 1800)")
    ap.add_argument("--corpus-dir", default=DEFAULT_CORPUS)
    ap.add_argument("--build-only", action="store_true", help="build the corpora and stop")
    ap.add_argument("--commit", metavar="REV",
                    help="measure duban/ exactly as committed at REV (git archive to bench/out/commit-<sha>), "
                         "not the working tree; the dependencies are still .venv's")
    ap.add_argument("--snapshot", action="store_true",
                    help="measure a copy of duban/ taken at start (bench/out/snapshot-<hash>), not the live tree")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    if args.spacy and not SPACY_PYTHON.exists():
        print(f"bench: {SPACY_PYTHON.relative_to(ROOT)} is missing; create it with bench/setup_spacy.sh", file=sys.stderr)
        return 2

    corpora = {size: build_corpus(size, args.corpus_dir) for size in sizes}
    if args.build_only:
        for size, path in corpora.items():
            print(f"{path.relative_to(ROOT)}\t{path.stat().st_size} bytes")
        return 0

    env = None
    snap = ""
    commit = git("rev-parse", "--short", "HEAD")
    uncommitted = git("status", "--porcelain", "--", "duban").splitlines()
    if args.commit and args.snapshot:
        ap.error("--commit and --snapshot exclude each other")
    if args.commit or args.snapshot:
        if args.commit:
            code_dir, commit = export_commit(args.commit)
            uncommitted = []
        else:
            code_dir, snap = snapshot()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(code_dir), os.environ.get("PYTHONPATH")]))}
    info = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": commit,
            "duban_uncommitted": uncommitted,
            "snapshot": snap,
            "pythonpath": (env or os.environ).get("PYTHONPATH", ""),
            "machine": machine()}
    print(f"# {info['date']} · commit {info['commit']}"
          f"{f' + {len(uncommitted)} uncommitted files in duban/' if uncommitted else ''}"
          f"{f' · snapshot {snap}' if snap else ''} · "
          f"nproc {info['machine']['nproc']} · {info['machine']['cpu']} · RAM {info['machine']['ram']}",
          file=sys.stderr)

    runs: list[Run] = []
    for size, path in corpora.items():
        jobs = []
        if not args.no_duban:
            jobs.append(("duban", duban_command(path)))
        if args.spacy:
            jobs.append((f"spaCy ({args.spacy_unit})", spacy_command(path, args.spacy_unit)))
        for tool, cmd in jobs:  # one at a time: never two measurements in parallel
            print(f"$ {shlex.join(cmd)} > /dev/null", file=sys.stderr)
            tries = [measure(tool.split()[0], cmd, path, size, args.timeout, keep_stdout=tool != "duban", env=env)
                     for _ in range(max(1, args.repeat))]
            run = median_run(tries)
            run.tool = tool
            runs.append(run)
            rate = f"{run.mb_per_cpu_s:.2f} MB/s per core" if run.returncode == 0 else "FAILED"
            print(f"  {tool} {size} MB: {run.wall_s:.1f} s wall, {run.cpu_s:.1f} s CPU, "
                  f"{rate}, peak RSS {run.peak_rss_mb:.0f} MB {run.note}",
                  file=sys.stderr, flush=True)

    md = table(runs)
    if uncommitted:
        print(f"duban/ at commit {info['commit']} plus uncommitted: {'; '.join(u.strip() for u in uncommitted)}",
              file=sys.stderr)
    print(md)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (OUT / f"results-{stamp}.md").write_text(md + "\n")
    (OUT / f"results-{stamp}.json").write_text(json.dumps(
        {**info, "runs": [{**asdict(r), "mb_per_cpu_s": r.mb_per_cpu_s} for r in runs]}, indent=2))
    return 1 if any(r.returncode != 0 for r in runs) else 0


if __name__ == "__main__":
    raise SystemExit(main())
