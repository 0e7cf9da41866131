"""Reading YAML keeps line numbers, and reading a file again never serves an old parse."""

from __future__ import annotations

import os

from folge.definitions._yaml import line_of, read_yaml


def test_a_file_rewritten_at_once_with_the_same_size_and_time_stamp_is_read_anew(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text("min_n: 5\nname: a\n", encoding="utf-8")
    first = read_yaml(path)
    stamp = path.stat()
    path.write_text("min_n: 7\nname: b\n", encoding="utf-8")  # same size
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # same time stamp
    second = read_yaml(path)
    assert (first.data["min_n"], second.data["min_n"]) == (5, 7)
    assert second.data["name"] == "b"


def test_reading_the_same_text_twice_gives_equal_independent_documents_with_lines(tmp_path):
    path = tmp_path / "instrument.yaml"
    path.write_text("id: survey\nitems:\n  - id: q1\n  - id: q2\n", encoding="utf-8")
    first = read_yaml(path)
    first.data["items"].append({"id": "changed"})
    first.data["id"] = "changed"
    second = read_yaml(tmp_path / "instrument.yaml")
    assert second.data["id"] == "survey" and len(second.data["items"]) == 2
    assert line_of(second.data, "items") == 2
    assert line_of(second.data["items"], 1) == 4
    third = read_yaml(path)
    assert third.data == second.data and third.data is not second.data


def test_a_syntax_error_is_reported_every_time(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("a: [1, 2\n", encoding="utf-8")
    for _ in range(2):
        doc = read_yaml(path)
        assert doc.data is None and doc.error and doc.error_line >= 1
