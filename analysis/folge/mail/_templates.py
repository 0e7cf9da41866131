"""The words of each message: editable templates in ``instruments/mail/`` of the study.

One YAML file per language (``nb.yaml``, ``nn.yaml``, ``en.yaml``) with a subject and a
plain-text body per kind of message (``invitation``, ``reminder``) written with Jinja
placeholders, and ``layout.html``, the HTML frame around the same text. The HTML part is
made from the plain text (paragraphs split at blank lines, everything escaped), so the two
parts always say the same. ``{{ link }}`` must appear exactly once in a body; folge adds
the opt-out link below the text of both parts. A study made before these files existed
uses the ones folge ships.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from .._errors import FolgeError
from .._paths import defaults_dir
from ..definitions import read_yaml

__all__ = ["MAIL_DIR", "KINDS", "MailText", "MailTemplates", "MailTemplateError", "last_day_text"]

#: Relative to the study folder.
MAIL_DIR = Path("instruments") / "mail"
KINDS = ("invitation", "reminder")
_LINK = "\ue000link\ue000"  # a private-use marker no template text contains
_FALLBACK = ("nb", "en")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")


class MailTemplateError(FolgeError):
    """A mail template that cannot be used (missing, unreadable, or without exactly one link)."""


@dataclass(frozen=True)
class MailText:
    """One message's words: subject, plain text and HTML, in ``lang``."""

    lang: str
    subject: str
    text: str
    html: str


def last_day_text(closes: dt.datetime | None, lang: str) -> str:
    """The last day a wave takes answers (the day before an exclusive ``closes`` at midnight).

    Examples
    --------
    >>> from zoneinfo import ZoneInfo
    >>> closes = dt.datetime(2026, 4, 1, tzinfo=ZoneInfo("Europe/Oslo"))
    >>> last_day_text(closes, "nb"), last_day_text(closes, "en")
    ('31.03.2026', '31 March 2026')
    """
    if closes is None:
        return ""
    day = (closes - dt.timedelta(microseconds=1)).date()
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}" if lang == "en" else day.strftime("%d.%m.%Y")


def _paragraph_html(paragraph: str, anchor: str) -> str:
    """One paragraph as HTML: escaped, its lines joined by spaces (the text's own wrapping is
    not the reader's), except that the link stands on a line of its own."""
    lines = [html.escape(line.strip()) for line in paragraph.strip().split("\n")]
    out = lines[0]
    for before, line in zip(lines, lines[1:]):
        out += ("<br>\n" if _LINK in (before, line) else " ") + line
    return out.replace(_LINK, anchor)


class MailTemplates:
    """The templates of the study at ``root`` (else the shipped ones), read once."""

    def __init__(self, root: str | Path):
        folder = Path(root) / MAIL_DIR
        self.folder = folder if (folder / "layout.html").exists() else defaults_dir() / MAIL_DIR
        self._text_env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False,
                                            keep_trailing_newline=False)
        self._html_env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True,
                                            loader=jinja2.FileSystemLoader(str(self.folder)))
        self._languages: dict[str, dict] = {}

    def _language(self, lang: str) -> tuple[str, dict]:
        for candidate in (lang, *_FALLBACK):
            if candidate not in self._languages:
                path = self.folder / f"{candidate}.yaml"
                if not path.exists():
                    continue
                doc = read_yaml(path)
                if doc.error or not isinstance(doc.data, dict):
                    raise MailTemplateError(f"{path}:{doc.error_line}: cannot read the mail template "
                                            f"({doc.error or 'not a mapping'})")
                self._languages[candidate] = {"path": path, "data": doc.data}
            return candidate, self._languages[candidate]
        raise MailTemplateError(f"no mail templates in {self.folder} (nb.yaml, nn.yaml, en.yaml)")

    def check(self, kinds_and_languages) -> None:
        """Render each ``(kind, lang)`` once with sample values, so a broken template stops a
        run before anything is sent (and a dry run finds it too).

        Raises
        ------
        MailTemplateError
            As :meth:`render` does.
        """
        sample = {"name": "Kari Nordmann", "programme": "P", "region": "R", "wave": "W", "closes": "31.12.2030"}
        for kind, lang in sorted(set(kinds_and_languages)):
            self.render(kind, lang, sample, link="https://example.org/s/TOKEN",
                        optout_url="https://example.org/optout/ID")

    def render(self, kind: str, lang: str, context: dict, link: str, optout_url: str) -> MailText:
        """The subject, plain text and HTML of a ``kind`` message in ``lang`` (else nb, else en).

        Raises
        ------
        MailTemplateError
            When the template lacks the kind, a key, or has ``{{ link }}`` other than once.
        """
        if kind not in KINDS:
            raise ValueError(f"'kind' must be one of {', '.join(KINDS)} (got {kind!r})")
        lang, entry = self._language(lang)
        data, path = entry["data"], entry["path"]
        part = data.get(kind)
        words = {key: data.get(key) for key in ("link_text", "optout_text", "optout_link_text")}
        if not isinstance(part, dict) or not part.get("subject") or not part.get("body") or not all(words.values()):
            raise MailTemplateError(f"{path}: needs {kind}.subject, {kind}.body, link_text, optout_text "
                                    "and optout_link_text")
        try:
            subject = " ".join(self._text_env.from_string(str(part["subject"])).render(context).split())
            body = self._text_env.from_string(str(part["body"])).render({**context, "link": _LINK}).strip()
        except jinja2.TemplateError as exc:
            raise MailTemplateError(f"{path}: {kind}: {exc}") from None
        if body.count(_LINK) != 1:
            raise MailTemplateError(f"{path}: {kind}.body must contain {{{{ link }}}} exactly once "
                                    f"(found {body.count(_LINK)})")
        text = (body.replace(_LINK, link) + f"\n\n-- \n{words['optout_text']}\n"
                f"{words['optout_link_text']}: {optout_url}\n")
        anchor = f'<a href="{html.escape(link)}" style="color:#0b5394;font-weight:bold;">' \
                 f'{html.escape(str(words["link_text"]))}</a>'
        paragraphs = [Markup(_paragraph_html(p, anchor)) for p in body.split("\n\n") if p.strip()]
        page = self._html_env.get_template("layout.html").render(
            lang=lang, subject=subject, paragraphs=paragraphs, optout_url=optout_url,
            optout_text=words["optout_text"], optout_link_text=words["optout_link_text"])
        return MailText(lang, subject, text, page)
