"""``folge contacts import``, opting out, ``folge erase --contact``; contacts stay out of results."""

from __future__ import annotations

from _mailsupport import OPTOUT, contacts_csv, parts, run_folge

from folge.definitions import load_study
from folge.mail import contact_pseudonym, find_optout, mail_counts, read_contacts, record_optout, valid_address
from folge.pseudonym import load_key
from folge.store import Store

WAVE = "2015-1"


def _write(tmp_path, text: str, name: str = "contacts.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def _rows(study):
    with Store.open(study) as store:
        return store.connection.execute(
            "SELECT email, region, role, name, language, opted_out_at FROM contacts ORDER BY email").fetchall()


def test_every_bad_row_is_reported_with_its_line_and_not_stored(study, tmp_path):
    path = _write(tmp_path, "name;email;region;role;language\n"
                            "Kari;kari@example.no;kongsberg;politician;nb\n"
                            "Ola;ola@example;kongsberg;politician;\n"          # 3: no dot in the domain
                            'Per;"per@example.no";kongsberg;mayor;\n'           # 4: unknown role
                            "Kari 2;KARI@example.no;sogn;business;\n"           # 5: duplicate of line 2
                            "\n"
                            "Siv;siv@example.no;sogn;business;de\n"             # 7: unknown language
                            "Åse;åse@example.no;sogn;business;\n")              # 8: not an ASCII address part
    code, out, err = run_folge("contacts", "import", "--study", str(study), str(path))
    assert code == 0
    lines = err.strip().splitlines()
    assert [line.split(":")[1] for line in lines] == ["3", "4", "5", "7", "8"]
    assert "unknown role 'mayor'" in lines[1] and "already on line 2" in lines[2] and "'de'" in lines[3]
    assert "stored 1," in out and "invalid 5" in out
    assert _rows(study) == [("kari@example.no", "kongsberg", "politician", "Kari", "nb", None)]


def test_reimport_updates_and_never_undoes_an_opt_out(study, tmp_path):
    first = _write(tmp_path, "email,region,role,name\nKari@Example.no,kongsberg,politician,Kari\n"
                             "ola@example.no,sogn,business,Ola\n")
    assert run_folge("contacts", "import", "--study", str(study), str(first))[0] == 0
    key = load_key(study)
    with Store.open(study) as store:
        from folge.mail import optout_id

        opaque = optout_id(key, contact_pseudonym(key, "kari@example.no"))
        assert find_optout(store.connection, opaque).opted_out is False
        assert record_optout(store.connection, opaque) and record_optout(store.connection, opaque)
        assert not record_optout(store.connection, "x" * 32)
        assert find_optout(store.connection, "x" * 32) is None
    second = _write(tmp_path, "email,region,role,name,language\nkari@example.no,sogn,business,Kari N,en\n"
                              "ola@example.no,sogn,business,Ola,\n", name="again.csv")
    code, out, err = run_folge("contacts", "import", "--study", str(study), str(second))
    assert code == 0 and "stored 0, oppdatert / updated 1, uendret / unchanged 1, ugyldige / invalid 0" in out
    kari = _rows(study)[0]
    assert kari[:5] == ("kari@example.no", "sogn", "business", "Kari N", "en") and kari[5] is not None


def test_unreadable_files_exit_1(study, tmp_path):
    code, out, err = run_folge("contacts", "import", "--study", str(study), str(tmp_path / "missing.csv"))
    assert code == 1 and "cannot read contacts file" in err
    path = _write(tmp_path, "mail,region,role\nkari@example.no,kongsberg,politician\n", name="nomail.csv")
    code, out, err = run_folge("contacts", "import", "--study", str(study), str(path))
    assert code == 1 and "lacks the column(s) email" in err
    latin = _write(tmp_path, "email,region,role,name\nkari@example.no,kongsberg,politician,Kåre\n",
                   name="latin.csv", encoding="cp1252")
    assert run_folge("contacts", "import", "--study", str(study), str(latin))[0] == 0
    assert _rows(study)[0][3] == "Kåre"


def test_opted_out_contacts_get_no_mail_and_are_counted(study, smtp, tmp_path):
    path = _write(tmp_path, contacts_csv())
    assert run_folge("contacts", "import", "--study", str(study), str(path))[0] == 0
    assert run_folge("invite", "--study", str(study), "--wave", WAVE, "--send")[0] == 0
    first = smtp.recorder.parsed()[0]
    opaque = OPTOUT.findall(parts(first)[0])[0]
    with Store.open(study) as store:
        assert record_optout(store.connection, opaque)
        counts = mail_counts(store.connection)
    assert sum(row["invited"] for row in counts) == 18 and sum(row["opted_out"] for row in counts) == 1
    code, out, err = run_folge("remind", "--study", str(study), "--wave", WAVE, "--send")
    assert code == 0 and "sent 17, hoppet over / skipped 1" in out
    assert first["To"].addresses[0].addr_spec not in [m["To"].addresses[0].addr_spec
                                                       for m in smtp.recorder.parsed()[18:]]


def test_erase_contact_removes_it_and_its_send_log(study, smtp, tmp_path):
    path = _write(tmp_path, contacts_csv())
    assert run_folge("contacts", "import", "--study", str(study), str(path))[0] == 0
    assert run_folge("invite", "--study", str(study), "--wave", WAVE, "--send")[0] == 0
    pseudonym = contact_pseudonym(load_key(study), "person01@example.no")
    code, out, err = run_folge("erase", "--study", str(study), "--contact", "PERSON01@example.no")
    assert code == 0 and "send log 1" in out, err
    with Store.open(study) as store:
        c = store.connection
        for table in ("contacts", "mail_log", "mail_tokens"):
            assert c.execute(f"SELECT COUNT(*) FROM {table} WHERE respondent = ?", (pseudonym,)).fetchone()[0] == 0
        assert c.execute("SELECT COUNT(*) FROM contacts").fetchone()[0] == 17
    assert run_folge("erase", "--study", str(study), "--contact", "a@b.no", "--pseudonym", "x")[0] == 2


def test_addresses_never_reach_results_or_exports(study, smtp, tmp_path):
    from _mailsupport import LINK, submit_through_store

    path = _write(tmp_path, contacts_csv())
    assert run_folge("contacts", "import", "--study", str(study), str(path))[0] == 0
    assert run_folge("invite", "--study", str(study), "--wave", WAVE, "--send")[0] == 0
    for message in smtp.recorder.parsed()[:6]:
        submit_through_store(study, LINK.findall(parts(message)[0])[0])
    out_file = tmp_path / "export.csv"
    code, _, err = run_folge("export", "--study", str(study), "--format", "csv", "-o", str(out_file))
    assert code == 0, err
    text = out_file.read_text(encoding="utf-8").lower()
    assert "@example.no" not in text and "person0" not in text
    with Store.open(study) as store:
        answers = store.responses("participant-survey")
    assert len(answers) == 6
    key = load_key(study)
    assert set(answers["respondent"]) <= {contact_pseudonym(key, f"person{i:02d}@example.no") for i in range(1, 21)}


def test_valid_address_and_read_contacts(study, tmp_path):
    assert valid_address("a.b+c@sub.example.no") is None
    for bad in ("", "a b@example.no", "a@@example.no", "a@example", ".a@example.no", "a@-x.no", "a@x.123"):
        assert valid_address(bad), bad
    path = _write(tmp_path, '\ufeffemail,region,role\n"x@example.no",kongsberg,politician\n')
    assert read_contacts(path, load_study(study)).rows[0]["email"] == "x@example.no"


def test_erasing_a_respondent_by_pseudonym_removes_the_contact_too(study, tmp_path):
    path = _write(tmp_path, "email,region,role\nkari@example.no,kongsberg,politician\n")
    assert run_folge("contacts", "import", "--study", str(study), str(path))[0] == 0
    pseudonym = contact_pseudonym(load_key(study), "kari@example.no")
    code, out, err = run_folge("erase", "--study", str(study), "--pseudonym", pseudonym)
    assert code == 0 and "erased 1" in out, out + err
    assert _rows(study) == []
