"""The committed fixtures are what ``make_fixtures.py`` writes now (regenerate them after changing the survey)."""

from __future__ import annotations

import importlib.util

import openpyxl
import pytest


@pytest.fixture(scope="module")
def fresh(tmp_path_factory, helpers):
    spec = importlib.util.spec_from_file_location("make_platform_fixtures", helpers.FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("fresh")
    module.write_all(out)
    return out


@pytest.mark.parametrize("name", ["canonical.csv", "kobo_xml.csv", "kobo_labels_en.csv", "odk_central.csv",
                                  "limesurvey_codes.csv", "limesurvey_answers.csv", "nettskjema.csv",
                                  "questback_efs.csv"])
def test_text_fixture_is_current(fresh, helpers, name):
    assert (fresh / name).read_bytes() == (helpers.FIXTURES / name).read_bytes(), (
        f"{name} is stale: run python tests/fixtures/platforms/make_fixtures.py")


@pytest.mark.parametrize("name", ["kobo_xml_bare.xlsx", "kobo_labels.xlsx"])
def test_xlsx_fixture_is_current(fresh, helpers, name):
    def cells(path):
        book = openpyxl.load_workbook(path, read_only=True)
        try:
            return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()

    assert cells(fresh / name) == cells(helpers.FIXTURES / name)
