"""The one compiled part of duban, the splitter's topic-shift measure; everything else is in pyproject.toml."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("duban.corpus._topics", ["duban/corpus/_topics.c"], extra_compile_args=["-O2"])])
