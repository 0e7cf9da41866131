"""The disclosure tests share a small synthetic study (disclosure_study.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
