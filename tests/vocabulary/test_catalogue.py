"""The one vocabulary: every domain loads, every entry is complete, translations agree on their fields."""

import string

import pytest

from folge.vocabulary import DOMAINS, LANGS, Entry, catalogue, labels, message


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_entry_has_a_message_and_translations_share_their_fields(domain):
    entries = catalogue(domain)
    assert entries
    for code, entry in entries.items():
        assert entry.code == code and entry.message, code
        assert set(entry.message) <= set(LANGS)
        fields = {lang: _fields(text) for lang, text in entry.message.items()}
        assert len({frozenset(f) for f in fields.values()}) == 1, (code, fields)


def test_languages_each_domain_promises():
    for entry in catalogue("reports").values():
        assert set(entry.message) == {"nb", "nn", "en"}, entry.code
    for entry in catalogue("criteria").values():
        assert {"nb", "en"} <= set(entry.message), entry.code


@pytest.mark.parametrize("domain", ["problems", "quarantine"])
def test_errors_carry_a_severity_and_a_fix_hint(domain):
    for entry in catalogue(domain).values():
        assert entry.severity in {"error", "warning", "quarantine"}, entry.code
        assert entry.hint("en"), entry.code
        assert entry.hint("nb") == entry.hint("en")  # no bokmål hint yet: falls back to English


def test_message_fills_and_falls_back():
    assert message("criteria", "gate-no-report", "nn", who="Agder", wave="2016-1") == \
        "ingen statusrapport fra Agder i bølge 2016-1"
    assert message("quarantine", "no-answers", "nb").startswith("the row has no answers")
    assert labels("criteria", "verdict")["partly-met"] == {"nb": "delvis oppfylt", "nn": "delvis oppfylt",
                                                          "en": "partly met"}
    with pytest.raises(KeyError, match="no entry 'nope' in the reports catalogue"):
        message("reports", "nope")
    with pytest.raises(ValueError, match="'domain' must be one of"):
        catalogue("web")


def test_consumers_read_the_catalogue():
    from folge.criteria import REASONS, VERDICT_LABELS
    from folge.definitions import CATALOGUE
    from folge.ingest import CODES, WARNINGS
    from folge.reports._i18n import STRINGS

    assert CATALOGUE["bad-date"] == ("error", catalogue("problems")["bad-date"].template())
    assert set(CODES) | set(WARNINGS) == set(catalogue("quarantine"))
    assert REASONS["gate-n"] == tuple(catalogue("criteria")["gate-n"].template(lang) for lang in ("nb", "en"))
    assert VERDICT_LABELS["not-met"] == ("ikke oppfylt", "not met")
    assert STRINGS["care"] == dict(catalogue("reports")["care"].message)
    assert isinstance(catalogue("problems")["bad-date"], Entry)
