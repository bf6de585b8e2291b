"""What the user can get wrong: one clear line on stderr, exit status 2, no traceback."""

from kanat.cli import main


def run(capfd, args):
    code = main(args)
    captured = capfd.readouterr()
    return code, captured.err


def one_line(err: str) -> str:
    lines = [l for l in err.strip().splitlines() if l.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_missing_music(capfd, tmp_path):
    code, err = run(capfd, ["choreograph", str(tmp_path / "nope.wav"), "-o", str(tmp_path / "o")])
    assert code == 2
    line = one_line(err)
    assert "nope.wav" in line and "does not exist" in line


def test_text_renamed_to_wav(capfd, tmp_path):
    f = tmp_path / "notes.wav"
    f.write_text("these are my notes, not music\n" * 20)
    code, err = run(capfd, ["choreograph", str(f), "-o", str(tmp_path / "o")])
    assert code == 2
    line = one_line(err)
    assert "notes.wav" in line and "text" in line.lower()
    assert not (tmp_path / "o" / "score.yaml").exists()


def test_empty_file(capfd, tmp_path):
    f = tmp_path / "empty.ogg"
    f.write_bytes(b"")
    code, err = run(capfd, ["listen", str(f), "-o", str(tmp_path / "m.json")])
    assert code == 2
    line = one_line(err)
    assert "empty.ogg" in line and "empty" in line.lower()
    assert not (tmp_path / "m.json").exists()


def test_missing_score(capfd, tmp_path):
    code, err = run(capfd, ["render", str(tmp_path / "score.yaml"), "-o", str(tmp_path / "o")])
    assert code == 2
    assert "does not exist" in one_line(err)


def test_unknown_step_in_score_names_line_and_nearest(capfd, tmp_path, demo_score):
    text = demo_score.to_yaml().replace("step: préparation", "step: preparashun", 1)
    f = tmp_path / "score.yaml"
    f.write_text(text)
    line_no = next(i for i, l in enumerate(text.splitlines(), 1) if "preparashun" in l)
    code, err = run(capfd, ["render", str(f), "-o", str(tmp_path / "o"), "--no-video"])
    assert code == 2
    line = one_line(err)
    assert f"line {line_no}" in line and "did you mean 'préparation'" in line


def test_critique_of_a_folder_without_a_dance(capfd, tmp_path):
    code, err = run(capfd, ["critique", str(tmp_path)])
    assert code == 2
    assert "music.json" in one_line(err)


def test_bad_option_value(capfd, tmp_path):
    code, err = run(capfd, ["choreograph", "x.wav", "-o", str(tmp_path), "--innovation", "3"])
    assert code == 2
    assert "innovation" in err.lower()
