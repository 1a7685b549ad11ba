"""Profile `duban extract FILE --format jsonl --quiet` with cProfile and list the hotspots.

    .venv/bin/python bench/profile_extract.py              # the 10 MB corpus of extract_throughput.py
    .venv/bin/python bench/profile_extract.py --size 1 --top 30

Runs the CLI in this process under cProfile (output to /dev/null), saves bench/out/profile_<N>MB.prof
(open it with `python -m pstats` or snakeviz) and prints three lists:

1. duban functions by "own time + C calls": a function's own time plus the time of the C functions it
   calls directly (regex search/match/findall/sub, str methods, Counter, ...) and of the `re` module's
   helpers (`re.search(pattern_string, ...)`, whole). cProfile books the time of `re.Pattern.search` to
   the pattern method, not to the caller; this puts it back where it is spent;
2. the C functions themselves by own time, with their heaviest duban caller;
3. duban functions by cumulative time.

cProfile slows Python-level calls more than C calls, so shares are indicative: rank, not exact seconds.
"""

from __future__ import annotations

import argparse
import cProfile
import contextlib
import os
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from extract_throughput import DEFAULT_CORPUS, OUT, ROOT, build_corpus, export_commit, git, snapshot  # noqa: E402

Func = tuple[str, int, str]  # (file, line, name) as pstats keys them


def label(func: Func) -> str:
    file, line, name = func
    if file == "~" or line == 0:
        return name  # a C function: "<method 'search' of 're.Pattern' objects>"
    path = Path(file)
    if "duban" in path.parts and "site-packages" not in path.parts:  # the live tree or a snapshot of it
        parts = path.parts
        return f"{Path(*parts[len(parts) - 1 - parts[::-1].index('duban'):])}:{line}({name})"
    try:
        path = path.resolve().relative_to(ROOT)
    except ValueError:
        parts = path.parts
        path = Path(*parts[parts.index("site-packages") + 1:]) if "site-packages" in parts else Path(path.name)
    return f"{path}:{line}({name})"


def is_duban(func: Func) -> bool:
    return f"{os.sep}duban{os.sep}" in func[0] and "site-packages" not in func[0]


def is_c(func: Func) -> bool:
    return func[0] == "~" or func[1] == 0


def is_re_wrapper(func: Func) -> bool:
    """re.search, re.findall, re.sub, re._compile, ...: the module-level helpers around compiled patterns."""
    return Path(func[0]).parent.name == "re" and Path(func[0]).name == "__init__.py"


def report(stats: pstats.Stats, top: int, total: float) -> str:
    raw = stats.stats  # func -> (primitive calls, calls, own time, cumulative time, callers)
    own_plus_c: dict[Func, float] = defaultdict(float)
    c_by_caller: dict[Func, dict[Func, float]] = defaultdict(dict)
    for func, (_, _, tt, _, callers) in raw.items():
        if is_re_wrapper(func):  # re.search(...) called with a pattern string: book all of it to the caller
            for caller, (_, _, _, cct) in callers.items():
                if not is_re_wrapper(caller):
                    own_plus_c[caller] += cct
            continue
        if not is_c(func):
            own_plus_c[func] += tt
            continue
        for caller, (_, _, ctt, _) in callers.items():
            own_plus_c[caller] += ctt
            c_by_caller[func][caller] = ctt
    pct = lambda s: f"{100 * s / total:5.1f}%"  # noqa: E731
    lines = [f"total profiled time: {total:.2f} s", "",
             "## duban functions by own time + the C calls they make directly", "",
             "| # | function | seconds | share |", "|---:|---|---:|---:|"]
    ranked = sorted(((t, f) for f, t in own_plus_c.items() if is_duban(f)), reverse=True)[:top]
    for i, (t, f) in enumerate(ranked, 1):
        lines.append(f"| {i} | `{label(f)}` | {t:.2f} | {pct(t)} |")
    lines += ["", "## C functions by own time, with their heaviest caller", "",
              "| # | C function | calls | seconds | share | heaviest caller (its share of this) |",
              "|---:|---|---:|---:|---:|---|"]
    cfuncs = sorted(((v[2], f) for f, v in raw.items() if is_c(f)), reverse=True)[:top]
    for i, (t, f) in enumerate(cfuncs, 1):
        callers = c_by_caller.get(f) or {}
        heavy = max(callers.items(), key=lambda kv: kv[1], default=None)
        who = f"`{label(heavy[0])}` ({100 * heavy[1] / t:.0f}%)" if heavy and t else ""
        if heavy and is_re_wrapper(heavy[0]):  # say who called re.search(...)
            up = [(c, v[3]) for c, v in raw[heavy[0]][4].items() if not is_re_wrapper(c)]
            if up:
                top_caller = max(up, key=lambda kv: kv[1])
                who += f", mostly from `{label(top_caller[0])}`"
        lines.append(f"| {i} | `{label(f)}` | {raw[f][1]:,} | {t:.2f} | {pct(t)} | {who} |")
    lines += ["", "## duban functions by cumulative time", "",
              "| # | function | calls | cumulative s | share |", "|---:|---|---:|---:|---:|"]
    cum = sorted(((v[3], f) for f, v in raw.items() if is_duban(f)), reverse=True)[:top]
    for i, (t, f) in enumerate(cum, 1):
        lines.append(f"| {i} | `{label(f)}` | {raw[f][1]:,} | {t:.2f} | {pct(t)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=10, help="corpus size in MB (default 10)")
    ap.add_argument("--file", help="profile this file instead of a built corpus")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--corpus-dir", default=DEFAULT_CORPUS)
    ap.add_argument("--commit", metavar="REV", help="profile duban/ as committed at REV (as extract_throughput.py --commit)")
    ap.add_argument("--snapshot", action="store_true", help="profile a copy of duban/ (as extract_throughput.py --snapshot)")
    args = ap.parse_args(argv)
    path = Path(args.file) if args.file else build_corpus(args.size, args.corpus_dir)
    where = f"commit {git('rev-parse', '--short', 'HEAD')}"
    uncommitted = git("status", "--porcelain", "--", "duban").splitlines()
    if uncommitted:
        where += f" + uncommitted: {'; '.join(u.strip() for u in uncommitted)}"
    if args.commit:
        code_dir, short = export_commit(args.commit)
        sys.path.insert(0, str(code_dir))
        where = f"commit {short} (exported with git archive)"
    elif args.snapshot:
        snap_dir, snap = snapshot()
        sys.path.insert(0, str(snap_dir))
        where += f" · snapshot {snap}"

    from duban.cli import main as duban_main

    profiler = cProfile.Profile()
    start = time.perf_counter()
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        profiler.enable()
        try:
            code = duban_main(["extract", str(path), "--format", "jsonl", "--quiet"])
        finally:
            profiler.disable()
    wall = time.perf_counter() - start
    OUT.mkdir(parents=True, exist_ok=True)
    name = f"profile_{args.size}MB" if not args.file else f"profile_{Path(args.file).stem}"
    profiler.dump_stats(OUT / f"{name}.prof")
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    text = (f"# cProfile of `duban extract {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
            f"--format jsonl --quiet` ({path.stat().st_size / 1e6:.1f} MB, {wall:.1f} s wall under the profiler, "
            f"exit {code})\n\nduban: {where} ({Path(sys.modules['duban'].__file__).parent})\n\n"
            + report(stats, args.top, total))
    (OUT / f"{name}.md").write_text(text + "\n")
    print(text)
    return 0 if code == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
