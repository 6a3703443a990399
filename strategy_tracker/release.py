"""The release of the running code, a part of the key of every cached page.

Cached reports and strategy outlines are HTML (and built objects) made by the code that was running:
keyed by the data's change markers only, they would outlive a deployment that changes how a page is
written (a template, a translation, a number format, a library) for as long as they are kept — a
strategy outline for a day. With the release in their keys, a new release renders afresh, and during a
rolling restart old and new workers never serve each other's copies.

The release is `DJANGO_RELEASE` when the deployment sets it (a tag or commit), otherwise a fingerprint
of what renders pages: the project's Python modules, templates, translation catalogues, static files and
the lock file of its libraries (tests, media and the virtual environment left out)."""

import hashlib
import os
from pathlib import Path

SUFFIXES = frozenset({".py", ".html", ".txt", ".po", ".css", ".js", ".svg", ".lock"})
SKIPPED = frozenset(
    {
        ".git",
        ".venv",
        "node_modules",
        "__pycache__",
        ".ruff_cache",
        "tests",
        "media",
        "staticfiles",
        "fixtures",
    }
)


def code_release(base: Path) -> str:
    release = os.environ.get("DJANGO_RELEASE", "").strip()
    if release:
        return release
    digest = hashlib.sha256()
    for path in _sources(base):
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _sources(base: Path) -> list[Path]:
    found = []
    for directory, subdirectories, files in os.walk(base):
        subdirectories[:] = [d for d in subdirectories if d not in SKIPPED and not d.startswith(".")]
        found += [Path(directory, name) for name in files if Path(name).suffix in SUFFIXES]
    return sorted(found)
