"""Codebook and XLSForm exports of the shipped instruments."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from folge.cli import cli
from folge.definitions import load_study
from folge.forms import CODEBOOK_COLUMNS, codebook

INSTRUMENTS = ["participant-survey", "region-status", "gathering-evaluation"]


def test_codebook_columns_and_rows(repo_root, tmp_path):
    out = tmp_path / "codebook.csv"
    result = CliRunner().invoke(cli, ["instruments", "export", "participant-survey", "--study", str(repo_root),
                                      "--format", "codebook", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CODEBOOK_COLUMNS
    study = load_study(repo_root)
    survey = study.instruments["participant-survey"]
    assert [r["item"] for r in rows] == list(survey.item_ids)
    assert [int(r["position"]) for r in rows] == list(range(1, len(rows) + 1))
    first = rows[0]
    assert first["instrument"] == "participant-survey" and first["version"] == str(survey.version)
    assert {r["reverse"] for r in rows} == {"true", "false"}
    text_rows = [r for r in rows if r["scale"] == "text"]
    assert text_rows and all(r["min"] == "" and r["max"] == "" for r in text_rows)
    agree = next(r for r in rows if r["scale"] == "agree5")
    assert (agree["min"], agree["max"], agree["missing_codes"]) == ("1", "5", "9")


def test_codebook_joins_several_missing_codes(repo_root):
    from dataclasses import replace

    survey = load_study(repo_root).instruments["participant-survey"]
    item = survey.items[0]
    scale = replace(item.scale, missing={**item.scale.missing, 8: item.scale.missing[9]})
    construct = replace(survey.constructs[0], items=(replace(item, scale=scale),))
    table = codebook(replace(survey, constructs=(construct,)))
    assert table.loc[0, "missing_codes"] == "8;9"


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_xlsform_converts_with_pyxform(repo_root, tmp_path, instrument):
    from pyxform.xls2xform import convert

    out = tmp_path / f"{instrument}.xlsx"
    result = CliRunner().invoke(cli, ["instruments", "export", instrument, "--study", str(repo_root),
                                      "--format", "xlsform", "-o", str(out)])
    assert result.exit_code == 0, result.output
    converted = convert(xlsform=str(out))
    xml = converted.xform
    assert f'id="{instrument}"' in xml
    study = load_study(repo_root)
    for construct in study.instruments[instrument].constructs:
        assert f"/{construct.id}/" in xml
    assert 'lang="Norsk bokmål (nb)"' in xml and 'lang="Norsk nynorsk (nn)"' in xml


def test_export_unknown_instrument_suggests(repo_root, tmp_path):
    result = CliRunner().invoke(cli, ["instruments", "export", "participant-survy", "--study", str(repo_root),
                                      "--format", "codebook", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code != 0
    assert "did you mean 'participant-survey'" in result.output


def test_check_command_exit_codes(repo_root, tmp_path):
    runner = CliRunner()
    assert runner.invoke(cli, ["instruments", "check", "--study", str(repo_root)]).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nversion: 1\nlevel: respondent\ntitle: {nb: a, nn: a, en: a}\n"
                   "constructs:\n  - id: c\n    kind: scale\n    title: {nb: a, nn: a, en: a}\n    items: []\n",
                   encoding="utf-8")
    result = runner.invoke(cli, ["instruments", "check", "--study", str(repo_root), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:9: empty-construct" in result.output
