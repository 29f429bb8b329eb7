"""The ``corpuskit`` command line.

Every error is one line on stderr and a non-zero exit (2 for bad input), never a
traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings
from typing import Sequence

from .corpus import load_corpus
from .errors import CorpusError, CorpuskitError
from .figures import add_figures_command
from .tokenizer import tokenize

EXIT_BAD_INPUT = 2


def _info(args: argparse.Namespace) -> int:
    corpus = load_corpus(args.path, clean=not args.no_clean, all_errors=args.all_errors)
    rem = corpus.removals()
    header = f"{'id':<18} {'date':<10} {'prec':<5} {'words_raw':>9} {'words_clean':>11} {'removals':>8} {'chars_removed':>13}"
    print(header)
    tot_raw = tot_clean = tot_rem = tot_chars = 0
    for doc in corpus:
        w_raw, w_clean = len(tokenize(doc.raw)), len(tokenize(doc.text))
        n_rem = int((rem["id"] == doc.id).sum())
        chars = len(doc.raw) - len(doc.text)
        tot_raw, tot_clean, tot_rem, tot_chars = tot_raw + w_raw, tot_clean + w_clean, tot_rem + n_rem, tot_chars + chars
        print(f"{doc.id:<18} {doc.date.text:<10} {doc.date.precision:<5} {w_raw:>9} {w_clean:>11} {n_rem:>8} {chars:>13}")
    print(f"{'total (' + str(len(corpus)) + ' docs)':<34} {tot_raw:>9} {tot_clean:>11} {tot_rem:>8} {tot_chars:>13}")
    if args.removals and len(rem):
        print()
        for r in rem.itertuples():
            text = " ".join(r.text.split())
            print(f"{r.id:<18} {r.rule:<30} [{r.start}:{r.end}] {text[:70]}{'…' if len(text) > 70 else ''}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corpuskit",
        description="Dated news corpora: lossless cleaning, topics, stance and framing shift.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("info", help="one line per document (id, date, words raw and clean, removals) and totals",
                       description="Load a corpus and print one line per document: id, date and its precision, "
                                   "words in the raw and clean text, how many removals cleaning made and how many "
                                   "characters they hold; then totals.")
    p.add_argument("path", help="a folder of text files with metadata.csv, or a .csv, .jsonl or .parquet file")
    p.add_argument("--all-errors", action="store_true", help="report every problem in the corpus, not only the first")
    p.add_argument("--no-clean", action="store_true", help="switch cleaning off (clean text = raw text)")
    p.add_argument("--removals", action="store_true", help="also list every removal with its rule")
    p.set_defaults(func=_info)
    add_figures_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    # a warning is one line naming what it is about, printed once, never with a source line; a failed
    # run prints its one error line only (what it warned about before failing is beside the point)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        code = _run(args)
    if code == 0:
        for message in dict.fromkeys(str(w.message) for w in caught):
            print(f"corpuskit: warning: {message}", file=sys.stderr)
    return code


def _run(args) -> int:
    try:
        return int(args.func(args) or 0)
    except CorpusError as exc:
        for p in exc.problems:
            print(f"corpuskit: error: {p}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except CorpuskitError as exc:
        print(f"corpuskit: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"corpuskit: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("corpuskit: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: still one line, traceback on request
        if os.environ.get("CORPUSKIT_DEBUG"):
            raise
        print(f"corpuskit: internal error: {type(exc).__name__}: {exc} (please report it; set CORPUSKIT_DEBUG=1 "
              "for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
