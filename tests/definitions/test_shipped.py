"""Every shipped definition loads, and the shipped instruments keep the promised shape."""

from __future__ import annotations

import pytest

from folge.definitions import (
    LANGUAGES,
    check_definitions,
    instrument_files,
    load_instruments,
    load_study,
)


def test_no_problem_in_any_shipped_definition(repo_root):
    problems = check_definitions(repo_root)
    assert [p.format() for p in problems] == []


@pytest.mark.parametrize("path", instrument_files(__import__("pathlib").Path(__file__).resolve().parents[2]),
                         ids=lambda p: p.name)
def test_each_shipped_instrument_checks_clean(repo_root, path):
    assert [p.format() for p in check_definitions(repo_root, [path])] == []


def test_every_construct_has_three_items_in_three_languages(repo_root):
    for instrument in load_instruments(repo_root).values():
        for construct in instrument.constructs:
            assert len(construct.items) >= 3, construct.id
            for item in construct.items:
                assert all(item.text.get(lang, "").strip() for lang in LANGUAGES), item.id


def test_study_design(repo_root):
    study = load_study(repo_root)
    assert study.programme == "Utviklingsprogram for byregioner"
    assert {"participant-survey", "region-status", "gathering-evaluation"} <= set(study.instruments)
    assert all("participant-survey" in wave.instruments for wave in study.waves)
    assert {r.language for r in study.regions} == {"nb", "nn"}
    assert all(role.sector for role in study.roles)
    assert study.instruments["region-status"].level == "region"
    kinds = {c.id: c.kind for c in study.instruments["participant-survey"].constructs}
    assert kinds["learning-chain"] == "index"


def test_trust_items_name_their_partner_and_the_chain_its_stages(repo_root):
    survey = load_instruments(repo_root)["participant-survey"]
    for construct_id in ("trust-interpersonal", "trust-interorganisational"):
        assert all(item.target for item in survey.construct(construct_id).items)
    targets = {item.target for item in survey.items if item.target}
    assert {"municipalities", "city", "hinterland", "business", "research-education"} <= targets
    assert [item.stage for item in survey.construct("learning-chain").items] == ["learned", "shared", "used"]
