"""The multi-pattern start finder, and the cache that spares each process compiling its databases."""

import os

import hyperscan
import pytest

from duban.corpus import starts
from duban.corpus.starts import StartFinder

PATTERNS = [(b"deadline", 8), (b"within \\d\\d days", 14), (b"rectif", 6)]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_starts_are_byte_offsets_in_order_without_regard_to_case():
    text = b"Rectify it: the DEADLINE is within 30 days; rectification."
    assert StartFinder(PATTERNS).starts(text) == [0, 16, 28, 44]


def test_a_compiled_database_is_cached_and_loaded_without_compiling(cache, monkeypatch):
    StartFinder(PATTERNS)
    [cached] = cache.iterdir()
    assert cached.name.startswith("hyperscan-") and cached.suffix == ".db"

    def no_compiling():
        raise AssertionError("compiled although cached")

    monkeypatch.setattr(hyperscan, "Database", no_compiling)
    assert StartFinder(PATTERNS).starts(b"the deadline") == [4]


def test_other_patterns_get_their_own_database(cache):
    StartFinder(PATTERNS)
    StartFinder(PATTERNS[:2])
    assert len(list(cache.iterdir())) == 2


def test_a_damaged_cache_file_is_compiled_again_and_replaced(cache):
    StartFinder(PATTERNS)
    [cached] = cache.iterdir()
    cached.write_bytes(b"not a database")
    assert StartFinder(PATTERNS).starts(b"within 15 days") == [0]
    assert hyperscan.loadb(cached.read_bytes(), hyperscan.HS_MODE_BLOCK) is not None


def test_a_cache_that_cannot_be_written_is_not_an_error(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache directory would be")
    monkeypatch.setenv("DUBAN_CACHE_DIR", str(blocked / "cache"))
    assert StartFinder(PATTERNS).starts(b"rectif") == [0]
    assert os.listdir(tmp_path) == ["file"]


def test_the_cache_lives_in_the_users_cache_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("DUBAN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert starts.cache_dir() == tmp_path / "duban"
