"""Stage 1 of loading definitions: read a YAML file and keep line numbers.

ruamel.yaml's round-trip loader attaches positions to every mapping and sequence; the
helpers here turn those into 1-based line numbers so that each problem can say where it is.

Parsing is slow (pure Python, about a tenth of a second for an instrument) and one command
reads the same files many times (``load_study`` reads every instrument, the checks read
the study file again), so parsed documents are kept by their text: a file read again with
the very same text gets a deep copy of the earlier result (line numbers included) instead
of a new parse. Keying on the text, not on the file's time stamp, cannot serve a stale
document, however quickly a file is rewritten.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

__all__ = ["Document", "read_yaml", "line_of", "plain"]


@dataclass(frozen=True)
class Document:
    """A YAML file as read: its path, its data (or ``None``) and a syntax error, if any."""

    path: Path
    data: Any
    error: str | None = None
    error_line: int = 1


class _DatesAsText(RoundTripConstructor):
    """Keeps dates as text, so the checks can report a bad one with its line instead of
    the parser failing on it (and the checks decide what a valid date is)."""


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def _yaml_reader() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _DatesAsText
    return yaml


#: Parsed documents kept, most recently used last (text → data).
_PARSED: OrderedDict[str, Any] = OrderedDict()
_PARSED_MAX = 256
_PARSED_LOCK = threading.Lock()


def _parse(text: str) -> Any:
    """``text`` parsed (a deep copy of a kept parse when the same text was parsed before)."""
    with _PARSED_LOCK:
        kept = _PARSED.get(text)
        if kept is not None:
            _PARSED.move_to_end(text)
    if kept is None:
        kept = _yaml_reader().load(text)
        if kept is None:
            return None
        with _PARSED_LOCK:
            _PARSED[text] = kept
            while len(_PARSED) > _PARSED_MAX:
                _PARSED.popitem(last=False)
    return copy.deepcopy(kept)


def read_yaml(path: str | Path) -> Document:
    """Read ``path`` as YAML, keeping line numbers; never raises on bad syntax.

    A file that cannot be opened or parsed comes back with ``data=None`` and the parser's
    message and line in ``error`` and ``error_line``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Document(path, None, "file not found", 1)
    except UnicodeDecodeError as exc:
        return Document(path, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})", 1)
    try:
        data = _parse(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        return Document(path, None, f"{exc.problem or exc.context}", line)
    except YAMLError as exc:  # pragma: no cover - other parser errors carry no mark
        return Document(path, None, str(exc).splitlines()[0], 1)
    return Document(path, data)


def line_of(node: Any, key: Any = None, default: int = 1) -> int:
    """1-based line of ``node`` or, when ``key`` is given, of that key (or index) inside it."""
    if isinstance(node, (CommentedMap, CommentedSeq)):
        try:
            if key is None:
                return node.lc.line + 1
            if isinstance(node, CommentedMap):
                return node.lc.key(key)[0] + 1
            return node.lc.item(key)[0] + 1
        except (KeyError, IndexError, TypeError, AttributeError):
            return node.lc.line + 1 if node.lc.line is not None else default
    return default


def plain(node: Any) -> Any:
    """``node`` with ruamel's commented containers turned into plain dicts and lists."""
    if isinstance(node, dict):
        return {plain(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node
