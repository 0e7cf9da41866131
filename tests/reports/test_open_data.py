"""Open data: every published aggregate as CSV with n and suppressed, a valid data package."""

from __future__ import annotations

import json

import pandas as pd
import pytest

#: Numeric columns that describe the row rather than report a respondent figure.
KEY_NUMBERS = {"value", "threshold", "invited", "exempt"}


def test_datapackage_validates_with_frictionless(site):
    from frictionless import validate

    report = validate(str(site.out_dir / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    package = json.loads((site.out_dir / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert {r["path"] for r in package["resources"]} == set(site.data_files)


def test_every_csv_has_n_and_suppressed_and_nothing_small(site, study):
    folder = site.out_dir / "data"
    assert site.data_files
    for name in site.data_files:
        frame = pd.read_csv(folder / name, encoding="utf-8", keep_default_na=True)
        assert {"n", "suppressed"} <= set(frame.columns), name
        numbers = [c for c in frame.select_dtypes("number").columns if c not in KEY_NUMBERS | {"n"}]
        hidden = frame["suppressed"].astype(bool)
        # region-level facts (status reports) and verdicts without any figure are exempt from min_n
        fact = frame["exempt"].astype(bool) if "exempt" in frame.columns else False
        shown = frame[~hidden & ~fact]
        assert (shown["n"] >= study.min_n).all(), name
        assert frame.loc[hidden, numbers + ["n"]].isna().all().all(), name
        # the flag does not say why a row is hidden (primary or secondary would narrow the attack)
        assert "suppression" not in frame.columns, name


def test_small_region_is_suppressed_in_open_data(site):
    frame = pd.read_csv(site.out_dir / "data" / "construct_means.csv")
    gamma = frame[frame["region"] == "gamma"]
    assert len(gamma) and gamma["suppressed"].all()
    # gamma's n cannot be the national n minus the other regions': another region hides with it
    totals = frame[frame["role"] == "all"]
    for _, sub in totals.groupby(["construct", "wave"]):
        regions = sub[sub["region"] != "all"]
        assert regions["suppressed"].sum() != 1
    beta_roles = frame[(frame["region"] == "beta") & (frame["role"] != "all")]
    assert beta_roles["suppressed"].all()  # one role below min_n hides beta's breakdown
    # a role breakdown inside a region is shown whole or not at all
    roles = frame[(frame["region"] != "all") & (frame["role"] != "all")]
    for _, sub in roles.groupby(["construct", "wave", "region"]):
        assert sub["suppressed"].all() or not sub["suppressed"].any()


@pytest.mark.parametrize("name", ["criteria.csv", "construct_means.csv", "item_shares.csv", "trust_matrix.csv"])
def test_csv_is_utf8_comma_separated(site, name):
    raw = (site.out_dir / "data" / name).read_bytes()
    raw.decode("utf-8")
    assert raw.split(b"\n", 1)[0].count(b",") >= 3


def test_datapackage_describes_suppression(site):
    package = json.loads((site.out_dir / "data" / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        names = [f["name"] for f in resource["schema"]["fields"]]
        assert {"n", "suppressed"} <= set(names), resource["name"]
        assert "suppression" not in names and "secondary" not in resource["description"]
        assert "rules" not in names  # criteria.csv's internal rule JSON stays out of the open data
