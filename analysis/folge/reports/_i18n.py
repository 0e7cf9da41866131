"""Every user-facing string of the reports in bokmål, nynorsk and English, in one place.

Templates in ``reports/templates/`` hold the prose an evaluator edits; the strings here are
the words the Python side puts into tables, figures and alt texts. ``t(key, lang, **kw)``
formats one; ``number(x, lang)`` writes numbers the Norwegian way (decimal comma).
"""

from __future__ import annotations

import math

__all__ = ["LANGS", "STRINGS", "t", "number", "percent", "label_of", "SECTOR_LABELS", "TARGET_LABELS",
           "STAGE_LABELS", "VERDICT_LABELS", "VERDICT_SYMBOLS"]

LANGS: tuple[str, ...] = ("nb", "nn", "en")

STRINGS: dict[str, dict[str, str]] = {
    "suppressed": {"nb": "for få svar", "nn": "for få svar", "en": "too few answers"},
    "national": {"nb": "Hele landet", "nn": "Heile landet", "en": "National"},
    "region": {"nb": "Region", "nn": "Region", "en": "Region"},
    "all_roles": {"nb": "Alle roller", "nn": "Alle roller", "en": "All roles"},
    "role": {"nb": "Rolle", "nn": "Rolle", "en": "Role"},
    "wave": {"nb": "Bølge", "nn": "Bølgje", "en": "Wave"},
    "waves": {"nb": "Bølger", "nn": "Bølgjer", "en": "Waves"},
    "construct": {"nb": "Område", "nn": "Område", "en": "Construct"},
    "criterion": {"nb": "Suksesskriterium", "nn": "Suksesskriterium", "en": "Success criterion"},
    "verdict": {"nb": "Vurdering", "nn": "Vurdering", "en": "Verdict"},
    "value": {"nb": "Verdi", "nn": "Verdi", "en": "Value"},
    "threshold": {"nb": "Terskel", "nn": "Terskel", "en": "Threshold"},
    "reason": {"nb": "Begrunnelse", "nn": "Grunngjeving", "en": "Reason"},
    "mean": {"nb": "Snitt", "nn": "Snitt", "en": "Mean"},
    "ci": {"nb": "95 % KI", "nn": "95 % KI", "en": "95% CI"},
    "n": {"nb": "n", "nn": "n", "en": "n"},
    "invited": {"nb": "Invitert", "nn": "Invitert", "en": "Invited"},
    "responded": {"nb": "Svart", "nn": "Svart", "en": "Responded"},
    "rate": {"nb": "Svarprosent", "nn": "Svarprosent", "en": "Response rate"},
    "change": {"nb": "Endring", "nn": "Endring", "en": "Change"},
    "from_wave": {"nb": "Fra bølge", "nn": "Frå bølgje", "en": "From wave"},
    "to_wave": {"nb": "Til bølge", "nn": "Til bølgje", "en": "To wave"},
    "hedges_g": {"nb": "Effekt (g)", "nn": "Effekt (g)", "en": "Effect (g)"},
    "p_adj": {"nb": "p (Holm)", "nn": "p (Holm)", "en": "p (Holm)"},
    "instrument": {"nb": "Instrument", "nn": "Instrument", "en": "Instrument"},
    "version": {"nb": "Versjon", "nn": "Versjon", "en": "Version"},
    "level": {"nb": "Nivå", "nn": "Nivå", "en": "Level"},
    "level_respondent": {"nb": "hver deltaker", "nn": "kvar deltakar", "en": "each respondent"},
    "level_region": {"nb": "én per region", "nn": "éin per region", "en": "one per region"},
    "date": {"nb": "Dato", "nn": "Dato", "en": "Date"},
    "items_k": {"nb": "Spørsmål", "nn": "Spørsmål", "en": "Items"},
    "alpha": {"nb": "Alfa", "nn": "Alfa", "en": "Alpha"},
    "omega": {"nb": "Omega", "nn": "Omega", "en": "Omega"},
    "model": {"nb": "Modell", "nn": "Modell", "en": "Model"},
    "caption_invariance": {"nb": "Modell (invarians)", "nn": "Modell (invarians)", "en": "Measurement invariance"},
    "holds": {"nb": "Holder", "nn": "Held", "en": "Holds"},
    "yes": {"nb": "ja", "nn": "ja", "en": "yes"},
    "no": {"nb": "nei", "nn": "nei", "en": "no"},
    "estimate": {"nb": "Stigning per bølge", "nn": "Stiging per bølgje", "en": "Slope per wave"},
    "retention": {"nb": "Andel som svarte igjen", "nn": "Del som svarte att", "en": "Retention"},
    "stage": {"nb": "Steg", "nn": "Steg", "en": "Stage"},
    "share": {"nb": "Andel", "nn": "Del", "en": "Share"},
    "from_sector": {"nb": "Hvem stoler (sektor)", "nn": "Kven stolar (sektor)", "en": "Who trusts (sector)"},
    "to_sector": {"nb": "på hvem", "nn": "på kven", "en": "whom"},
    "fig_prefix": {"nb": "Figur", "nn": "Figur", "en": "Figure"},
    "tbl_prefix": {"nb": "Tabell", "nn": "Tabell", "en": "Table"},
    "care": {"nb": "Les med varsomhet", "nn": "Les med varsemd", "en": "Read with care"},
    "no_data": {"nb": "Ingen resultater å vise for denne bølgen.",
                "nn": "Ingen resultat å vise for denne bølgja.",
                "en": "No results to show for this wave."},
    "region_too_few": {
        "nb": "For få har svart i {region} til at resultater for regionen kan vises. Figurene viser bare landet.",
        "nn": "For få har svart i {region} til at resultat for regionen kan visast. Figurane viser berre landet.",
        "en": "Too few people answered in {region} for its results to be shown. The figures show the national results only."},
    "role_breakdown_hidden": {
        "nb": "Resultater per rolle vises ikke for {region}: minst én rolle har færre enn {min_n} svar.",
        "nn": "Resultat per rolle blir ikkje viste for {region}: minst éi rolle har færre enn {min_n} svar.",
        "en": "Results by role are not shown for {region}: at least one role has fewer than {min_n} answers."},
    # provenance
    "prov_title": {"nb": "Om dokumentet", "nn": "Om dokumentet", "en": "About this document"},
    "prov_snapshot": {"nb": "Datagrunnlag (SHA-256)", "nn": "Datagrunnlag (SHA-256)", "en": "Data snapshot (SHA-256)"},
    "prov_instruments": {"nb": "Instrumentversjoner", "nn": "Instrumentversjonar", "en": "Instrument versions"},
    "prov_toolkit": {"nb": "Verktøy", "nn": "Verktøy", "en": "Toolkit"},
    "prov_analysed": {"nb": "Analysert", "nn": "Analysert", "en": "Analysed"},
    "prov_edition": {"nb": "Utgave per bølge", "nn": "Utgåve per bølgje", "en": "Edition as of wave"},
    "prov_licence": {"nb": "Lisens", "nn": "Lisens", "en": "Licence"},
    "prov_min_n": {"nb": "Prikkegrense", "nn": "Prikkegrense", "en": "Disclosure threshold"},
    # titles of documents
    "title_national": {"nb": "Nasjonal rapport", "nn": "Nasjonal rapport", "en": "National report"},
    "title_region": {"nb": "Regionrapport: {region}", "nn": "Regionrapport: {region}", "en": "Region report: {region}"},
    "title_methods": {"nb": "Metodevedlegg", "nn": "Metodevedlegg", "en": "Methods appendix"},
    "title_index": {"nb": "Rapporter og åpne data", "nn": "Rapportar og opne data", "en": "Reports and open data"},
    "title_questionnaire": {"nb": "Spørreskjema", "nn": "Spørjeskjema", "en": "Questionnaire"},
    # figure captions and alt texts
    "cap_trend": {"nb": "Utvikling over tid, {scope} ({instrument})", "nn": "Utvikling over tid, {scope} ({instrument})",
                  "en": "Change over time, {scope} ({instrument})"},
    "alt_trend": {"nb": "Linjediagram med snitt og 95 % konfidensintervall per bølge for {k} områder. {finding}",
                  "nn": "Linjediagram med snitt og 95 % konfidensintervall per bølgje for {k} område. {finding}",
                  "en": "Line chart of means with 95% confidence intervals per wave for {k} constructs. {finding}"},
    "alt_trend_up": {"nb": "Størst økning: {construct}, fra {a} til {b}.",
                     "nn": "Størst auke: {construct}, frå {a} til {b}.",
                     "en": "Largest increase: {construct}, from {a} to {b}."},
    "alt_trend_down": {"nb": "Størst nedgang: {construct}, fra {a} til {b}.",
                       "nn": "Størst nedgang: {construct}, frå {a} til {b}.",
                       "en": "Largest decrease: {construct}, from {a} to {b}."},
    "alt_trend_one": {"nb": "Bare én bølge: høyest snitt har {construct} ({a}), lavest {low} ({b}).",
                      "nn": "Berre éi bølgje: høgast snitt har {construct} ({a}), lågast {low} ({b}).",
                      "en": "One wave only: highest mean {construct} ({a}), lowest {low} ({b})."},
    "alt_trend_region": {"nb": "Den stiplede linjen er landet; regionen ligger over landet på {above} av {k} områder i siste bølge.",
                         "nn": "Den stipla linja er landet; regionen ligg over landet på {above} av {k} område i siste bølgje.",
                         "en": "The dashed line is the national result; the region is above it on {above} of {k} constructs in the latest wave."},
    "cap_items": {"nb": "Svarfordeling per spørsmål, {scope}, bølge {wave} ({scale})",
                  "nn": "Svarfordeling per spørsmål, {scope}, bølgje {wave} ({scale})",
                  "en": "Answers per item, {scope}, wave {wave} ({scale})"},
    "alt_items": {"nb": "Stolpediagram med uenige svar til venstre og enige til høyre for {k} spørsmål. Mest enighet: «{top}» ({top_share} enige). Minst enighet: «{bottom}» ({bottom_share} enige).",
                  "nn": "Stolpediagram med usamde svar til venstre og samde til høgre for {k} spørsmål. Mest semje: «{top}» ({top_share} samde). Minst semje: «{bottom}» ({bottom_share} samde).",
                  "en": "Bar chart with disagreeing answers to the left and agreeing to the right for {k} items. Most agreement: \"{top}\" ({top_share} agree). Least agreement: \"{bottom}\" ({bottom_share} agree)."},
    "cap_trust": {"nb": "Tillit mellom sektorer, {scope}, bølge {wave}", "nn": "Tillit mellom sektorar, {scope}, bølgje {wave}",
                  "en": "Trust between sectors, {scope}, wave {wave}"},
    "alt_trust": {"nb": "Rutenett der radene er sektoren som svarer og kolonnene hvem de stoler på, med snittet skrevet i hver rute. Høyest tillit: {hi_from} til {hi_to} ({hi}). Lavest: {lo_from} til {lo_to} ({lo}).",
                  "nn": "Rutenett der radene er sektoren som svarar og kolonnane kven dei stolar på, med snittet skrive i kvar rute. Høgast tillit: {hi_from} til {hi_to} ({hi}). Lågast: {lo_from} til {lo_to} ({lo}).",
                  "en": "Grid whose rows are the answering sector and columns whom they trust, with the mean printed in each cell. Highest trust: {hi_from} in {hi_to} ({hi}). Lowest: {lo_from} in {lo_to} ({lo})."},
    "cap_chain": {"nb": "Læringskjeden, {scope}, bølge {wave}", "nn": "Læringskjeda, {scope}, bølgje {wave}",
                  "en": "The learning chain, {scope}, wave {wave}"},
    "alt_chain": {"nb": "Trakt med andelen som har lært, delt og tatt i bruk noe fra læringsnettverket: {stages}.",
                  "nn": "Trakt med delen som har lært, delt og teke i bruk noko frå læringsnettverket: {stages}.",
                  "en": "Funnel of the share who learned, shared and used something from the learning network: {stages}."},
    "legend_region": {"nb": "Regionen", "nn": "Regionen", "en": "Region"},
    "legend_national": {"nb": "Landet", "nn": "Landet", "en": "National"},
    "axis_mean": {"nb": "Snitt", "nn": "Snitt", "en": "Mean"},
    "axis_share": {"nb": "Andel av svarene", "nn": "Del av svara", "en": "Share of answers"},
    # care notes
    "care_alpha": {"nb": "{construct}: reliabiliteten (alfa {alpha}) er under kravet på {bar} i bølge {wave}.",
                   "nn": "{construct}: reliabiliteten (alfa {alpha}) er under kravet på {bar} i bølgje {wave}.",
                   "en": "{construct}: reliability (alpha {alpha}) is below the bar of {bar} in wave {wave}."},
    "care_invariance": {"nb": "{construct}: målingen er ikke likeverdig over tid ({model} invarians holder ikke), så endring må tolkes forsiktig.",
                        "nn": "{construct}: målinga er ikkje likeverdig over tid ({model} invarians held ikkje), så endring må tolkast varsamt.",
                        "en": "{construct}: the measurement is not equivalent over time ({model} invariance does not hold), so change must be read with care."},
    "care_rwg": {"nb": "{construct}: deltakerne i regionen er lite samstemte (rwg {rwg} under {bar}), så regionsnittet skjuler store forskjeller.",
                 "nn": "{construct}: deltakarane i regionen er lite samstemte (rwg {rwg} under {bar}), så regionsnittet løyner store skilnader.",
                 "en": "{construct}: respondents in the region agree little (rwg {rwg} below {bar}), so the region mean hides large differences."},
    "care_trend": {"nb": "{construct}: {note}", "nn": "{construct}: {note}", "en": "{construct}: {note}"},
    "care_none": {"nb": "Ingen merknader.", "nn": "Ingen merknader.", "en": "No notes."},
    # index
    "index_reports": {"nb": "Rapporter", "nn": "Rapportar", "en": "Reports"},
    "index_regions": {"nb": "Regionrapporter", "nn": "Regionrapportar", "en": "Region reports"},
    "index_data": {"nb": "Åpne data", "nn": "Opne data", "en": "Open data"},
    "index_questionnaires": {"nb": "Spørreskjemaer", "nn": "Spørjeskjema", "en": "Questionnaires"},
    "index_pdf": {"nb": "PDF", "nn": "PDF", "en": "PDF"},
    "index_datapackage": {"nb": "Databeskrivelse (datapackage.json)", "nn": "Dataskildring (datapackage.json)",
                          "en": "Data description (datapackage.json)"},
    "index_intro": {
        "nb": "Her finner du rapportene fra følgeforskningen på {programme}, spørreskjemaene og de åpne dataene bak tallene.",
        "nn": "Her finn du rapportane frå følgjeforskinga på {programme}, spørjeskjema og dei opne dataa bak tala.",
        "en": "Here are the reports of the follow-up research on the {programme}, the questionnaires and the open data behind the figures."},
    "verdict_summary": {"nb": "Status for suksesskriteriene i bølge {wave}: {counts}.",
                        "nn": "Status for suksesskriteria i bølgje {wave}: {counts}.",
                        "en": "Success criteria in wave {wave}: {counts}."},
    "national_verdict": {"nb": "Landet", "nn": "Landet", "en": "National"},
    "part": {"nb": "Del {k}", "nn": "Del {k}", "en": "Part {k}"},
    # success criteria: the summary column and the detail section
    "criteria_detail": {"nb": "Kriteriene i detalj", "nn": "Kriteria i detalj", "en": "The criteria in detail"},
    "crit_statement": {"nb": "Påstand", "nn": "Påstand", "en": "Statement"},
    "crit_source": {"nb": "Kilde", "nn": "Kjelde", "en": "Source"},
    "crit_hidden_primary": {"nb": "Resultatet vises ikke: det bygger på færre enn {min_n} svar.",
                            "nn": "Resultatet blir ikkje vist: det byggjer på færre enn {min_n} svar.",
                            "en": "The result is not shown: it rests on fewer than {min_n} answers."},
    "crit_hidden_secondary": {
        "nb": "Resultatet er skjult for at et tall fra færre enn {min_n} svar i en annen region ikke skal kunne regnes ut.",
        "nn": "Resultatet er skjult for at eit tal frå færre enn {min_n} svar i ein annan region ikkje skal kunne reknast ut.",
        "en": "The result is hidden so that a figure from fewer than {min_n} answers in another region cannot be worked out."},
    "crit_all_passed": {"nb": "alle regler oppfylt", "nn": "alle reglar oppfylte", "en": "all rules met"},
    "crit_k_of_m": {"nb": "{k} av {m} regler oppfylt", "nn": "{k} av {m} reglar oppfylte", "en": "{k} of {m} rules met"},
    "crit_status_pass": {"nb": "regelen er oppfylt", "nn": "regelen er oppfylt", "en": "the rule is met"},
    "crit_status_fail": {"nb": "regelen er ikke oppfylt", "nn": "regelen er ikkje oppfylt", "en": "the rule is not met"},
    "crit_points": {"nb": " prosentpoeng", "nn": " prosentpoeng", "en": " percentage points"},
    "crit_short_n": {"nb": "for få svar", "nn": "for få svar", "en": "too few answers"},
    "crit_short_alpha": {"nb": "lav reliabilitet (alfa {alpha})", "nn": "låg reliabilitet (alfa {alpha})",
                         "en": "low reliability (alpha {alpha})"},
    "crit_short_alpha_plain": {"nb": "lav reliabilitet", "nn": "låg reliabilitet", "en": "low reliability"},
    "crit_short_rwg": {"nb": "lite samstemte svar (rwg {rwg})", "nn": "lite samstemte svar (rwg {rwg})",
                       "en": "answers agree too little (rwg {rwg})"},
    "crit_short_rwg_plain": {"nb": "lite samstemte svar", "nn": "lite samstemte svar", "en": "answers agree too little"},
    "crit_short_invariance": {"nb": "ikke målt likt over tid", "nn": "ikkje målt likt over tid",
                              "en": "not measured alike over time"},
    "crit_short_no-report": {"nb": "mangler statusrapport", "nn": "manglar statusrapport", "en": "no status report"},
    "crit_short_few-regions": {"nb": "for få regioner med nok svar", "nn": "for få regionar med nok svar",
                               "en": "too few regions with enough answers"},
    "crit_short_level_yes": {"nb": "nivå nådd ({v} > {c})", "nn": "nivå nådd ({v} > {c})", "en": "level reached ({v} > {c})"},
    "crit_short_level_no": {"nb": "nivå ikke nådd ({v} < {c})", "nn": "nivå ikkje nådd ({v} < {c})",
                            "en": "level not reached ({v} < {c})"},
    "crit_short_level_unsure": {"nb": "ikke sikkert over terskelen ({v}, p {p})",
                                "nn": "ikkje sikkert over terskelen ({v}, p {p})",
                                "en": "not clearly above the threshold ({v}, p {p})"},
    "crit_short_milestone_yes": {"nb": "milepælen er nådd", "nn": "milepælen er nådd", "en": "milestone reached"},
    "crit_short_milestone_no": {"nb": "milepælen er ikke nådd", "nn": "milepælen er ikkje nådd",
                                "en": "milestone not reached"},
    "crit_short_change_yes": {"nb": "sikker bedring ({d})", "nn": "sikker betring ({d})", "en": "clear improvement ({d})"},
    "crit_short_change_no": {"nb": "ingen sikker bedring ({d})", "nn": "inga sikker betring ({d})",
                             "en": "no clear improvement ({d})"},
    "crit_short_trend_yes": {"nb": "stigende trend ({s} per bølge)", "nn": "stigande trend ({s} per bølgje)",
                             "en": "rising trend ({s} per wave)"},
    "crit_short_trend_no": {"nb": "ingen sikker stigning ({s} per bølge)", "nn": "inga sikker stiging ({s} per bølgje)",
                            "en": "no clear rise ({s} per wave)"},
    "crit_short_assoc_yes": {"nb": "positiv sammenheng (rho {rho})", "nn": "positiv samanheng (rho {rho})",
                             "en": "positive association (rho {rho})"},
    "crit_short_assoc_no": {"nb": "ingen sikker sammenheng (rho {rho})", "nn": "ingen sikker samanheng (rho {rho})",
                            "en": "no clear association (rho {rho})"},
    "crit_short_funnel_yes": {"nb": "læringskjeden holder (svakeste ledd {v})",
                              "nn": "læringskjeda held (svakaste ledd {v})",
                              "en": "the learning chain holds (weakest link {v})"},
    "crit_short_funnel_no": {"nb": "læringskjeden brytes (svakeste ledd {v})",
                             "nn": "læringskjeda brest (svakaste ledd {v})",
                             "en": "the learning chain breaks (weakest link {v})"},
    "crit_na_none": {"nb": "ingen regel kan vurderes ennå", "nn": "ingen regel kan vurderast enno",
                     "en": "no rule can be judged yet"},
    "crit_na_na-reference": {"nb": "endring måles fra bølge {reference} og vurderes fra bølgen etter",
                             "nn": "endring blir målt frå bølgje {reference} og vurdert frå bølgja etter",
                             "en": "change is measured from wave {reference} and judged from the wave after"},
    "crit_na_na-no-reference": {"nb": "ingen tidligere bølge å sammenligne med",
                                "nn": "inga tidlegare bølgje å samanlikne med",
                                "en": "no earlier wave to compare with"},
    "crit_na_na-trend-waves": {"nb": "en trend krever minst to bølger", "nn": "ein trend krev minst to bølgjer",
                               "en": "a trend needs at least two waves"},
    "crit_na_na-outcome-wave": {"nb": "vurderes når utfallet er målt", "nn": "blir vurdert når utfallet er målt",
                                "en": "judged once the outcome is measured"},
    "crit_na_na-regional-association": {"nb": "vurderes bare for hele landet, på tvers av regionene",
                                        "nn": "blir berre vurdert for heile landet, på tvers av regionane",
                                        "en": "judged for the whole country only, across regions"},
    "crit_na_na-not-asked": {"nb": "ikke målt i bølge {wave}", "nn": "ikkje målt i bølgje {wave}",
                             "en": "not measured in wave {wave}"},
    "crit_na_na-no-variation": {"nb": "ingen forskjell mellom regionene å teste",
                                "nn": "ingen skilnad mellom regionane å teste",
                                "en": "no difference between regions to test"},
    "crit_kind_level": {"nb": "Nivå", "nn": "Nivå", "en": "Level"},
    "crit_kind_change": {"nb": "Endring", "nn": "Endring", "en": "Change"},
    "crit_kind_trend": {"nb": "Trend", "nn": "Trend", "en": "Trend"},
    "crit_kind_association": {"nb": "Sammenheng", "nn": "Samanheng", "en": "Association"},
    "crit_kind_funnel": {"nb": "Læringskjede", "nn": "Læringskjede", "en": "Learning chain"},
    "crit_st_pass": {"nb": "oppfylt", "nn": "oppfylt", "en": "met"},
    "crit_st_fail": {"nb": "ikke oppfylt", "nn": "ikkje oppfylt", "en": "not met"},
    "crit_st_not-applicable": {"nb": "ikke vurdert", "nn": "ikkje vurdert", "en": "not judged"},
    "crit_st_insufficient": {"nb": "for lite data", "nn": "for lite data", "en": "insufficient data"},
    "crit_what_mean": {"nb": "snittet for «{title}»", "nn": "snittet for «{title}»", "en": "the mean of ‘{title}’"},
    "crit_what_share": {"nb": "andelen som svarte «{label}» eller mer på «{title}»",
                        "nn": "delen som svarte «{label}» eller meir på «{title}»",
                        "en": "the share answering ‘{label}’ or higher to ‘{title}’"},
    "crit_what_fact": {"nb": "«{title}»", "nn": "«{title}»", "en": "‘{title}’"},
    "crit_what_regions": {"nb": "andelen regioner med «{title}»", "nn": "delen regionar med «{title}»",
                          "en": "the share of regions with ‘{title}’"},
    "crit_rule_level_yes": {"nb": "{what} er {v}, sikkert over terskelen {c} (n = {n}, ensidig p {p})",
                            "nn": "{what} er {v}, sikkert over terskelen {c} (n = {n}, einsidig p {p})",
                            "en": "{what} is {v}, clearly above the threshold {c} (n = {n}, one-sided p {p})"},
    "crit_rule_level_no": {"nb": "{what} er {v}, under terskelen {c} (n = {n})",
                           "nn": "{what} er {v}, under terskelen {c} (n = {n})",
                           "en": "{what} is {v}, below the threshold {c} (n = {n})"},
    "crit_rule_level_unsure": {"nb": "{what} er {v}, men ikke sikkert over terskelen {c} (n = {n}, ensidig p {p})",
                               "nn": "{what} er {v}, men ikkje sikkert over terskelen {c} (n = {n}, einsidig p {p})",
                               "en": "{what} is {v}, but not clearly above the threshold {c} (n = {n}, one-sided p {p})"},
    "crit_rule_fact_yes": {"nb": "{what} er {v}, på eller over terskelen {c} (statusrapporter)",
                           "nn": "{what} er {v}, på eller over terskelen {c} (statusrapportar)",
                           "en": "{what} is {v}, at or above the threshold {c} (status reports)"},
    "crit_rule_fact_no": {"nb": "{what} er {v}, under terskelen {c} (statusrapporter)",
                          "nn": "{what} er {v}, under terskelen {c} (statusrapportar)",
                          "en": "{what} is {v}, below the threshold {c} (status reports)"},
    "crit_rule_milestone_yes": {"nb": "«{title}»: ja, ifølge statusrapporten",
                                "nn": "«{title}»: ja, ifølgje statusrapporten",
                                "en": "‘{title}’: yes, according to the status report"},
    "crit_rule_milestone_no": {"nb": "«{title}»: ikke ennå, ifølge statusrapporten",
                               "nn": "«{title}»: ikkje enno, ifølgje statusrapporten",
                               "en": "‘{title}’: not yet, according to the status report"},
    "crit_rule_change_yes": {"nb": "{what} endret seg med {d} fra bølge {ref}, en sikker bedring (n = {n}, Holm-justert ensidig p {p})",
                             "nn": "{what} endra seg med {d} frå bølgje {ref}, ei sikker betring (n = {n}, Holm-justert einsidig p {p})",
                             "en": "{what} changed by {d} from wave {ref}, a clear improvement (n = {n}, Holm-adjusted one-sided p {p})"},
    "crit_rule_change_no": {"nb": "{what} endret seg med {d} fra bølge {ref}, ingen sikker bedring (n = {n}, Holm-justert ensidig p {p})",
                            "nn": "{what} endra seg med {d} frå bølgje {ref}, inga sikker betring (n = {n}, Holm-justert einsidig p {p})",
                            "en": "{what} changed by {d} from wave {ref}, no clear improvement (n = {n}, Holm-adjusted one-sided p {p})"},
    "crit_rule_change_fact": {"nb": "{what} endret seg med {d} fra bølge {ref} (statusrapporter)",
                              "nn": "{what} endra seg med {d} frå bølgje {ref} (statusrapportar)",
                              "en": "{what} changed by {d} from wave {ref} (status reports)"},
    "crit_rule_trend_yes": {"nb": "{what} stiger med {s} per bølge over {k} bølger, en sikker stigning (n = {n}, ensidig p {p})",
                            "nn": "{what} stig med {s} per bølgje over {k} bølgjer, ei sikker stiging (n = {n}, einsidig p {p})",
                            "en": "{what} moves by {s} per wave over {k} waves, a clear rise (n = {n}, one-sided p {p})"},
    "crit_rule_trend_no": {"nb": "{what} endrer seg med {s} per bølge over {k} bølger, ingen sikker stigning (n = {n}, ensidig p {p})",
                           "nn": "{what} endrar seg med {s} per bølgje over {k} bølgjer, inga sikker stiging (n = {n}, einsidig p {p})",
                           "en": "{what} moves by {s} per wave over {k} waves, no clear rise (n = {n}, one-sided p {p})"},
    "crit_rule_trend_fact": {"nb": "{what} endrer seg med {s} per bølge over {k} bølger (statusrapporter)",
                             "nn": "{what} endrar seg med {s} per bølgje over {k} bølgjer (statusrapportar)",
                             "en": "{what} moves by {s} per wave over {k} waves (status reports)"},
    "crit_rule_assoc_yes": {"nb": "regioner med høyere «{a}» i bølge {at} har oftere «{b}» i bølge {bt}: rangkorrelasjon {rho} over {n} regioner (ensidig p {p})",
                            "nn": "regionar med høgare «{a}» i bølgje {at} har oftare «{b}» i bølgje {bt}: rangkorrelasjon {rho} over {n} regionar (einsidig p {p})",
                            "en": "regions with higher ‘{a}’ in wave {at} more often have ‘{b}’ in wave {bt}: rank correlation {rho} across {n} regions (one-sided p {p})"},
    "crit_rule_assoc_no": {"nb": "ingen sikker sammenheng mellom «{a}» i bølge {at} og «{b}» i bølge {bt}: rangkorrelasjon {rho} over {n} regioner (ensidig p {p})",
                           "nn": "ingen sikker samanheng mellom «{a}» i bølgje {at} og «{b}» i bølgje {bt}: rangkorrelasjon {rho} over {n} regionar (einsidig p {p})",
                           "en": "no clear association between ‘{a}’ in wave {at} and ‘{b}’ in wave {bt}: rank correlation {rho} across {n} regions (one-sided p {p})"},
    "crit_rule_funnel_yes": {"nb": "hvert ledd i kjeden {chain} når {c}; svakeste ledd {v} (n = {n}, ensidig p {p})",
                             "nn": "kvart ledd i kjeda {chain} når {c}; svakaste ledd {v} (n = {n}, einsidig p {p})",
                             "en": "every link of the chain {chain} reaches {c}; weakest link {v} (n = {n}, one-sided p {p})"},
    "crit_rule_funnel_no": {"nb": "kjeden {chain} brytes: svakeste ledd er {v}, kravet er {c} (n = {n}, ensidig p {p})",
                            "nn": "kjeda {chain} brest: svakaste ledd er {v}, kravet er {c} (n = {n}, einsidig p {p})",
                            "en": "the chain {chain} breaks: the weakest link is {v}, the bar is {c} (n = {n}, one-sided p {p})"},
    "crit_gate_alpha": {"nb": "for lav reliabilitet for «{title}» (alfa {alpha}, kravet er {bar})",
                        "nn": "for låg reliabilitet for «{title}» (alfa {alpha}, kravet er {bar})",
                        "en": "reliability of ‘{title}’ too low (alpha {alpha}, the bar is {bar})"},
    "crit_gate_rwg": {"nb": "svarene i regionen om «{title}» er for lite samstemte (rwg under {bar})",
                      "nn": "svara i regionen om «{title}» er for lite samstemte (rwg under {bar})",
                      "en": "answers within the region on ‘{title}’ agree too little (rwg below {bar})"},
    "crit_gate_invariance": {"nb": "«{title}» er ikke målt likt over tid", "nn": "«{title}» er ikkje målt likt over tid",
                             "en": "‘{title}’ is not measured alike over time"},
    "crit_gate_no_data": {"nb": "ingen svar", "nn": "ingen svar", "en": "no answers"},
    # secondary suppression
    "suppressed_secondary": {"nb": "skjult", "nn": "skjult", "en": "hidden"},
    "note_secondary": {
        "nb": "«Skjult»: tallet bygger på nok svar, men er skjult fordi et tall med for få svar ellers kunne regnes ut fra totalen.",
        "nn": "«Skjult»: talet byggjer på nok svar, men er skjult fordi eit tal med for få svar elles kunne reknast ut frå totalen.",
        "en": "‘Hidden’: the figure rests on enough answers but is hidden because a figure from too few answers could otherwise be worked out from the total."},
    # questionnaires
    "q_tick": {"nb": "Sett ett kryss per spørsmål.", "nn": "Set eitt kryss per spørsmål.", "en": "Tick one box per question."},
    "q_free_text": {"nb": "Skriv svaret ditt her:", "nn": "Skriv svaret ditt her:", "en": "Write your answer here:"},
}

SECTOR_LABELS: dict[str, dict[str, str]] = {
    "municipality": {"nb": "Kommune", "nn": "Kommune", "en": "Municipality"},
    "county": {"nb": "Fylkeskommune", "nn": "Fylkeskommune", "en": "County"},
    "state": {"nb": "Stat", "nn": "Stat", "en": "State"},
    "business": {"nb": "Næringsliv", "nn": "Næringsliv", "en": "Business"},
    "research-education": {"nb": "Forskning og utdanning", "nn": "Forsking og utdanning", "en": "Research and education"},
    "civil-society": {"nb": "Frivillig sektor", "nn": "Frivillig sektor", "en": "Civil society"},
}
TARGET_LABELS: dict[str, dict[str, str]] = {
    **SECTOR_LABELS,
    "municipalities": {"nb": "Kommunene", "nn": "Kommunane", "en": "Municipalities"},
    "city": {"nb": "Byen", "nn": "Byen", "en": "The city"},
    "hinterland": {"nb": "Omlandet", "nn": "Omlandet", "en": "Hinterland"},
}
STAGE_LABELS: dict[str, dict[str, str]] = {
    "learned": {"nb": "Lært", "nn": "Lært", "en": "Learned"},
    "shared": {"nb": "Delt", "nn": "Delt", "en": "Shared"},
    "used": {"nb": "Tatt i bruk", "nn": "Teke i bruk", "en": "Used"},
}
VERDICT_LABELS: dict[str, dict[str, str]] = {
    "met": {"nb": "oppfylt", "nn": "oppfylt", "en": "met"},
    "partly-met": {"nb": "delvis oppfylt", "nn": "delvis oppfylt", "en": "partly met"},
    "not-met": {"nb": "ikke oppfylt", "nn": "ikkje oppfylt", "en": "not met"},
    "insufficient-data": {"nb": "for lite data", "nn": "for lite data", "en": "insufficient data"},
}
#: A shape beside each verdict word, so that no verdict is told by colour alone.
VERDICT_SYMBOLS: dict[str, str] = {"met": "●", "partly-met": "◐", "not-met": "○", "insufficient-data": "–"}


def t(key: str, lang: str, /, **values) -> str:
    """The string ``key`` in ``lang`` (falling back to bokmål), formatted with ``values``."""
    try:
        entry = STRINGS[key]
    except KeyError:
        raise KeyError(f"no report string '{key}'") from None
    text = entry.get(lang) or entry["nb"]
    return text.format(**values) if values else text


def label_of(table: dict[str, dict[str, str]], key: str, lang: str) -> str:
    """A label from one of the label tables, or the key itself where none is defined."""
    entry = table.get(str(key))
    return (entry.get(lang) or entry["nb"]) if entry else str(key)


def _missing(x) -> bool:
    try:
        return x is None or (isinstance(x, float) and math.isnan(x)) or x != x
    except TypeError:
        return False


def number(x, lang: str, digits: int = 2) -> str:
    """``x`` with ``digits`` decimals; a decimal comma in nb and nn; an en dash for missing.

    >>> number(3.14159, "nb"), number(3.14159, "en", 1), number(float("nan"), "nn")
    ('3,14', '3.1', '–')
    """
    if _missing(x):
        return "–"
    text = f"{float(x):.{digits}f}"
    if text.startswith("-"):
        text = "−" + text[1:]
    return text.replace(".", ",") if lang in ("nb", "nn") else text


def percent(x, lang: str, digits: int = 0) -> str:
    r"""A share (0–1) as a percentage: ``'42 %'`` in nb and nn, ``'42%'`` in en.

    >>> percent(0.4234, "nb"), percent(0.4234, "en")
    ('42\xa0%', '42%')
    """
    if _missing(x):
        return "–"
    value = number(100 * float(x), lang, digits)
    return f"{value}\u00a0%" if lang in ("nb", "nn") else f"{value}%"
