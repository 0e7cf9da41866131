"""Every text of the web questionnaire's own pages, in bokmål, nynorsk and English.

Questions, scale labels and instrument titles come from the instrument files; this
catalogue holds only the frame around them (consent page, buttons, messages). Texts may
hold ``{name}`` fields filled by :func:`t`; they are plain text (templates escape them).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")

__all__ = ["UI_LANGUAGES", "LANGUAGE_NAMES", "TEXTS", "t", "pick_language", "when_text"]

UI_LANGUAGES: tuple[str, ...] = ("nb", "nn", "en")

#: Each language named in itself, for the language switch.
LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}

TEXTS: dict[str, dict[str, str]] = {
    "skip": {
        "nb": "Hopp til innholdet",
        "nn": "Hopp til innhaldet",
        "en": "Skip to content",
    },
    "language": {"nb": "Språk", "nn": "Språk", "en": "Language"},
    "consent_heading": {
        "nb": "Informasjon om undersøkelsen",
        "nn": "Informasjon om undersøkinga",
        "en": "About this survey",
    },
    "responsible_heading": {
        "nb": "Hvem er ansvarlig?",
        "nn": "Kven er ansvarleg?",
        "en": "Who is responsible?",
    },
    "responsible": {
        "nb": "{owner} er ansvarlig for undersøkelsen, som er en del av følgeforskningen på {programme}.",
        "nn": "{owner} er ansvarleg for undersøkinga, som er ein del av følgjeforskinga på {programme}.",
        "en": "{owner} is responsible for this survey, which is part of the follow-up research on {programme}.",
    },
    "owner_default": {
        "nb": "Følgeforskerne",
        "nn": "Følgjeforskarane",
        "en": "The follow-up research team",
    },
    "purpose_heading": {"nb": "Formål", "nn": "Føremål", "en": "Purpose"},
    "purpose": {
        "nb": "Formålet er å følge utviklingen i byregionene over tid og teste om programmets "
              "suksesskriterier blir nådd. Resultatene publiseres som offentlige rapporter "
              "og åpne data, bare samlet og aldri for færre enn {min_n} personer.",
        "nn": "Føremålet er å følgje utviklinga i byregionane over tid og teste om "
              "suksesskriteria til programmet blir nådde. Resultata blir publiserte som offentlege "
              "rapportar og opne data, berre samla og aldri for færre enn {min_n} personar.",
        "en": "The purpose is to follow the city regions over time and test whether the "
              "programme's success criteria are met. Results are published as public reports and "
              "open data, only in aggregate and never for fewer than {min_n} people.",
    },
    "data_heading": {
        "nb": "Hva lagres?",
        "nn": "Kva blir lagra?",
        "en": "What is stored?",
    },
    "data": {
        "nb": "Svarene dine lagres under et pseudonym, ikke under navnet eller e-postadressen din. "
              "Vi spør om arbeidet i byregionen, ikke om partipolitikk. Fritekst vises aldri i "
              "offentlige resultater.",
        "nn": "Svara dine blir lagra under eit pseudonym, ikkje under namnet eller e-postadressa di. "
              "Vi spør om arbeidet i byregionen, ikkje om partipolitikk. Fritekst blir aldri vist i "
              "offentlege resultat.",
        "en": "Your answers are stored under a pseudonym, not under your name or e-mail address. "
              "We ask about the work in the city region, not about party politics. Free text never "
              "appears in public results.",
    },
    "voluntary_heading": {
        "nb": "Frivillig å delta",
        "nn": "Frivillig å delta",
        "en": "Taking part is voluntary",
    },
    "voluntary": {
        "nb": "Det er frivillig å delta, og du kan la være å svare på spørsmål du ikke vil svare på. "
              "Du kan lagre underveis og fortsette senere fra hvilken som helst enhet med den samme "
              "lenken, helt til du sender inn.",
        "nn": "Det er frivillig å delta, og du kan la vere å svare på spørsmål du ikkje vil svare på. "
              "Du kan lagre undervegs og halde fram seinare frå kva eining som helst med den same "
              "lenkja, heilt til du sender inn.",
        "en": "Taking part is voluntary, and you may skip any question you do not want to answer. "
              "You can save as you go and continue later from any device with the same link, "
              "until you submit.",
    },
    "withdraw_heading": {
        "nb": "Slik trekker du deg",
        "nn": "Slik trekkjer du deg",
        "en": "How to withdraw",
    },
    "withdraw": {
        "nb": "Du kan når som helst trekke samtykket tilbake uten å oppgi grunn. Kontakt {contact}, "
              "så sletter vi svarene dine fra alle bølger. Du har også rett til innsyn og retting, "
              "og til å klage til Datatilsynet.",
        "nn": "Du kan når som helst trekkje samtykket tilbake utan å gje grunn. Kontakt {contact}, "
              "så slettar vi svara dine frå alle bølgjer. Du har òg rett til innsyn og retting, "
              "og til å klage til Datatilsynet.",
        "en": "You can withdraw your consent at any time without giving a reason. Contact {contact} "
              "and we will erase your answers from every wave. You also have the right to access "
              "and correct your data, and to complain to the Norwegian Data Protection Authority.",
    },
    "contact_default": {
        "nb": "den som sendte deg invitasjonen",
        "nn": "den som sende deg invitasjonen",
        "en": "the person who sent you the invitation",
    },
    "consent_label": {
        "nb": "Jeg har lest informasjonen over og samtykker i å delta.",
        "nn": "Eg har lese informasjonen over og samtykkjer i å delta.",
        "en": "I have read the information above and agree to take part.",
    },
    "consent_required": {
        "nb": "Kryss av for samtykke for å starte, eller lukk siden om du ikke vil delta.",
        "nn": "Kryss av for samtykke for å starte, eller lukk sida om du ikkje vil delta.",
        "en": "Tick the consent box to start, or close the page if you do not want to take part.",
    },
    "start": {"nb": "Start undersøkelsen", "nn": "Start undersøkinga", "en": "Start the survey"},
    "progress": {
        "nb": "Side {page} av {pages}",
        "nn": "Side {page} av {pages}",
        "en": "Page {page} of {pages}",
    },
    "progress_label": {"nb": "Framdrift", "nn": "Framdrift", "en": "Progress"},
    "previous": {"nb": "Forrige side", "nn": "Førre side", "en": "Previous page"},
    "next": {"nb": "Lagre og gå videre", "nn": "Lagre og gå vidare", "en": "Save and continue"},
    "save_later": {
        "nb": "Lagre og fortsett senere",
        "nn": "Lagre og hald fram seinare",
        "en": "Save and continue later",
    },
    "saved_later": {
        "nb": "Svarene er lagret. Du kan lukke siden og fortsette senere med den samme lenken.",
        "nn": "Svara er lagra. Du kan lukke sida og halde fram seinare med den same lenkja.",
        "en": "Your answers are saved. You can close the page and continue later with the same link.",
    },
    "review_heading": {"nb": "Send inn svarene", "nn": "Send inn svara", "en": "Submit your answers"},
    "review": {
        "nb": "Du har svart på {answered} av {items} spørsmål. Når du sender inn, kan du ikke endre "
              "svarene lenger.",
        "nn": "Du har svart på {answered} av {items} spørsmål. Når du sender inn, kan du ikkje endre "
              "svara lenger.",
        "en": "You have answered {answered} of {items} questions. Once you submit, you can no longer "
              "change your answers.",
    },
    "submit": {"nb": "Send inn", "nn": "Send inn", "en": "Submit"},
    "thanks_heading": {"nb": "Takk for svarene!", "nn": "Takk for svara!", "en": "Thank you!"},
    "thanks": {
        "nb": "Svarene dine er sendt inn og lagret. Lenken kan ikke brukes igjen.",
        "nn": "Svara dine er sende inn og lagra. Lenkja kan ikkje brukast igjen.",
        "en": "Your answers have been submitted and stored. The link cannot be used again.",
    },
    "unknown_heading": {
        "nb": "Lenken er ikke gyldig",
        "nn": "Lenkja er ikkje gyldig",
        "en": "This link is not valid",
    },
    "unknown": {
        "nb": "Sjekk at du har kopiert hele lenken fra invitasjonen.",
        "nn": "Sjekk at du har kopiert heile lenkja frå invitasjonen.",
        "en": "Check that you have copied the whole link from the invitation.",
    },
    "closed_heading": {
        "nb": "Undersøkelsen er stengt",
        "nn": "Undersøkinga er stengd",
        "en": "This survey is closed",
    },
    "closed": {
        "nb": "Denne runden av undersøkelsen er avsluttet, og det tas ikke imot flere svar.",
        "nn": "Denne runden av undersøkinga er avslutta, og det blir ikkje teke imot fleire svar.",
        "en": "This round of the survey has ended and no more answers are accepted.",
    },
    "not_open_heading": {
        "nb": "Undersøkelsen er ikke åpen ennå",
        "nn": "Undersøkinga er ikkje open enno",
        "en": "This survey is not open yet",
    },
    "not_open": {
        "nb": "Undersøkelsen åpner {when}. Bruk den samme lenken da; svarene dine er ikke tapt.",
        "nn": "Undersøkinga opnar {when}. Bruk den same lenkja då; svara dine er ikkje tapte.",
        "en": "The survey opens on {when}. Please use the same link then; nothing has been lost.",
    },
    "closed_on": {
        "nb": "Denne runden av undersøkelsen stengte {when}, og det tas ikke imot flere svar. "
              "Takk for interessen!",
        "nn": "Denne runden av undersøkinga stengde {when}, og det blir ikkje teke imot fleire svar. "
              "Takk for interessa!",
        "en": "This round of the survey closed on {when} and no more answers are accepted. "
              "Thank you for your interest!",
    },
    "at_time": {"nb": "{date} kl. {time}", "nn": "{date} kl. {time}", "en": "{date} at {time}"},
    "optout_heading": {
        "nb": "Avslutt e-post om undersøkelsen",
        "nn": "Avslutt e-post om undersøkinga",
        "en": "Stop e-mails about this survey",
    },
    "optout_intro": {
        "nb": "Vil du ikke ha flere invitasjoner eller påminnelser om følgeforskningen på {programme}? "
              "Bekreft med knappen under.",
        "nn": "Vil du ikkje ha fleire invitasjonar eller påminningar om følgjeforskinga på {programme}? "
              "Stadfest med knappen under.",
        "en": "Do you want no more invitations or reminders about the follow-up research on {programme}? "
              "Confirm with the button below.",
    },
    "optout_button": {
        "nb": "Ja, send meg ikke flere e-poster",
        "nn": "Ja, send meg ikkje fleire e-postar",
        "en": "Yes, send me no more e-mails",
    },
    "optout_done_heading": {
        "nb": "Du får ikke flere e-poster",
        "nn": "Du får ikkje fleire e-postar",
        "en": "You will get no more e-mails",
    },
    "optout_done": {
        "nb": "Takk. Vi sender deg ingen flere invitasjoner eller påminnelser om denne undersøkelsen.",
        "nn": "Takk. Vi sender deg ingen fleire invitasjonar eller påminningar om denne undersøkinga.",
        "en": "Thank you. We will send you no more invitations or reminders about this survey.",
    },
    "col_opened": {"nb": "Åpnet", "nn": "Opna", "en": "Opened"},
    "col_opted_out": {"nb": "Meldt av e-post", "nn": "Meld av e-post", "en": "Opted out of e-mail"},
    "admin_optout_note": {
        "nb": "De som har meldt seg av e-post, telles for seg og er med i «Invitert».",
        "nn": "Dei som har meldt seg av e-post, blir talde for seg og er med i «Invitert».",
        "en": "People who opted out of e-mail are counted apart and are included in “Invited”.",
    },
    "errors_heading": {
        "nb": "Noe må rettes før vi kan lagre",
        "nn": "Noko må rettast før vi kan lagre",
        "en": "Something needs fixing before we can save",
    },
    "error_invalid": {
        "nb": "Velg ett av alternativene.",
        "nn": "Vel eitt av alternativa.",
        "en": "Choose one of the options.",
    },
    "error_too_long": {
        "nb": "Teksten er for lang (høyst {limit} tegn).",
        "nn": "Teksten er for lang (høgst {limit} teikn).",
        "en": "The text is too long (at most {limit} characters).",
    },
    "stale_form": {
        "nb": "Skjemaet var utløpt. Prøv igjen.",
        "nn": "Skjemaet var utgått. Prøv igjen.",
        "en": "The form had expired. Please try again.",
    },
    "text_hint": {
        "nb": "Valgfritt. Høyst {limit} tegn.",
        "nn": "Valfritt. Høgst {limit} teikn.",
        "en": "Optional. At most {limit} characters.",
    },
    "part_of": {
        "nb": "Del {index} av {count}: {title}",
        "nn": "Del {index} av {count}: {title}",
        "en": "Part {index} of {count}: {title}",
    },
    "too_many_heading": {
        "nb": "For mange forespørsler",
        "nn": "For mange førespurnader",
        "en": "Too many requests",
    },
    "too_many": {
        "nb": "Vent litt og prøv igjen.",
        "nn": "Vent litt og prøv igjen.",
        "en": "Please wait a moment and try again.",
    },
    "bad_request_heading": {
        "nb": "Forespørselen kunne ikke behandles",
        "nn": "Førespurnaden kunne ikkje behandlast",
        "en": "The request could not be handled",
    },
    "bad_request": {
        "nb": "Lenken eller skjemaet ble sendt på en måte vi ikke tar imot. Gå tilbake og prøv igjen.",
        "nn": "Lenkja eller skjemaet vart sendt på ein måte vi ikkje tek imot. Gå tilbake og prøv igjen.",
        "en": "The link or form was sent in a way we do not accept. Please go back and try again.",
    },
    "busy": {
        "nb": "Vi fikk ikke lagret akkurat nå. Prøv igjen om litt; ingenting er tapt.",
        "nn": "Vi fekk ikkje lagra akkurat no. Prøv igjen om litt; ingenting er tapt.",
        "en": "We could not save just now. Please try again shortly; nothing has been lost.",
    },
    "admin_heading": {
        "nb": "Svarinngang",
        "nn": "Svarinngang",
        "en": "Responses received",
    },
    "admin_intro": {
        "nb": "Bare antall vises her, aldri svar.",
        "nn": "Berre tal blir viste her, aldri svar.",
        "en": "Only counts are shown here, never answers.",
    },
    "admin_caption": {
        "nb": "Invitasjoner og innsendte svar per region, bølge og rolle",
        "nn": "Invitasjonar og innsende svar per region, bølgje og rolle",
        "en": "Invitations and submitted responses by region, wave and role",
    },
    "col_region": {"nb": "Region", "nn": "Region", "en": "Region"},
    "col_wave": {"nb": "Bølge", "nn": "Bølgje", "en": "Wave"},
    "col_role": {"nb": "Rolle", "nn": "Rolle", "en": "Role"},
    "col_invited": {"nb": "Invitert", "nn": "Invitert", "en": "Invited"},
    "col_started": {"nb": "Påbegynt", "nn": "Påbyrja", "en": "Started"},
    "col_submitted": {"nb": "Sendt inn", "nn": "Sendt inn", "en": "Submitted"},
    "col_rate": {"nb": "Svarprosent", "nn": "Svarprosent", "en": "Response rate"},
    "admin_none": {
        "nb": "Ingen invitasjoner ennå.",
        "nn": "Ingen invitasjonar enno.",
        "en": "No invitations yet.",
    },
}


def t(key: str, lang: str, **fields: object) -> str:
    """The UI text ``key`` in ``lang`` (bokmål when missing), with ``{fields}`` filled in.

    Examples
    --------
    >>> t("progress", "nn", page=2, pages=5)
    'Side 2 av 5'
    >>> t("submit", "de")
    'Send inn'
    """
    entry = TEXTS[key]
    text = entry.get(lang) or entry["nb"]
    return text.format(**fields) if fields else text


def pick_language(requested: str | None, saved: str | None, region_default: str) -> str:
    """The page language: the one asked for in the URL, else the saved choice, else the region's.

    Examples
    --------
    >>> pick_language("en", "nn", "nb"), pick_language(None, "nn", "nb"), pick_language("xx", None, "nn")
    ('en', 'nn', 'nn')
    """
    for candidate in (requested, saved, region_default):
        if candidate in UI_LANGUAGES:
            return candidate
    return "nb"


def when_text(moment: dt.datetime, lang: str, closing: bool = False) -> str:
    """A schedule moment as people read it, in Oslo time: ``31.03.2026 kl. 12:00``.

    A closing moment at midnight is written as 24:00 of the day before (the last day the
    wave was open), as ``closes: 2026-03-31`` in study.yaml means.

    Examples
    --------
    >>> closes = dt.datetime(2026, 4, 1, tzinfo=OSLO)
    >>> when_text(closes, "nb", closing=True), when_text(closes, "en")
    ('31.03.2026 kl. 24:00', '01.04.2026 at 00:00')
    """
    local = moment.astimezone(OSLO)
    hours = f"{local:%H:%M}"
    if closing and hours == "00:00":
        local, hours = local - dt.timedelta(days=1), "24:00"
    return t("at_time", lang, date=f"{local:%d.%m.%Y}", time=hours)
