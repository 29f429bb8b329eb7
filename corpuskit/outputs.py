"""Output folders that corpuskit writes into without ever touching a file it did not write.

A command that writes results (``corpuskit figures``) keeps a manifest in its
output folder: ``.corpuskit-manifest.json`` lists the name and sha256 of every
file the last run wrote. The rules that follow from it:

* a file in the folder that the manifest does not list is never replaced or
  removed (unless ``force``, and then only a file the run writes itself);
* a listed file whose bytes changed since (a user edited it) is not overwritten
  (one line naming it; ``force`` overrides) and, if the run no longer writes it,
  it stays and leaves the manifest;
* a listed, unchanged file that this run does not write (an ``.svg`` after
  ``--formats png``) is stale output and is removed;
* everything is written to a hidden temporary folder inside the output folder
  first and moved into place only when every file is complete.

>>> from corpuskit.outputs import check_out_dir
>>> check_out_dir("figures")
PosixPath('figures')
"""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import re
import shutil
import tempfile
from typing import Iterable

from .errors import CorpuskitError

__all__ = ["MANIFEST", "OutputError", "check_out_dir", "check_conflicts", "commit_outputs", "read_manifest"]

MANIFEST = ".corpuskit-manifest.json"
_FORMAT = "corpuskit-outputs"
_VERSION = 1
_TMP_PREFIX = ".corpuskit-tmp-"
_PLAIN_NAME = re.compile(r"[^/\\\x00]+")


class OutputError(CorpuskitError):
    """The output folder cannot be written as asked (names the folder or file and what to do)."""


def _sha256(path: pathlib.Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_out_dir(out: str | os.PathLike) -> pathlib.Path:
    """Check, before any work, that ``out`` is (or can become) a writable folder; returns it as a Path.

    Nothing is created: a missing folder is made only when the outputs are written.
    """
    out = pathlib.Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out}: is an existing file, not a folder; choose a folder for the outputs")
    probe = out
    while not probe.exists():  # the nearest existing ancestor is where the folder would be made
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise OutputError(f"--out {out}: {probe} is a file, so no folder can be made below it; choose another --out")
    try:  # a real write: permission bits do not tell root, read-only mounts or /proc apart
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as exc:
        raise OutputError(f"--out {out}: {probe} is not writable ({exc.strerror or exc}); "
                          "choose a folder you can write to") from None
    return out


def read_manifest(out: str | os.PathLike) -> dict[str, str]:
    """The ``{name: sha256}`` the last run recorded in ``out`` ({} when there is no manifest)."""
    path = pathlib.Path(out) / MANIFEST
    if not path.exists():
        return {}
    fix = "remove it (the files it lists are then treated as yours) or pass --force"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OutputError(f"{path}: not a corpuskit manifest ({exc}); {fix}") from None
    files = data.get("files") if isinstance(data, dict) else None
    if (not isinstance(data, dict) or data.get("format") != _FORMAT or data.get("version") != _VERSION
            or not isinstance(files, dict)):
        raise OutputError(f"{path}: not a corpuskit manifest (format {_FORMAT} version {_VERSION}); {fix}")
    for name, digest in files.items():
        # a manifest only ever names plain files in its own folder: never a path that leads elsewhere
        if (not _PLAIN_NAME.fullmatch(name) or name in (".", "..") or name == MANIFEST
                or not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest)):
            raise OutputError(f"{path}: entry {name!r} is not a file name with a sha256; {fix}")
    return dict(files)


def _manifest(out: pathlib.Path, force: bool) -> dict[str, str]:
    try:
        return read_manifest(out)
    except OutputError:
        if force:  # an unreadable manifest vouches for nothing: nothing stale is removed, it is rewritten
            return {}
        raise


def _ours(path: pathlib.Path, manifest: dict[str, str]) -> bool | None:
    """True: written by corpuskit and unchanged; False: changed or not ours; None: absent."""
    if not path.exists() and not path.is_symlink():
        return None
    if path.is_symlink() or not path.is_file():
        return False  # we write regular files only: a link or folder is the user's
    digest = manifest.get(path.name)
    return digest is not None and _sha256(path) == digest


def check_conflicts(out: str | os.PathLike, names: Iterable[str], force: bool = False) -> None:
    """Refuse (one line) if writing ``names`` into ``out`` would replace a file corpuskit did not write.

    With ``force``, files of these names are replaced even so (other files are still never touched).
    """
    out = pathlib.Path(out)
    if not out.is_dir():
        return
    manifest = _manifest(out, force)
    changed, foreign = [], []
    for name in sorted(set(names)):
        state = _ours(out / name, manifest)
        if state is False:
            (changed if name in manifest else foreign).append(name)
    if force:
        for name in changed + foreign:
            if (out / name).is_dir() and not (out / name).is_symlink():
                raise OutputError(f"{out / name}: is a folder where the run writes a file; move it away")
        return
    if changed:
        raise OutputError(f"{out}: {', '.join(changed)} changed since corpuskit wrote "
                          f"{'it' if len(changed) == 1 else 'them'}; move {'it' if len(changed) == 1 else 'them'} "
                          "away or pass --force to overwrite")
    if foreign:
        raise OutputError(f"{out}: {', '.join(foreign)} already exist{'s' if len(foreign) == 1 else ''} and "
                          f"{'was' if len(foreign) == 1 else 'were'} not written by corpuskit; choose another --out "
                          "or pass --force to overwrite")


def staging_dir(out: str | os.PathLike) -> pathlib.Path:
    """A hidden temporary folder inside ``out`` (made if needed) to write outputs into first."""
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return pathlib.Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=out))


def commit_outputs(out: str | os.PathLike, staged: pathlib.Path, force: bool = False) -> tuple[list[pathlib.Path], list[str]]:
    """Move every file of ``staged`` into ``out``, remove stale outputs, write the manifest.

    Returns (files written, names of earlier outputs kept because the user changed them).
    ``staged`` is removed in every case.
    """
    out = pathlib.Path(out)
    try:
        names = sorted(p.name for p in staged.iterdir())
        check_conflicts(out, names, force=force)
        old = _manifest(out, force)
        new = {name: _sha256(staged / name) for name in names}
        written = []
        for name in names:
            dest = out / name
            if dest.is_symlink():
                dest.unlink()  # replace the link itself, never the file it points to
            os.replace(staged / name, dest)
            written.append(dest)
        kept = []
        for name in sorted(set(old) - set(new)):
            state = _ours(out / name, old)
            if state:
                (out / name).unlink()
            elif state is False:
                kept.append(name)
        body = json.dumps({"format": _FORMAT, "version": _VERSION, "files": new}, indent=1, sort_keys=True) + "\n"
        tmp = staged / MANIFEST
        tmp.write_text(body, encoding="utf-8")
        os.replace(tmp, out / MANIFEST)
        return written, kept
    finally:
        shutil.rmtree(staged, ignore_errors=True)
