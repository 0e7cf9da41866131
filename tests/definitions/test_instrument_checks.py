"""One inline invalid definition per check rule: the code and the line are asserted."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from folge.definitions import check_definitions, load_instruments
from folge import DefinitionError

SCALES = """\
scales:
  agree5:
    type: ordinal
    points: 5
    labels:
      nb: [a, b, c, d, e]
      nn: [a, b, c, d, e]
      en: [a, b, c, d, e]
    missing:
      9: {nb: Vet ikke, nn: Veit ikkje, en: Don't know}
  agree6:
    type: ordinal
    points: 6
    labels:
      nb: [a, b, c, d, e, f]
      nn: [a, b, c, d, e, f]
      en: [a, b, c, d, e, f]
  yesno:
    type: binary
    labels: {nb: [Nei, Ja], nn: [Nei, Ja], en: ["No", "Yes"]}
"""

VALID = """\
id: mini
version: 1
level: respondent
title: {nb: Mini, nn: Mini, en: Mini}
constructs:
  - id: trust
    kind: scale
    title: {nb: Tillit, nn: Tillit, en: Trust}
    items:
      - {id: tr1, scale: agree5, text: {nb: a, nn: a, en: a}}
      - {id: tr2, scale: agree5, text: {nb: b, nn: b, en: b}}
      - {id: tr3, scale: agree5, reverse: true, text: {nb: c, nn: c, en: c}}
"""


def _study(tmp_path: Path, instrument: str, name: str = "mini.yaml") -> Path:
    (tmp_path / "instruments").mkdir(exist_ok=True)
    (tmp_path / "instruments" / "scales.yaml").write_text(SCALES, encoding="utf-8")
    path = tmp_path / "instruments" / name
    path.write_text(textwrap.dedent(instrument), encoding="utf-8")
    return path


def _codes(tmp_path: Path, instrument: str) -> list[tuple[str, int]]:
    path = _study(tmp_path, instrument)
    return [(p.code, p.line) for p in check_definitions(tmp_path, [path]) if p.is_error]


def test_valid_instrument_has_no_problems(tmp_path):
    assert _codes(tmp_path, VALID) == []
    instrument = load_instruments(tmp_path)["mini"]
    assert instrument.item_ids == ("tr1", "tr2", "tr3")
    assert instrument.item("tr3").reverse is True
    assert instrument.construct("trust").scale.values == (1, 2, 3, 4, 5)


def test_unknown_scale_with_did_you_mean(tmp_path):
    bad = VALID.replace("{id: tr2, scale: agree5", "{id: tr2, scale: agre5")
    path = _study(tmp_path, bad)
    problems = check_definitions(tmp_path, [path])
    unknown = [p for p in problems if p.code == "unknown-scale"]
    assert [(p.code, p.line) for p in unknown] == [("unknown-scale", 11)]
    assert "did you mean 'agree5'" in unknown[0].message


def test_duplicate_item_id(tmp_path):
    assert _codes(tmp_path, VALID.replace("{id: tr2,", "{id: tr1,")) == [("duplicate-item", 11)]


def test_duplicate_item_id_across_instruments(tmp_path):
    _study(tmp_path, VALID)
    other = VALID.replace("id: mini", "id: other").replace("id: trust", "id: trust2")
    _study(tmp_path, other, "other.yaml")
    problems = [p for p in check_definitions(tmp_path) if p.code == "duplicate-item"]
    assert len(problems) == 3
    assert all(p.file.endswith("other.yaml") for p in problems)


@pytest.mark.parametrize("bad_id", ["Tr2", "2tr", "tr-2", "t" * 33])
def test_bad_item_id(tmp_path, bad_id):
    assert _codes(tmp_path, VALID.replace("{id: tr2,", f"{{id: '{bad_id}',")) == [("bad-item-id", 11)]


def test_items_on_different_scales(tmp_path):
    bad = VALID.replace("{id: tr2, scale: agree5", "{id: tr2, scale: agree6")
    assert _codes(tmp_path, bad) == [("mixed-scales", 9)]


def test_missing_translation(tmp_path):
    bad = VALID.replace("{id: tr1, scale: agree5, text: {nb: a, nn: a, en: a}}",
                        "{id: tr1, scale: agree5, text: {nb: a, en: a}}")
    assert _codes(tmp_path, bad) == [("missing-translation", 10)]


def test_reverse_on_binary_item(tmp_path):
    bad = VALID.replace("scale: agree5", "scale: yesno").replace("kind: scale", "kind: index")
    assert _codes(tmp_path, bad) == [("reverse-non-ordinal", 12)]


def test_empty_construct(tmp_path):
    bad = VALID.split("    items:")[0] + "    items: []\n"
    assert _codes(tmp_path, bad) == [("empty-construct", 9)]


def test_unknown_construct_kind(tmp_path):
    bad = VALID.replace("kind: scale", "kind: scael")
    codes = _codes(tmp_path, bad)
    assert codes == [("unknown-kind", 7)]
    path = tmp_path / "instruments" / "mini.yaml"
    message = [p for p in check_definitions(tmp_path, [path]) if p.code == "unknown-kind"][0].message
    assert "did you mean 'scale'" in message


def test_too_few_items(tmp_path):
    bad = VALID.replace("      - {id: tr3, scale: agree5, reverse: true, text: {nb: c, nn: c, en: c}}\n", "")
    assert _codes(tmp_path, bad) == [("too-few-items", 9)]


def test_yaml_syntax_error_has_its_line(tmp_path):
    bad = VALID.replace("title: {nb: Mini, nn: Mini, en: Mini}", "title: {nb: Mini, nn: Mini, en: Mini")
    codes = _codes(tmp_path, bad)
    assert [c for c, _ in codes] == ["yaml-syntax"]
    assert codes[0][1] in (4, 5)


def test_unknown_trust_target(tmp_path):
    bad = VALID.replace("{id: tr1, scale: agree5,", "{id: tr1, scale: agree5, target: busines,")
    assert _codes(tmp_path, bad) == [("unknown-target", 10)]


def test_every_problem_reported_at_once(tmp_path):
    bad = (VALID.replace("{id: tr1,", "{id: Tr1,")
           .replace("scale: agree5, reverse", "scale: agre5, reverse")
           .replace("kind: scale", "kind: weird"))
    codes = {c for c, _ in _codes(tmp_path, bad)}
    assert {"bad-item-id", "unknown-scale", "unknown-kind"} <= codes


def test_label_count_must_match_points(tmp_path):
    _study(tmp_path, VALID)
    scales = tmp_path / "instruments" / "scales.yaml"
    scales.write_text(SCALES.replace("nb: [a, b, c, d, e]\n", "nb: [a, b, c, d]\n", 1), encoding="utf-8")
    problems = [(p.code, p.line) for p in check_definitions(tmp_path, [scales]) if p.is_error]
    assert problems == [("label-count", 6)]


def test_load_raises_with_every_error(tmp_path):
    _study(tmp_path, VALID.replace("{id: tr1,", "{id: Tr1,").replace("{id: tr2,", "{id: Tr2,"))
    with pytest.raises(DefinitionError) as info:
        load_instruments(tmp_path)
    assert [p.code for p in info.value.problems] == ["bad-item-id", "bad-item-id"]
    assert "mini.yaml:10: bad-item-id" in str(info.value)
