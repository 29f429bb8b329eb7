"""Every number the README's findings quote is one that `corpuskit figures` wrote to summary.json."""
import json
import re

from conftest import ROOT

NUMBER = re.compile(r"(?<![\w.])[−+-]?\d+\.\d+(?![\w.])")


def leaves(node):
    if isinstance(node, dict):
        for v in node.values():
            yield from leaves(v)
    elif isinstance(node, list):
        for v in node:
            yield from leaves(v)
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield float(node)


def quoted_numbers(section: str) -> list[str]:
    return NUMBER.findall(section)


def findings_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^## Findings\n(.*?)(?=^## )", text, re.S | re.M)
    assert m, "README needs a '## Findings' section"
    return m.group(1)


def matches(quoted: str, values: list[float]) -> bool:
    x = float(quoted.replace("−", "-"))
    decimals = len(quoted.split(".")[1])
    return any(round(v, decimals) == round(x, decimals) or round(abs(v), decimals) == abs(x) for v in values)


def test_number_extraction_sees_signed_decimals_only():
    assert quoted_numbers("shift +0.28 [−0.17, 0.73], p = 0.20 in 2006 from 5 docs, v1.0.0") == \
        ["+0.28", "−0.17", "0.73", "0.20"]


def test_readme_numbers_come_from_summary_json():
    values = list(leaves(json.loads((ROOT / "figures" / "summary.json").read_text(encoding="utf-8"))))
    quoted = quoted_numbers(findings_section())
    assert len(quoted) >= 10, "the findings should quote the library's numbers"
    missing = [q for q in quoted if not matches(q, values)]
    assert not missing, f"README quotes numbers not in figures/summary.json: {missing}"
