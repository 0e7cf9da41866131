"""The built site attacked as an outsider: the LP audit and the scripted attacks of issue 18.

Two sites: the fabricated study of ``conftest.py`` (region ``gamma`` has 3 respondents with
role cells of 1, role cells of 2 elsewhere, a panel), and the demo. The attacker reads only
``reports/_site/`` (the open data and the pages); the true counts in ``results/`` are used
only to say whether an attack found the truth.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from folge.cli import main
from folge.definitions import load_study
from folge.reports import AUDIT_FILE, PUBLISHED_FILE, audit_site, read_published_dir

TEXT = {c: str for c in ("wave", "from_wave", "to_wave", "region", "role", "value", "item", "construct",
                         "criterion", "indicator", "stage", "from_sector", "to_sector", "method")}
#: "n = 3", "n = 3 og 40", "(n = 3 < 5)": a count stated in words
STATED_N = re.compile(r"\bn\s*=\s*(\d+)(?:\s*(?:og|and|<)\s*(\d+))?")


def _open_data(root: Path, name: str) -> pd.DataFrame:
    frame = pd.read_csv(root / "reports" / "_site" / "data" / f"{name}.csv", dtype=TEXT, keep_default_na=False,
                        na_values=[""])
    frame["hidden"] = frame["suppressed"].astype(str).str.lower() == "true"
    return frame


@pytest.fixture(scope="module")
def small_root(site, study_root) -> Path:
    """The fabricated study, its site built (the ``site`` fixture) into ``STUDY/reports/_site``."""
    assert site.out_dir == study_root / "reports" / "_site"
    return study_root


@pytest.fixture(scope="module", params=["small", "demo"])
def built(request) -> Path:
    """Each built study in turn: the 3-respondent-region study and the demo."""
    if request.param == "small":
        return request.getfixturevalue("small_root")
    return request.getfixturevalue("demo_study")


# ----------------------------------------------------------------------------------------
# the audit


def test_audit_json_is_written_and_passes(built):
    study = load_study(built)
    report = json.loads((built / "reports" / "_site" / AUDIT_FILE).read_text(encoding="utf-8"))
    assert {"cells", "suppressed", "attacked", "smallest_interval", "breaches", "seconds"} <= set(report)
    assert report["passed"] and report["breaches"] == []
    assert report["suppressed"] > 0 and report["attacked"] > 0  # something was hidden and attacked
    assert report["smallest_interval"] >= study.min_n


def test_outsider_audit_command_finds_no_interval_narrower_than_min_n(built, capsys):
    study = load_study(built)
    out = built / "reports" / "_site" / AUDIT_FILE
    assert main(["disclosure", "audit", "--study", str(built)]) == 0
    printed = capsys.readouterr().out
    assert "breaches 0" in printed and "smallest interval" in printed
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["breaches"] == [] and report["smallest_interval"] >= study.min_n


def test_audit_of_the_demo_takes_at_most_30_seconds(demo_study):
    result = audit_site(demo_study / "reports" / "_site", load_study(demo_study),
                        out=demo_study / "reports" / "_site" / "audit-timing.json")
    assert result.passed and result.seconds <= 30, result.seconds
    (demo_study / "reports" / "_site" / "audit-timing.json").unlink()


def test_an_edition_knows_what_the_last_one_published(small_root, tmp_path, capsys):
    published = read_published_dir(small_root / "reports" / "_site")
    assert published  # the shown counts of this edition
    # none of the hidden construct means is among them
    hidden = _open_data(small_root, "construct_means").query("hidden")
    keys = {tuple(sorted({"kind": "respondents", "construct": r.construct, "wave": r.wave, "region": r.region,
                          "role": r.role}.items())) for r in hidden.itertuples()}
    assert not keys & set(published)
    assert main(["disclosure", "audit", "--study", str(small_root), "--published",
                 str(small_root / "reports" / "_site" / PUBLISHED_FILE)]) == 0


def test_a_tampered_site_fails_the_audit_with_exit_1(small_root, tmp_path, capsys):
    """A hidden count printed again (here: gamma's n restored in one row) is found at once."""
    site = tmp_path / "_site"
    shutil.copytree(small_root / "reports" / "_site" / "data", site / "data")
    path = site / "data" / "construct_means.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = frame.index[(frame["region"] == "gamma") & (frame["role"] == "all")][0]
    frame.loc[row, ["n", "suppressed"]] = ["3", "false"]
    frame.to_csv(path, index=False)
    assert main(["disclosure", "audit", "--study", str(small_root), "--site", str(site)]) == 1
    assert "breach" in capsys.readouterr().out
    assert json.loads((site / AUDIT_FILE).read_text(encoding="utf-8"))["breaches"]


def test_the_builder_refuses_what_it_cannot_protect():
    """An earlier edition printed the national n and one region's: the other small region has
    no partner left to hide with, and the error names the table to coarsen."""
    from folge.disclosure import DisclosureError, cell_key
    from folge.reports._disclosure import protect

    means = pd.DataFrame({"construct": "c", "wave": "1", "region": ["all", "a", "b"], "role": "all",
                          "n": [11, 3, 8], "mean": [3.0, 3.0, 3.2]})

    def key(region):
        return cell_key(kind="respondents", construct="c", wave="1", region=region, role="all")

    assert protect({"construct_means": means}, min_n=5).hidden["construct_means"].tolist() == [False, True, True]
    with pytest.raises(DisclosureError, match="construct_means"):
        protect({"construct_means": means}, min_n=5, published={key("all"): 11, key("b"): 8})


# ----------------------------------------------------------------------------------------
# the scripted attacks of the issue, against the real built site


def _item_n(items: pd.DataFrame) -> pd.DataFrame:
    """An item's n as an outsider reads it: printed on every shown value row."""
    keys = ["construct", "item", "region", "wave"]
    shown = items[~items["hidden"]].groupby(keys)["n"].first()
    return items[keys].drop_duplicates().set_index(keys).assign(n=shown).reset_index()


def test_item_shares_total_minus_parts_fails(built):
    items = _item_n(_open_data(built, "item_shares"))
    items["n"] = pd.to_numeric(items["n"])
    derived = 0
    for _, group in items.groupby(["item", "wave"]):
        national = group[group["region"] == "all"]["n"]
        regions = group[group["region"] != "all"]
        if national.notna().all() and regions["n"].isna().sum() == 1:
            derived += 1
    assert derived == 0


def test_item_values_are_published_for_every_answer_value(built):
    """Zero rows for values nobody chose: the presence of a row tells nothing."""
    items = _open_data(built, "item_shares")
    sizes = items.groupby(["item", "region", "wave"]).size()
    per_item = sizes.groupby(level="item").nunique()
    assert (per_item == 1).all()
    study = load_study(built)
    for item, n_rows in sizes.groupby(level="item").first().items():
        assert n_rows == len(study.items[item].scale.values), item


def test_a_hidden_item_hides_all_its_value_rows(built):
    items = _open_data(built, "item_shares")
    hidden_n = _item_n(items).query("n != n")  # n hidden everywhere
    merged = items.merge(hidden_n[["construct", "item", "region", "wave"]], on=["construct", "item", "region", "wave"])
    assert len(merged) and merged["hidden"].all()


def _hidden_respondent_counts(root: Path) -> set[tuple[str, str, str]]:
    means = _open_data(root, "construct_means")
    rows = means[means["hidden"] & (means["role"] == "all")]
    return set(zip(rows["construct"], rows["wave"], rows["region"]))


def _true_respondents(root: Path) -> dict[tuple[str, str, str], int]:
    scores = pd.read_csv(root / "results" / "scores.csv", dtype=TEXT)
    scores = scores[pd.to_numeric(scores["score"], errors="coerce").notna()]
    return scores.groupby(["construct", "wave", "region"]).size().to_dict()


def _printed_equal(hidden, printed, truth) -> list:
    """Hidden counts printed elsewhere with the same value: the attack succeeds there."""
    return sorted(k for k, n in printed if k in hidden and truth.get(k) == n)


def test_same_count_in_two_tables_fails(built):
    """A hidden construct n is printed neither as a criterion's n nor as an agreement n."""
    from folge.reports._public import indicator_keys

    hidden = _hidden_respondent_counts(built)
    assert hidden
    truth = _true_respondents(built)
    indicators = indicator_keys(load_study(built))
    criteria = _open_data(built, "criteria")
    printed = []
    for row in criteria[~criteria["hidden"] & criteria["n"].notna()].itertuples():
        kind, construct, _ = indicators.get((row.criterion, row.indicator), ("", "", ""))
        if kind == "construct":
            printed.append(((construct, row.wave, row.region), int(float(row.n))))
    agreement = _open_data(built, "agreement")
    shown = agreement[~agreement["hidden"]]
    printed += [((c, w, r), int(float(n))) for c, w, r, n in zip(shown["construct"], shown["wave"], shown["region"],
                                                                  shown["n"])]
    assert printed
    assert _printed_equal(hidden, printed, truth) == []


def test_a_wave_against_the_next_change_fails(built):
    """A hidden n of wave W is not printed as n_to (or n_from) of a change row."""
    hidden = _hidden_respondent_counts(built)
    truth = _true_respondents(built)
    change = _open_data(built, "change")
    welch = change[~change["hidden"] & (change["method"] == "welch")]
    printed = [((c, w, r), int(float(n))) for c, w, r, n in zip(welch["construct"], welch["to_wave"], welch["region"],
                                                                welch["n_to"])]
    printed += [((c, w, r), int(float(n))) for c, w, r, n in zip(welch["construct"], welch["from_wave"],
                                                                 welch["region"], welch["n_from"])]
    assert printed
    assert _printed_equal(hidden, printed, truth) == []


def test_panel_against_response_rates_fails(built):
    """A hidden panel n_from is never a printed ``responded``: where the two are one count,
    either both are hidden or the panel row is hidden for another count in it (retained)."""
    from folge.disclosure import cell_key

    published = read_published_dir(built / "reports" / "_site")
    panel = _open_data(built, "panel")
    rates = _open_data(built, "response_rates")
    responded = rates[rates["role"] == "all"].set_index(["region", "wave"])
    true_panel = pd.read_csv(built / "results" / "panel.csv", dtype=TEXT)
    checked = 0
    for row in panel[panel["hidden"]].itertuples():
        key = (row.region, row.from_wave)
        truth = true_panel[(true_panel["region"] == row.region) & (true_panel["from_wave"] == row.from_wave)
                           & (true_panel["to_wave"] == row.to_wave)]["n_from"].iloc[0]
        if key not in responded.index or responded.loc[key, "hidden"]:
            continue
        if float(responded.loc[key, "responded"]) != float(truth):
            continue
        checked += 1
        own = cell_key(kind="panel", region=row.region, from_wave=row.from_wave, to_wave=row.to_wave)
        assert own in published, key  # n_from was never hidden: the row hides its retained count
        assert float(truth) >= load_study(built).min_n
    assert len(panel) and panel["hidden"].any()  # there were hidden panel rows to attack


def test_markers_do_not_tell_primary_from_secondary(built):
    data = built / "reports" / "_site" / "data"
    for path in data.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str)
        assert "suppression" not in frame.columns, path.name
    package = (data / "datapackage.json").read_text(encoding="utf-8")
    assert "primary" not in package and "secondary" not in package
    for qmd in (built / "reports" / "_site" / "_source").rglob("*.qmd"):
        text = qmd.read_text(encoding="utf-8")
        assert "*for få svar*" not in text and "*too few answers*" not in text, qmd.name


def _stated_small_counts(text: str, min_n: int) -> list[str]:
    found = []
    for match in STATED_N.finditer(text):
        numbers = [int(g) for g in match.groups() if g is not None]
        # "(n = 3 < 5)": the first is the count; "n = 12 og 3": both are counts
        counts = numbers[:1] if "<" in match.group(0) else numbers
        if any(0 < k < min_n for k in counts):
            found.append(match.group(0))
    return found


def test_no_small_count_appears_in_any_text(built):
    study = load_study(built)
    site = built / "reports" / "_site"
    pages = [*site.rglob("*.qmd"), *site.rglob("*.html")]
    assert pages
    for page in pages:
        text = re.sub(r'src="data:[^"]*"', "", page.read_text(encoding="utf-8"))
        assert _stated_small_counts(text, study.min_n) == [], page.name
    for source in (built / "results" / "criteria.csv", site / "data" / "criteria.csv"):
        criteria = pd.read_csv(source, dtype=str, keep_default_na=False)
        for column in ("reason", "reason_en"):
            if column in criteria.columns:
                stated = [s for reason in criteria[column] for s in _stated_small_counts(reason, study.min_n)]
                assert stated == [], (source.parent.name, column, stated[:3])


def test_the_text_scan_would_see_a_small_count():
    assert _stated_small_counts("for få svar i bølge 2015-1 (n = 3 < 5)", 5) == ["n = 3 < 5"]
    assert _stated_small_counts("endring +0,20 (n = 40 og 3, p = 0,01)", 5) == ["n = 40 og 3"]
    assert _stated_small_counts("snitt 3,25 (n = 275, ensidig p = 1,000)", 5) == []
