"""A progress bar on stderr for long runs (files and bytes); silent when stderr is not a terminal."""

from __future__ import annotations

import os
import sys


class Progress:
    """Counts files and bytes read; draws with rich only when enabled and stderr is a terminal."""

    def __init__(self, paths: list[str], enabled: bool = True):
        self._enabled = enabled and sys.stderr.isatty()
        self._paths = paths
        self._bar = None

    def __enter__(self) -> "Progress":
        if self._enabled:
            from rich.progress import BarColumn, DownloadColumn, Progress as Bar, TextColumn, TimeRemainingColumn

            total = sum(os.path.getsize(p) for p in self._paths if os.path.isfile(p))
            self._bar = Bar(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                            transient=True, console=_stderr_console())
            self._bar.start()
            self._task = self._bar.add_task(f"0/{len(self._paths)} files", total=total)
            self._done_files = 0
            self._done_bytes = 0
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()

    @property
    def drawing(self) -> bool:
        """Whether a bar is shown (when not, nothing needs to count bytes for it)."""
        return self._bar is not None

    def advance(self, nbytes: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, nbytes)

    def file_done(self, path: str) -> None:
        if self._bar is not None:
            self._done_files += 1
            self._done_bytes += os.path.getsize(path) if os.path.isfile(path) else 0
            self._bar.update(self._task, completed=self._done_bytes, description=f"{self._done_files}/{len(self._paths)} files")

    def print(self, message: str) -> None:
        if self._bar is not None:
            self._bar.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=sys.stderr)


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)
