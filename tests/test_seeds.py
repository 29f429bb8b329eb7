"""The study corpus: provenance of every date, and cleaning that keeps whole articles."""
import csv
import hashlib

import pandas as pd
import pytest

from conftest import ROOT, SEEDS

META = list(csv.DictReader(open(SEEDS / "metadata.csv", encoding="utf-8", newline="")))


def test_seed_files_are_byte_exact_copies_of_the_scrape():
    # seeds/SHA256SUMS was written from shared/seeds when the copies were made (sha256sum -c checks it there)
    recorded = dict(line.split()[::-1] for line in (SEEDS / "SHA256SUMS").read_text().splitlines())
    assert sorted(recorded) == sorted(row["file"] for row in META)
    for row in META:
        ours = (SEEDS / row["file"]).read_bytes()
        assert hashlib.sha256(ours).hexdigest() == recorded[row["file"]], row["file"]


@pytest.mark.parametrize("row", META, ids=[r["id"] for r in META])
def test_every_date_evidence_quote_is_in_the_raw_file(row):
    raw = (SEEDS / row["file"]).read_text(encoding="utf-8")
    quotes = row["date_evidence"].split(" | ")
    assert quotes and all(q.strip() for q in quotes)
    for q in quotes:
        assert q in raw, f"{row['id']}: {q!r} not in {row['file']}"


def test_five_documents_dated_as_the_text_supports(seeds):
    df = seeds.to_frame()
    assert df["id"].tolist() == ["000", "001", "002", "003", "004"]
    assert str(df["date"].dtype).startswith("datetime64")
    got = dict(zip(df["id"], zip(df["date"].dt.strftime("%Y-%m-%d"), df["date_precision"])))
    assert got == {"000": ("2006-07-01", "month"), "001": ("2021-08-01", "month"),
                   "002": ("2023-01-13", "day"), "003": ("2024-12-01", "month"), "004": ("2021-08-01", "month")}
    assert df.loc[df.id == "003", "date_end"].iloc[0] == pd.Timestamp("2024-12-31")
    assert df["year"].tolist() == [2006, 2021, 2023, 2024, 2021]
    assert df.set_index("id").loc["003", ["outlet", "author"]].tolist() == ["East Asia Forum", "Ben Sando"]
    assert df.set_index("id").loc["004", "author"] == "Yao Chung-yuan"
    assert df.set_index("id").loc["004", "outlet"] == ""
    assert df.set_index("id").loc["002", "outlet"] == "askanews"
    assert all(t.strip() for t in df["title"])


def test_003_date_note_states_the_bound():
    row = next(r for r in META if r["id"] == "003")
    assert "2024-12-14" in row["date_note"] and "2025-01-19" in row["date_note"]


# First and last words of each article body, as a reader finds them.
BODY = {
    "000": ("One outcome of the recent North Korean missile tests",
            "one of them might just be more Japanese involvement in Taiwan\u2019s defense."),
    "001": ("As concern about Chinese military ambitions grows across the region",
            "of expanding Chinese belligerence in Asia."),
    "002": ("Rome, 13 January The United States is willing", "This article is originally published on askanews.it"),
    "003": ("By Ben Sando In November 2024", "Source: This article was published at East Asia Forum"),
    "004": ("Even though there is no formal diplomatic relationship", "Translated by Edward Jones"),
}
FURNITURE = {
    "001": ["Sources:", "%20"],
    "003": ["Vous n'\u00eates pas connect\u00e9", "With support from Russia", "Ranjit Kumar Dhawan",
            "In 2024, North Korea underwent a series of seismic shifts"],
    "004": ["systematically dismantling", "Taiwan is a small, humble place", "After the coup in Burma",
            "John Bolton"],
}


@pytest.mark.parametrize("doc_id", sorted(BODY))
def test_clean_seed_keeps_whole_article_and_no_furniture(seeds, doc_id):
    text = seeds[doc_id].text
    first, last = BODY[doc_id]
    assert text.lstrip().startswith(first)
    assert text.rstrip().endswith(last)
    for f in FURNITURE.get(doc_id, []):
        assert f not in text, f"{doc_id} still contains furniture {f!r}"
    # Bylines, datelines, crossheads and author notes stay.
    for keep in {"002": ["About Tokyo", "Agreement With London", "Rome, 13 January"],
                 "003": ["By Ben Sando", "About the author: Ben Sando"],
                 "004": ["Yao Chung-yuan is a professor"]}.get(doc_id, []):
        assert keep in text


def test_every_body_paragraph_of_the_raw_file_survives(seeds):
    """Each raw line that is not recorded as removed is in the clean text, in order."""
    for doc in seeds:
        removed = [(r.start, r.end) for r in doc.cleaned.removals]
        pos = 0
        for line in doc.raw.splitlines(keepends=True):
            inside = any(s <= pos and pos + len(line) <= e for s, e in removed)
            if not inside and line.strip():
                assert line.strip() in doc.text
            pos += len(line)


def test_only_004_needed_a_metadata_override_and_the_readme_says_so():
    overridden = [r["id"] for r in META if r["body_start"] or r["body_end"]]
    assert overridden == ["004"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "004" in readme and "body_end" in readme


def test_removal_rules_per_seed(seeds):
    rem = seeds.removals()
    rules = rem.groupby("id")["rule"].apply(lambda s: sorted(set("+".join(s).split("+")))).to_dict()
    assert rules == {"001": ["url_encoded"], "003": ["ellipsis_teaser", "other_language", "repeated_line"],
                     "004": ["body_end"]}


def test_readme_removal_table_matches_the_library(seeds):
    import re
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## What cleaning removed"):]
    rem = seeds.removals()
    for doc in seeds:
        m = re.search(rf"^\| {doc.id} \| (\d+) \| ([\d,]+) \|", table, re.M)
        assert m, f"no README row for {doc.id}"
        n = int((rem["id"] == doc.id).sum())
        chars = int(rem.loc[rem["id"] == doc.id, "n_chars"].sum())
        assert (int(m.group(1)), int(m.group(2).replace(",", ""))) == (n, chars)
