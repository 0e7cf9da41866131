"""Printable questionnaires: every instrument in every language, as HTML and PDF.

They go through the same templates and renderer as the reports (``questionnaire.qmd.j2``):
numbered questions with a box per answer, "don't know" included, lines for free text. Used
for answering on paper and as the attachment to the data-protection notification.
"""

from __future__ import annotations

from ._documents import Edition, Templates, front_matter, provenance
from ._i18n import t

__all__ = ["questionnaire_qmd"]


def questionnaire_qmd(ed: Edition, templates: Templates, instrument, lang: str) -> str:
    parts, number_ = [], 0
    for k, construct in enumerate(instrument.constructs, start=1):
        parts.append(f"## {t('part', lang, k=k)}\n")
        for item in construct.items:
            number_ += 1
            parts.append(f"**{number_}.** {item.text.get_lang(lang)}\n")
            scale = item.scale
            if scale.is_numeric:
                options = [scale.label(v, lang) for v in scale.values] + [m.get_lang(lang) for m in scale.missing.values()]
                parts.append("\n".join(f"- ☐ {o}" for o in options) + "\n")
            else:
                parts.append(f"*{t('q_free_text', lang)}*\n\n" + "\\\n".join(["\\_" * 60] * 3) + "\n")
    blocks = {"intro": instrument.intro.get_lang(lang) if len(instrument.intro) else "", "questions": "\n".join(parts)}
    doc = front_matter("questionnaire", f"{instrument.id}.{lang}", instrument.title.get_lang(lang), lang, ed,
                 subtitle=f"{t('title_questionnaire', lang)}, {t('version', lang).lower()} {instrument.version}")
    return templates.render("questionnaire", lang, doc=doc, study=ed.study, b=blocks, ref={},
                            prov=provenance(ed, lang))
