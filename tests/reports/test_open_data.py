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
        # why a row is hidden: primary (too few answers) or secondary (protects another row)
        why = frame["suppression"].fillna("")
        assert set(why[hidden]) <= {"primary", "secondary"} and (why[hidden] != "").all(), name
        assert (why[~hidden] == "").all(), name


def test_small_region_is_suppressed_in_open_data(site):
    frame = pd.read_csv(site.out_dir / "data" / "construct_means.csv")
    gamma = frame[frame["region"] == "gamma"]
    assert len(gamma) and gamma["suppressed"].all()
    assert (gamma["suppression"] == "primary").any()
    delta = frame[(frame["region"] == "delta") & (frame["role"] == "all")]
    assert delta["suppressed"].all()  # secondary: the next-smallest region
    assert (delta["suppression"] == "secondary").all()
    beta_roles = frame[(frame["region"] == "beta") & (frame["role"] != "all")]
    assert beta_roles["suppressed"].all()  # one role below min_n hides beta's breakdown
    alfa_roles = frame[(frame["region"] == "alfa") & (frame["role"] != "all")]
    assert not alfa_roles["suppressed"].any()


@pytest.mark.parametrize("name", ["criteria.csv", "construct_means.csv", "item_shares.csv", "trust_matrix.csv"])
def test_csv_is_utf8_comma_separated(site, name):
    raw = (site.out_dir / "data" / name).read_bytes()
    raw.decode("utf-8")
    assert raw.split(b"\n", 1)[0].count(b",") >= 3


def test_datapackage_describes_suppression(site):
    package = json.loads((site.out_dir / "data" / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        names = [f["name"] for f in resource["schema"]["fields"]]
        assert {"n", "suppressed", "suppression"} <= set(names), resource["name"]
        field = next(f for f in resource["schema"]["fields"] if f["name"] == "suppression")
        assert field["constraints"]["enum"] == ["primary", "secondary"] and field["description"]
        assert "rules" not in names  # criteria.csv's internal rule JSON stays out of the open data
