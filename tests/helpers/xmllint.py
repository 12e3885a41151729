"""libxml2's xmllint on a document cecap wrote: well-formed to a reader that is not Python's."""

from __future__ import annotations

import shutil
import subprocess


def xmllint(text: str) -> None:
    """``xmllint --noout`` on ``text``: an AssertionError with its message unless it
    reads the document without a word (scripts/test.sh installs libxml2-utils)."""
    program = shutil.which("xmllint")
    assert program, "xmllint missing: scripts/test.sh installs libxml2-utils"
    done = subprocess.run(
        [program, "--noout", "-"], input=text.encode("utf-8"), capture_output=True, check=False
    )
    assert (done.returncode, done.stderr) == (0, b""), done.stderr.decode("utf-8", "replace")
