"""The web questionnaire: invitations, the ASGI app and its protections.

``folge invite`` makes single-use tokens (:mod:`._tokens`, only their SHA-256 is stored),
``folge serve`` runs :func:`create_app` under uvicorn, and ``folge remind`` lists the
invitations not yet submitted. Submitted answers go into the store through the same
ingest path as files, marked as coming from the web.

Where things live: :mod:`._app` (the factory and the routing table), :mod:`._gate` (the
one gate every token request passes), :mod:`._html` (the questionnaire pages),
:mod:`._api` (the JSON API), :mod:`._admin` (counts), :mod:`._render` (templates and
page helpers), :mod:`._optout` (the e-mail opt-out page) and :mod:`._optout_store`,
:mod:`._times` (opened, page shown and saved), :mod:`._backend` (study, store and group commit), :mod:`._settings`,
:mod:`._security` (middleware, CSRF, rate limits), :mod:`._forms` (pages and answer checks),
:mod:`._collect` (drafts and submissions in the store), :mod:`._tokens` and
:mod:`._invite` (invitations), :mod:`._i18n` (the UI texts).
"""

from ._app import create_app
from ._collect import submit as submit_invitation
from ._optout_store import OptOut, find_optout, optout_hash, record_optout
from ._times import record_opened, record_page_saved, record_page_shown
from ._invite import PanelFile, create_invitations, read_panel
from ._settings import ADMIN_PASSWORD_ENV, WebSettings
from ._tokens import (
    Invitation,
    find_invitation,
    hash_token,
    invitation_counts,
    new_token,
    pending_invitations,
    public_id,
)

__all__ = [
    "ADMIN_PASSWORD_ENV",
    "Invitation",
    "OptOut",
    "PanelFile",
    "WebSettings",
    "create_app",
    "create_invitations",
    "find_invitation",
    "find_optout",
    "hash_token",
    "invitation_counts",
    "new_token",
    "optout_hash",
    "pending_invitations",
    "public_id",
    "read_panel",
    "record_opened",
    "record_optout",
    "record_page_saved",
    "record_page_shown",
    "submit_invitation",
]
