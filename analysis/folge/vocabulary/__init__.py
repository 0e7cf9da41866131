"""One vocabulary: every problem, reason, verdict and report word, in bokmål, nynorsk and English.

The words live in data files beside this module, one per domain, in one shape (in the
spirit of pyxform's and frictionless's error catalogues)::

    CODE:
      severity: error            # optional: error, warning, quarantine …
      message: {nb: …, nn: …, en: …}
      fix: {en: …}               # optional: what to do about it

==============  ===============================================================
``problems``    checks of the definitions (``folge.definitions``)
``quarantine``  why an ingested row was quarantined or a file warned (``folge.ingest``)
``criteria``    reasons of the criteria engine; verdict, rule and status labels
``reports``     the words the reports put into tables, figures and notes; labels
==============  ===============================================================

A message is a :meth:`str.format` template; a missing language falls back to bokmål,
then English. This package sits below every other layer: anything may use it, and it
uses nothing of folge's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

__all__ = ["DOMAINS", "LANGS", "Entry", "catalogue", "message", "labels"]

#: The languages of the vocabulary.
LANGS: tuple[str, ...] = ("nb", "nn", "en")
#: The domains: one data file each (``DOMAIN.yaml`` beside this module).
DOMAINS: tuple[str, ...] = ("problems", "quarantine", "criteria", "reports")

_HERE = Path(__file__).parent


@dataclass(frozen=True)
class Entry:
    """One catalogue entry: its code, severity, message template and fix hint per language.

    >>> e = Entry("x", {"nb": "hei {name}", "en": "hello {name}"}, {"en": "say it"})
    >>> e.text("nn", name="Kari"), e.text("en", name="Kari"), e.hint("nb")
    ('hei Kari', 'hello Kari', 'say it')
    """

    code: str
    message: Mapping[str, str]
    fix: Mapping[str, str] = field(default_factory=dict)
    severity: str = ""

    def template(self, lang: str = "en") -> str:
        """The message template in ``lang`` (else bokmål, else English)."""
        return _pick(self.message, lang)

    def text(self, lang: str = "en", /, **fields) -> str:
        """The message in ``lang`` filled with ``fields`` (the bare template without fields)."""
        template = self.template(lang)
        return template.format(**fields) if fields else template

    def hint(self, lang: str = "en") -> str:
        """What to do about it, in ``lang`` (empty when the entry has no hint)."""
        return _pick(self.fix, lang) if self.fix else ""


def _pick(texts: Mapping[str, str], lang: str) -> str:
    for candidate in (lang, "nb", "en"):
        if texts.get(candidate):
            return texts[candidate]
    return next(iter(texts.values()), "")


def _texts(node, where: str) -> Mapping[str, str]:
    if node is None:
        return MappingProxyType({})
    if not isinstance(node, dict) or not all(isinstance(v, str) and k in LANGS for k, v in node.items()):
        raise ValueError(f"{where}: expected a mapping of {', '.join(LANGS)} to text (got {node!r})")
    return MappingProxyType(dict(node))


@lru_cache(maxsize=None)
def catalogue(domain: str) -> Mapping[str, Entry]:
    """Every entry of ``domain`` (one of :data:`DOMAINS`), code → :class:`Entry`, in file order."""
    if domain not in DOMAINS:
        raise ValueError(f"'domain' must be one of {', '.join(DOMAINS)} (got {domain!r})")
    from ruamel.yaml import YAML

    path = _HERE / f"{domain}.yaml"
    raw = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    entries = {}
    for code, node in raw.items():
        where = f"{path.name}: {code}"
        if not isinstance(node, dict) or "message" not in node:
            raise ValueError(f"{where}: an entry needs a 'message' (got {node!r})")
        entries[str(code)] = Entry(str(code), _texts(node["message"], where), _texts(node.get("fix"), where),
                                   str(node.get("severity", "")))
    return MappingProxyType(entries)


def message(domain: str, code: str, lang: str = "en", /, **fields) -> str:
    """The message of ``code`` in ``domain``, in ``lang``, filled with ``fields``."""
    try:
        entry = catalogue(domain)[code]
    except KeyError:
        raise KeyError(f"no entry '{code}' in the {domain} catalogue") from None
    return entry.text(lang, **fields)


def labels(domain: str, prefix: str) -> dict[str, dict[str, str]]:
    """The entries ``PREFIX.KEY`` of ``domain`` as ``{KEY: {lang: text}}`` (label tables).

    >>> labels("criteria", "verdict")["not-met"]["nn"]
    'ikkje oppfylt'
    """
    start = prefix + "."
    return {code[len(start):]: dict(entry.message) for code, entry in catalogue(domain).items()
            if code.startswith(start)}
