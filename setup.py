"""Build hook: compile the matching hot path with mypyc (and one numeric loop with Cython).

Scoring a candidate walks small dicts, sets and tuples of interned tokens; the CPython interpreter
spends most of that time dispatching, and the same fully typed code compiled by mypyc (already the
project's type checker) scores a candidate about twice as fast (a whole query, about 1.4 times:
``bench/speed.py`` says which build it measured). The compiled modules sit next to their
sources (an editable install builds them in place), and ``matcher/__init__.py`` refuses to run a
compiled module older than its source.

``MATCHER_COMPILE=0`` builds pure Python, which behaves identically; so does a machine without a C
compiler (each extension is optional).
"""

from __future__ import annotations

import os

from setuptools import setup

# The modules that run once per candidate or per token (scoring, retrieval, normalisation):
# everything else is not worth compiling.
COMPILED = [
    "matcher/score.py",
    "matcher/normalize/names.py",
    "matcher/normalize/phonetic.py",
    "matcher/normalize/nicknames.py",
    "matcher/normalize/text.py",
    "matcher/normalize/translit.py",
    "matcher/index.py",
]

# Loops over numpy arrays, written in Cython's pure-Python mode: mypyc would box every element.
CYTHON = ["matcher/kernels.py"]

ext_modules = []
if os.environ.get("MATCHER_COMPILE", "1") != "0":
    from Cython.Build import cythonize
    from mypyc.build import mypycify

    # The isolated build environment lacks the runtime dependencies, so their imports are untyped
    # there: a "type: ignore" that mypy --strict needs against the real packages is unused here.
    ext_modules = mypycify(["--no-warn-unused-ignores", *COMPILED], opt_level="3", group_name="matcher")
    # Record ids and slots come from the index's own tables, which are sized together when it is
    # built, so per-element bounds checks only cost time.
    ext_modules += cythonize(
        CYTHON,
        compiler_directives={"language_level": 3, "boundscheck": False, "wraparound": False},
        quiet=True,
    )
    for ext in ext_modules:
        ext.optional = True

setup(ext_modules=ext_modules)
