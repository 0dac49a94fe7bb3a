"""One way to find an option (or any named row) from what a user typed, for every command that takes one.

The order is fixed so that a name never silently means another: the exact name first, then a number from
1, then the name ignoring case, then a prefix of it. A case-insensitive match or a prefix that fits more
than one name is refused with the names it fits, instead of taking the first (with options `API` and `api`,
`--option Api` is ambiguous; `--option api` is `api`).
"""

from __future__ import annotations

from collections.abc import Sequence


class LookupFailed(ValueError):
    """No row, or more than one, answers to the text; worded for the user."""


def resolve(names: Sequence[str], text: str | int, what: str = "option") -> int:
    """The index of the row `text` names in `names`."""
    typed = str(text).strip()
    if typed in names:
        if names.count(typed) > 1:  # validation refuses duplicate names; a caller may pass others
            raise LookupFailed(f"{what} {typed!r} names {names.count(typed)} rows")
        return names.index(typed)
    if typed.isdigit():
        k = int(typed)
        if 1 <= k <= len(names):
            return k - 1
    folded = typed.casefold()
    for hits in (
        [i for i, n in enumerate(names) if n.casefold() == folded],
        [i for i, n in enumerate(names) if folded and n.casefold().startswith(folded)],
    ):
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            fits = ", ".join(repr(names[i]) for i in hits)
            raise LookupFailed(
                f"{what} {typed!r} is ambiguous: it fits {fits} (type the exact name or a number)"
            )
    choices = ", ".join(repr(n) for n in names) or "none"
    number = f"; or a number 1-{len(names)}" if names else ""
    raise LookupFailed(f"no {what} {typed!r} ({what}s: {choices}{number})")
