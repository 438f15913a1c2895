"""Accept-Language headers and where each must lead: one table for Python, nginx and the browser.

`expected` is the language folder, or None for "stay on the language chooser". The headers
are checked against plugins/serving/negotiation.py (the reference), the njs module nginx runs
and theme/static/js/language-lookup.js, so the three cannot drift apart.
"""

import random

EU = (
    "bg", "es", "cs", "da", "de", "et", "el", "en", "fr", "ga", "hr", "it",
    "lv", "lt", "hu", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "fi", "sv",
)  # fmt: skip

CASES = [
    ("fi", "fi"),
    ("de-AT,de;q=0.9", "de"),
    ("de-AT", "de"),
    ("FI-fi", "fi"),
    ("sw", None),  # a language the portal does not have: the chooser
    ("", None),
    ("fi;q=0", None),  # q=0: "not acceptable"
    ("fi;q=0, sv;q=0.5", "sv"),
    ("sw, fi;q=0.3, sv;q=0.5", "sv"),  # highest acceptable quality wins, not header order
    ("en;q=0.5, fr;q=0.5", "en"),  # equal quality: header order
    ("fr;q=0.5, en;q=0.5", "fr"),
    ("*", "en"),  # anything: the default language
    ("sw, *;q=0.1", "en"),
    ("en;q=0, *", None),  # anything but English: nothing left to choose by default
    ("de-x-private", "de"),
    ("zh-Hant-TW, ga-IE;q=0.8", "ga"),
    ("fi;q=1.5", None),  # an invalid quality value makes the entry invalid
    ("fi;q=abc, sv", "sv"),
    ("fi;q=0.001", "fi"),
    ("pt-BR;q=0.9, pt;q=0", None),  # pt excluded: pt-BR cannot fall back to it
    ("   mt  ;  q=0.8 ,el;q=0.7", "mt"),
    ("de-CH-1996", "de"),
    ("123, fi", "fi"),
    ("el-GR,el;q=0.9,en-US;q=0.8,en;q=0.7", "el"),
]


def random_headers(count: int, seed: int = 20261127) -> list[str]:
    """Return `count` varied, mostly well-formed Accept-Language headers (reproducibly)."""
    rng = random.Random(seed)
    pool = [*EU, "sw", "zh", "ja", "no", "x", "*", "en-GB", "de-AT", "pt-BR", "fr-CA", "sr-Latn"]
    qualities = ["", ";q=0", ";q=1", ";q=0.5", ";q=0.9", ";q=0.123", ";q=1.000", ";q=0.",
                 ";q=2", ";q=-1", " ; q=0.7", ";level=1"]  # fmt: skip
    headers = []
    for _ in range(count):
        items = []
        for _ in range(rng.randint(0, 5)):
            tag = rng.choice(pool)
            if rng.random() < 0.2:
                tag = tag.upper()
            items.append(tag + rng.choice(qualities))
        headers.append(rng.choice([",", ", ", " ,"]).join(items))
    return headers
