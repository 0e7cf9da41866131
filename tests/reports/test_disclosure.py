"""Disclosure control: primary, secondary and role rules, and that nothing small survives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from folge.reports import disclose, require_disclosed


def test_primary_blanks_values_and_n():
    t = pd.DataFrame({"region": ["all", "a", "b", "c", "d"], "n": [40, 4, 10, 12, 14], "mean": [3.0, 2.0, 3.1, 3.2, 3.3]})
    out = disclose(t, min_n=5, values=["mean"])
    row = out.set_index("region").loc["a"]
    assert row["suppressed"] and row["suppression"] == "primary"
    assert np.isnan(row["mean"]) and np.isnan(row["n"])
    assert not out.set_index("region").loc["b", "suppressed"]


def test_secondary_hides_next_smallest_part():
    t = pd.DataFrame({"region": ["all", "a", "b", "c", "d"], "n": [40, 4, 10, 12, 14], "mean": [3.0, 2.0, 3.1, 3.2, 3.3]})
    out = disclose(t, min_n=5, values=["mean"], parts=["region"]).set_index("region")
    assert out.loc["b", "suppression"] == "secondary"
    assert not out.loc["c", "suppressed"] and not out.loc["all", "suppressed"]


def test_secondary_not_needed_when_two_parts_hidden():
    t = pd.DataFrame({"region": ["all", "a", "b", "c"], "n": [30, 3, 4, 23], "mean": [3.0, 2.0, 3.1, 3.2]})
    out = disclose(t, min_n=5, values=["mean"], parts=["region"]).set_index("region")
    assert list(out["suppression"]) == ["", "primary", "primary", ""]


def test_secondary_runs_within_each_group():
    t = pd.DataFrame({"wave": ["1"] * 3 + ["2"] * 3, "region": ["a", "b", "c"] * 2,
                      "n": [3, 8, 9, 6, 8, 9], "mean": [1.0] * 6})
    out = disclose(t, min_n=5, values=["mean"], by=["wave"], parts=["region"])
    assert list(out["suppression"]) == ["primary", "secondary", "", "", "", ""]


def test_role_rule_hides_whole_breakdown_in_a_region():
    t = pd.DataFrame({"region": ["all", "x", "x", "x", "x", "y", "y", "y"],
                      "role": ["all", "all", "mayor", "admin", "business", "all", "mayor", "admin"],
                      "n": [60, 20, 1, 10, 9, 40, 20, 20], "mean": [3.0] * 8})
    out = disclose(t, min_n=5, values=["mean"], parts=["region", "role"], role="role")
    x = out[(out.region == "x") & (out.role != "all")]
    assert x["suppressed"].all()
    assert set(x["suppression"]) == {"primary", "role"}
    assert not out[(out.region == "x") & (out.role == "all")]["suppressed"].any()
    assert not out[out.region == "y"]["suppressed"].any()


def test_role_breakdown_hidden_when_region_total_is_hidden():
    t = pd.DataFrame({"region": ["all", "x", "x", "x", "z", "w"], "role": ["all", "all", "a", "b", "all", "all"],
                      "n": [50, 12, 6, 6, 3, 35], "mean": [3.0] * 6})
    out = disclose(t, min_n=5, values=["mean"], parts=["region", "role"], role="role").set_index(["region", "role"])
    assert out.loc[("z", "all"), "suppression"] == "primary"
    assert out.loc[("x", "all"), "suppression"] == "secondary"
    assert out.loc[("x", "a"), "suppression"] == "role" and out.loc[("x", "b"), "suppression"] == "role"


def test_region_level_facts_are_exempt():
    t = pd.DataFrame({"region": ["a", "b", "c"], "n": [1, 1, 30], "value": [0.5, 1.0, 3.3],
                      "fact": [True, True, False]})
    out = disclose(t, min_n=5, values=["value"], parts=["region"], exempt="fact")
    assert not out["suppressed"].any()


def test_bad_arguments_are_named():
    t = pd.DataFrame({"n": [1]})
    with pytest.raises(ValueError, match="min_n"):
        disclose(t, min_n=0)
    with pytest.raises(ValueError, match="'mean'"):
        disclose(t, min_n=5, values=["mean"])
    with pytest.raises(ValueError, match="disclosure control"):
        require_disclosed(t)


@settings(max_examples=150, deadline=None)
@given(counts=st.lists(st.lists(st.integers(0, 30), min_size=1, max_size=5), min_size=1, max_size=6),
       min_n=st.integers(1, 10))
def test_no_cell_below_min_n_survives(counts, min_n):
    """Property: whatever the counts, no shown row has n < min_n, and a lone hidden part has company."""
    rows = []
    for r, role_counts in enumerate(counts):
        for k, n in enumerate(role_counts):
            rows.append({"region": f"r{r}", "role": f"role{k}", "n": n, "mean": 1.0 + k})
        rows.append({"region": f"r{r}", "role": "all", "n": sum(role_counts), "mean": 2.0})
    rows.append({"region": "all", "role": "all", "n": sum(map(sum, counts)), "mean": 2.0})
    t = pd.DataFrame(rows)
    out = disclose(t, min_n=min_n, values=["mean"], parts=["region", "role"], role="role")
    shown = out[~out["suppressed"]]
    assert (shown["n"] >= min_n).all()
    assert out.loc[out["suppressed"], ["n", "mean"]].isna().all().all()
    raw = t.assign(hidden=out["suppressed"])
    regions = raw[(raw.role == "all") & (raw.region != "all")]
    assert regions["hidden"].sum() != 1 or len(regions) == 1
    for _, sub in raw[(raw.role != "all")].groupby("region"):
        assert sub["hidden"].all() or not sub["hidden"].any()
        region_hidden = raw[(raw.region == sub.region.iloc[0]) & (raw.role == "all")]["hidden"].iloc[0]
        assert not (region_hidden and not sub["hidden"].all())


def test_tables_mark_every_hidden_cell_with_one_word():
    """Primary and secondary cells read alike ("skjult"), with one note under the table."""
    from folge.reports._tables import Column, num, pipe_table

    t = pd.DataFrame({"region": ["all", "a", "b", "c", "d"], "n": [40, 4, 10, 12, 14],
                      "mean": [3.0, 2.0, 3.1, 3.2, 3.3]})
    out = disclose(t, min_n=5, values=["mean"], parts=["region"])
    for lang, marker in (("nb", "skjult"), ("nn", "skjult"), ("en", "hidden")):
        md = pipe_table(out, [Column("region", "R", key=True), Column("mean", "M", num(1))], lang)
        lines = {line.split("|")[1].strip(): line for line in md.splitlines() if line.startswith("| ")}
        assert lines["a"].replace("| a |", "") == lines["b"].replace("| b |", "") == f" *{marker}* |"
        assert "*for få svar*" not in md and "*too few answers*" not in md
        assert "3,2" in lines["c"] or "3.2" in lines["c"]
        assert md.count(":::") == 2  # one note under the table
    shown = out[~out["suppressed"]]
    assert pipe_table(shown, [Column("region", "R", key=True)], "nb").count(":::") == 0


def test_criteria_with_too_few_answers_get_company(study):
    """A criterion row withheld for too few answers is a primary cell, so the next-smallest region is hidden."""
    from folge.reports._public import _SPECS, _exempt_criteria

    frame = pd.DataFrame({"criterion": ["c"] * 5, "region": ["all", "a", "b", "c", "d"], "wave": ["1"] * 5,
                          "indicator": ["x"] * 5, "value": [3.0, float("nan"), 3.2, 3.4, float("nan")],
                          "n": [60, 3, 20, 37, float("nan")], "threshold": [3.5] * 5,
                          "verdict": ["met", "insufficient-data", "met", "met", "insufficient-data"],
                          "gate": ["", "n", "", "", "no-rule"]})
    frame["exempt"] = _exempt_criteria(study, frame)
    assert list(frame["exempt"]) == [False, False, False, False, True]  # no figure at all: nothing to protect
    keys, kwargs = _SPECS["criteria"]
    out = disclose(frame, min_n=5, values=["value", "verdict", "gate"], **kwargs).set_index("region")
    assert out.loc["a", "suppression"] == "primary" and out.loc["b", "suppression"] == "secondary"


def test_criteria_words_short_reason_and_hidden_detail(study):
    """One clause per verdict; a hidden row's detail names the kind of suppression and no figure."""
    import json

    from folge.reports._criteria_text import CriteriaText

    words = CriteriaText(study, {}, [])
    rules = [{"kind": "level", "indicator": "x", "verdict": "inconclusive", "applies": True, "estimate": 3.36,
              "ci_low": 3.1, "ci_high": 3.62, "bar": 3.5, "p_adj": 0.9, "mde": 0.4, "n": 38, "reasons": []},
             {"kind": "change", "indicator": "x", "verdict": "met", "applies": True, "estimate": 0.5,
              "ci_low": 0.21, "ci_high": 0.79, "bar": 0.0, "p_adj": 0.001, "mde": 0.3, "n": 38, "reasons": []}]
    row = {"criterion": "c", "region": "a", "wave": "1", "verdict": "partly-met", "gate": "", "rules": json.dumps(rules)}
    # the clause words the first rule not met with its bounds, never "not met" for a rule not settled
    assert words.short_reason(row, "nb") == "1 av 2 regler oppfylt; nivå ikke avklart ennå (3,36; mellom 3,10 og 3,62 mot 3,50)"
    assert words.short_reason(row, "en") == "1 of 2 rules met; level not settled yet (3.36; between 3.10 and 3.62 against 3.50)"
    settled = json.dumps([{**rules[0], "verdict": "not-met", "ci_high": 3.45}, rules[1]])
    assert words.short_reason({**row, "rules": settled}, "nn") == \
        "1 av 2 reglar oppfylte; nivå ikkje oppfylt (3,36; øvre grense 3,45 under 3,50)"
    few = {**row, "verdict": "insufficient-data", "gate": "n"}
    assert words.short_reason(few, "nn") == "for få svar"
    hidden = pd.DataFrame([{**row, "suppressed": True, "suppression": "secondary", "value": float("nan")}])
    text = words.detail(hidden, "nb", titles={}, national=None, verdict=lambda v, lang: str(v))
    assert "skjult" in text and "3,36" not in text and "nivå" not in text.lower()
