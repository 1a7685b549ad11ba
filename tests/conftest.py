"""Tests marked `postgres` run only when DATABASE_URL points to PostgreSQL; under CI a skipped one fails the run."""

from __future__ import annotations

import os

import pytest

POSTGRES_NEEDED = "needs PostgreSQL: set DATABASE_URL (.ci/postgres.sh starts one)"


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _on_postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    marked = [item for item in items if item.get_closest_marker("postgres")]
    if marked and not _on_postgresql():
        for item in marked:
            item.add_marker(pytest.mark.skip(reason=POSTGRES_NEEDED))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and _under_ci() and item.get_closest_marker("postgres"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"a PostgreSQL test was skipped under CI ({reason})"
