"""The shipped criteria: every criterion of the domain brief, with its source, loads clean."""

from __future__ import annotations

from folge.criteria import load_criteria
from folge.definitions import check_definitions

# /work/shared/domain/README.md, "Success criteria named in the founding talk"
DOMAIN_CRITERIA = {
    "vision": "VINNOVA", "priorities": "VINNOVA", "joint-leadership": "VINNOVA", "long-term": "VINNOVA",
    "triple-helix": "VR 2009:19", "own-strengths": "Oxford Research 2005", "interplay": "Oxford Research 2005",
    "mayors": "Oxford Research 2005", "local-adaptation": "NTNU/SINTEF/TFoU 2010",
    "anchoring": "NTNU/SINTEF/TFoU 2010", "baseline-data": "NTNU/SINTEF/TFoU 2010",
    "leader-employee-anchoring": "Kunnskapssenteret", "improvement-culture": "Kunnskapssenteret",
    "data-access": "Kunnskapssenteret", "learning-culture": "Filstad 2010", "learning-chain": "ounding talk",
    "plan-anchoring": "rogramme announcement",
}


def test_shipped_criteria_check_clean(repo_root):
    problems = check_definitions(repo_root, [repo_root / "research" / "criteria.yaml"])
    assert [p.format() for p in problems] == []


def test_every_domain_criterion_is_encoded_with_its_source(repo_root):
    criteria = {c.id: c for c in load_criteria(repo_root)}
    assert set(DOMAIN_CRITERIA) <= set(criteria)
    for cid, source in DOMAIN_CRITERIA.items():
        assert source in criteria[cid].source, cid
        assert criteria[cid].rules, cid


def test_learning_chain_is_a_funnel_learned_shared_used(repo_root):
    chain = {c.id: c for c in load_criteria(repo_root)}["learning-chain"]
    (funnel,) = [r for r in chain.rules if r.kind == "funnel"]
    stages = [chain.indicators[s].ref for s in funnel.indicators]
    assert stages == ["chain_learned", "chain_shared", "chain_used"]
