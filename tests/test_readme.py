"""Every number the README's findings quote is the value `corpuskit figures` wrote under a named key.

Each decimal number in the "## Findings" section carries its key in an HTML comment right after it
(no space), which the rendered README does not show::

    the mean is 0.30<!-- stance/documents/hand-coded/000/stance --> for 2006

The key is a path into figures/summary.json with segments separated by ``/``: summary.json's keys may
contain ``:``, ``-`` or ``.`` (``2006:threat``, ``hand-coded``) but never ``/``. A segment into a list is
its index, e.g. ``keyness/top_a/0/z``. The quoted number must equal the stored value rounded to the decimals
quoted, sign included: ``0.30`` matches 0.3, ``0.27`` matches 0.273, ``−0.10`` matches -0.097 but
``0.10`` does not. Integers ("k = 3", "80 sentences") need no key.
"""
import json
import re

from conftest import ROOT

# a decimal, not part of a word or a version (v1.0.0); a sentence's closing period may follow it
NUMBER = re.compile(r"(?<![\w.])[−+-]?\d+\.\d+(?!\w|\.\d)")
# a number with its key comment, or a comment on its own (skipped, so its text is never read as a number)
TOKEN = re.compile(rf"(?P<number>{NUMBER.pattern})(?:<!--\s*(?P<key>.*?)\s*-->)?|<!--.*?-->", re.S)


def quoted_numbers(section: str) -> list[str]:
    return NUMBER.findall(section)


def findings_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^## Findings\n(.*?)(?=^## )", text, re.S | re.M)
    assert m, "README needs a '## Findings' section"
    return m.group(1)


def summary() -> dict:
    return json.loads((ROOT / "figures" / "summary.json").read_text(encoding="utf-8"))


def lookup(tree, key: str):
    """The value at ``key`` (segments separated by ``/``); KeyError naming the first missing segment.

    >>> lookup({"a": [{"b:c": 1.5}]}, "a/0/b:c")
    1.5
    """
    node = tree
    for i, seg in enumerate(key.split("/")):
        if isinstance(node, dict) and seg in node:
            node = node[seg]
        elif isinstance(node, list) and seg.isdigit() and int(seg) < len(node):
            node = node[int(seg)]
        else:
            raise KeyError(f"no '{seg}' under '{'/'.join(key.split('/')[:i]) or '(top)'}'")
    return node


def check_numbers(section: str, tree: dict) -> list[str]:
    """One line per quoted decimal that lacks a key comment or differs from the value under its key.

    >>> check_numbers("p = 0.6<!-- p -->, q = 0.7", {"p": 0.61})
    ["0.7 (at '…p = 0.6, q = 0.7…') has no <!-- key --> comment after it"]
    """
    problems = []
    for m in TOKEN.finditer(section):
        quoted, key = m.group("number"), m.group("key")
        if quoted is None:
            continue
        before = re.sub(r"<!--.*?-->", "", section[:m.start()], flags=re.S)[-20:]
        where = ("…" + before + quoted + "…").replace("\n", " ")
        if not key:
            problems.append(f"{quoted} (at '{where}') has no <!-- key --> comment after it")
            continue
        try:
            value = lookup(tree, key)
        except KeyError as e:
            problems.append(f"{quoted} (at '{where}'): key '{key}' is not in summary.json: {e.args[0]}")
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{quoted} (at '{where}'): key '{key}' holds {value!r}, not a number")
            continue
        decimals = len(quoted.split(".")[1])
        if round(value, decimals) != float(quoted.replace("−", "-")):
            problems.append(f"{quoted} (at '{where}'): summary.json has {key} = {value}, "
                            f"which rounds to {round(value, decimals):.{decimals}f}")
    return problems


def test_number_extraction_sees_signed_decimals_only():
    assert quoted_numbers("shift +0.28 [−0.17, 0.73], p = 0.20 in 2006 from 5 docs, v1.0.0, 1.2.3a") == \
        ["+0.28", "−0.17", "0.73", "0.20"]


def test_number_extraction_sees_a_number_that_ends_a_sentence():
    assert quoted_numbers("p cannot go below 0.2. Hand codes: p = 0.749.\n") == ["0.2", "0.749"]


def test_readme_numbers_equal_the_values_under_their_keys():
    section = findings_section()
    assert len(quoted_numbers(section)) >= 10, "the findings should quote the library's numbers"
    problems = check_numbers(section, summary())
    assert not problems, "README findings vs figures/summary.json:\n" + "\n".join(problems)


TREE = {"stance": {"000": 0.3, "001": 0.273}, "shift": {"estimate": -0.097}, "top": [{"z": 2.52}],
        "frames": {"2006:threat": 0.154}, "note": "text"}


def test_checker_accepts_rounded_and_signed_numbers():
    text = ("0.30<!-- stance/000 -->, 0.3<!-- stance/000 -->, 0.27<!-- stance/001 -->, "
            "−0.10<!-- shift/estimate -->, -0.1<!-- shift/estimate -->, 2.5<!-- top/0/z -->, "
            "0.15<!-- frames/2006:threat --> in 2006 from 5 docs")
    assert check_numbers(text, TREE) == []


def test_checker_rejects_a_wrong_number():
    assert check_numbers("mean 0.30<!-- stance/000 -->", TREE) == []
    problems = check_numbers("mean 0.31<!-- stance/000 -->", TREE)
    assert problems == ["0.31 (at '…mean 0.31…'): summary.json has stance/000 = 0.3, which rounds to 0.30"]


def test_checker_rejects_a_wrong_sign():
    problems = check_numbers("shift 0.10<!-- shift/estimate -->", TREE)
    assert len(problems) == 1 and "shift/estimate = -0.097" in problems[0] and "-0.10" in problems[0]


def test_checker_rejects_a_wrong_readme_number():
    section = findings_section()
    assert "0.30<!-- stance/documents/hand-coded/000/stance -->" in section
    wrong = section.replace("0.30<!-- stance/documents/hand-coded/000/stance -->",
                            "0.31<!-- stance/documents/hand-coded/000/stance -->")
    problems = check_numbers(wrong, summary())
    assert len(problems) == 1 and problems[0].startswith("0.31 ") and "hand-coded/000/stance = 0.3" in problems[0]


def test_checker_reports_a_missing_key_comment():
    assert check_numbers("mean 0.30 for 000", TREE) == \
        ["0.30 (at '…mean 0.30…') has no <!-- key --> comment after it"]
    # a comment separated by a space belongs to no number
    assert len(check_numbers("mean 0.30 <!-- stance/000 -->", TREE)) == 1


def test_checker_reports_a_key_not_in_summary():
    problems = check_numbers("mean 0.30<!-- stance/005 -->, z 2.52<!-- top/3/z -->", TREE)
    assert problems == ["0.30 (at '…mean 0.30…'): key 'stance/005' is not in summary.json: no '005' under 'stance'",
                        "2.52 (at '…mean 0.30, z 2.52…'): key 'top/3/z' is not in summary.json: no '3' under 'top'"]


def test_checker_reports_a_key_that_holds_no_number():
    problems = check_numbers("x 0.30<!-- note -->, y 0.30<!-- stance -->", TREE)
    assert len(problems) == 2 and "holds 'text'" in problems[0] and "holds {" in problems[1]


def test_every_readme_key_comment_follows_a_number():
    # a key comment detached from its number (e.g. by an edit) would silently check nothing
    section = findings_section()
    comments = re.findall(r"<!--.*?-->", section, re.S)
    attached = [m.group("key") for m in TOKEN.finditer(section) if m.group("key")]
    assert len(comments) == len(attached)


def test_the_readme_quick_start_runs(monkeypatch):
    # the first python block is the quick start a reader copies: it must run as printed, from the repository root
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    assert "ck.load_corpus(\"seeds\")" in block
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(block, "README.md quick start", "exec"), namespace)
    assert len(namespace["corpus"]) == 5 and set(namespace["stance"]["id"]) <= set(namespace["corpus"].ids)


def test_ungd_japan_findings_equal_their_study_summary():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^## Findings: Japan at the UN General Debate.*?\n(.*?)(?=^## )", text, re.S | re.M)
    assert m, "README needs the Japan at the UN findings section"
    tree = json.loads((ROOT / "figures" / "ungd_japan" / "summary.json").read_text(encoding="utf-8"))
    assert len(quoted_numbers(m.group(1))) >= 20
    problems = check_numbers(m.group(1), tree)
    assert not problems, "README findings vs figures/ungd_japan/summary.json:\n" + "\n".join(problems)
