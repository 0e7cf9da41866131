"""Invitations and reminders by e-mail, on request or on the waves' schedule.

Contacts (``folge contacts import``) live in their own table, apart from every answer,
under the pseudonym HMAC(study key, address). ``folge invite --send``, ``folge remind
--send`` and ``folge mail run`` mail each contact a personal link to the web
questionnaire (one token per person and wave, kept sealed so that reminders carry the
same link) through the SMTP server in ``FOLGE_SMTP_URL``, in the contact's language,
with an opt-out link the web side honours (:func:`find_optout`, :func:`record_optout`).
A message is logged as sent only after the server accepted it, so reruns send what is
pending and never an invitation twice.

Layers: uses :mod:`folge.definitions`, :mod:`folge.store` (tables of migration
``0003-mail``), :mod:`folge.pseudonym` and the public face of :mod:`folge.web` (to make
invitations); nothing below imports it.
"""

from ._compose import BASE_URL_ENV, MAIL_FROM_ENV, MailSettings, compose, optout_link, personal_link
from ._contacts import (CONTACT_COLUMNS, Contact, ContactFile, ImportCounts, contact_pseudonym, erase_contact,
                        import_contacts, list_contacts, read_contacts, valid_address)
from ._deliver import Summary, Throttle, deliver
from ._jobs import Job, Plan, Skip, check_wave_open, plan_invitations, plan_reminders, plan_schedule
from ._keys import SealError, open_token, optout_hash, optout_id, seal_token
from ._optout import OptOut, find_optout, mail_counts, record_optout
from ._sending import Run, one_run_at_a_time, run_schedule, send_invitations, send_reminders, transport_from_env
from ._smtp import SMTP_URL_ENV, MailServerError, MessageRefused, SmtpSettings, SmtpTransport
from ._templates import KINDS, MAIL_DIR, MailTemplateError, MailTemplates, MailText

__all__ = [
    "BASE_URL_ENV",
    "CONTACT_COLUMNS",
    "Contact",
    "ContactFile",
    "ImportCounts",
    "Job",
    "KINDS",
    "MAIL_DIR",
    "MAIL_FROM_ENV",
    "MailServerError",
    "MailSettings",
    "MailTemplateError",
    "MailTemplates",
    "MailText",
    "MessageRefused",
    "OptOut",
    "Plan",
    "Run",
    "SMTP_URL_ENV",
    "SealError",
    "Skip",
    "SmtpSettings",
    "SmtpTransport",
    "Summary",
    "Throttle",
    "check_wave_open",
    "compose",
    "contact_pseudonym",
    "deliver",
    "erase_contact",
    "find_optout",
    "import_contacts",
    "list_contacts",
    "mail_counts",
    "one_run_at_a_time",
    "open_token",
    "optout_hash",
    "optout_id",
    "optout_link",
    "personal_link",
    "plan_invitations",
    "plan_reminders",
    "plan_schedule",
    "read_contacts",
    "record_optout",
    "run_schedule",
    "seal_token",
    "send_invitations",
    "send_reminders",
    "transport_from_env",
    "valid_address",
]
