"""Reuse the tiny study of ``tests/ingest/conftest.py`` (loaded by path: tests are not a package)."""

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "folge_tests_tiny_study", Path(__file__).resolve().parents[1] / "ingest" / "conftest.py")
_tiny = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _tiny
_spec.loader.exec_module(_tiny)

_key = _tiny._key
study_root = _tiny.study_root
study = _tiny.study
tiny = _tiny.tiny
