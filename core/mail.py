"""Plain-text e-mail that carries words a person wrote to someone else.

A platform that mails what its users type is a relay for whoever signs up. Text written by
a person is therefore framed as theirs (quoted, with their name, and a line saying the site
did not write it), and anything in it that a mail client would turn into a link is written
so that it will not be: ``https://x.org`` becomes ``hxxps://x[.]org``. The reader can still
read and copy it; nobody is one click from a page the sender chose.
"""

from __future__ import annotations

import re

_SCHEME = re.compile(r"\b(h)(tt)(ps?)(:)//", re.IGNORECASE)
_OTHER_SCHEME = re.compile(r"\b(mailto|ftp|file|data|javascript|tel|sms)(:)", re.IGNORECASE)
# A dot between two labels of a host name ("evil.example.org", "www.x.com"): clients
# link bare domains too, so every such dot is broken. Dots in prose ("end. Next") and in
# numbers ("3.5") have no letter-led label after them and are left alone.
_HOST_DOT = re.compile(r"(?<=[A-Za-z0-9-])\.(?=[A-Za-z][A-Za-z0-9-]*)")
_SPACES = re.compile(r"\s+")


def defang(text: str) -> str:
    """``text`` with links and host names made unclickable but still readable."""
    text = _SCHEME.sub(lambda m: f"{m.group(1)}xx{m.group(3)}[:]//", text)
    text = _OTHER_SCHEME.sub(lambda m: f"{m.group(1)}[:]", text)
    return _HOST_DOT.sub("[.]", text)


def one_line(text: str) -> str:
    """A header-safe single line (subjects): every run of white space becomes one space."""
    return _SPACES.sub(" ", text).strip()


def quoted(author: str, text: str) -> str:
    """``text`` framed as ``author``'s own words, ready to put in a mail body."""
    lines = [f"> {line}".rstrip() for line in defang(text.strip()).splitlines()]
    return (
        f"{defang(one_line(author))} wrote (their own words, not checked by Commonplace; "
        "links are shown but not clickable):\n" + "\n".join(lines)
    )
