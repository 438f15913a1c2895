"""Fill the source language's catalogue: every msgstr is its msgid (so it is complete, not empty).

Usage: python -m multilingual.fill_source_catalogue translations/en/LC_MESSAGES/messages.po
"""

import sys

from babel.messages.pofile import read_po, write_po


def fill(po_path: str) -> int:
    """Copy each msgid into its msgstr (both plural forms); return how many were filled."""
    with open(po_path, "rb") as handle:
        catalogue = read_po(handle, locale="en")
    filled = 0
    for message in catalogue:
        if not message.id:
            continue
        wanted = tuple(message.id) if isinstance(message.id, tuple) else message.id
        if message.string != wanted:
            message.string = wanted
            filled += 1
        message.flags.discard("fuzzy")
    with open(po_path, "wb") as handle:
        write_po(handle, catalogue, width=0, sort_by_file=True)
    return filled


if __name__ == "__main__":
    print(f"{fill(sys.argv[1])} English strings filled in {sys.argv[1]}")
