"""Documents residents ask about (户口本, 出生证明, 接种本 ...): a confident hit is not an answer when the question
is about a document that its service does not deal with.

Neighbouring guides score high on the rest of such a question: "户口本丢了 补办要户主本人去吗" reads like
居民身份证换领补领 and "娃的接种本弄丢了 上小学要查" like 义务教育入学报名, whose answers say nothing about the
document asked about. The table (``dict/documents.tsv``, written form -> document) is edited like the synonyms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from knowledge.text import normalize, read_synonyms

# Right after a document, these make it the subject of the question ("户口本丢了", "接种本弄丢了", "驾照到期"),
# not a material to bring ("查公积金要带身份证吗").
_ABOUT_THE_DOCUMENT = re.compile(r".{0,3}?(?:丢|补|掉|坏|改|换|过期|到期|注销|遗失|找不到|不见)")


@dataclass(frozen=True)
class Documents:
    forms: dict[str, str]  # written form -> document
    pattern: re.Pattern[str]  # any written form, longest first

    def named(self, text: str) -> set[str]:
        return self._named(normalize(text))

    def asked_about(self, text: str) -> set[str]:
        """The documents the question is about: each named right before a loss or a change."""
        return self._asked_about(normalize(text))

    def about_another(self, question: str, own: frozenset[str], materials: frozenset[str]) -> bool:
        """The question names a document, none of the service's own (`own`: in its name, aliases, keywords or
        typical questions), and one it names is neither a material of the service nor just brought along."""
        text = normalize(question)  # once: this runs on every confident search
        named = self._named(text)
        if not named or named & own:
            return False
        return bool(named - materials or self._asked_about(text))

    def _named(self, text: str) -> set[str]:
        return {self.forms[match.group()] for match in self.pattern.finditer(text)}

    def _asked_about(self, text: str) -> set[str]:
        return {
            self.forms[match.group()]
            for match in self.pattern.finditer(text)
            if _ABOUT_THE_DOCUMENT.match(text, match.end())
        }

    def among(self, texts: Iterable[str]) -> frozenset[str]:
        return frozenset(self.named(" ".join(texts)))


def read_documents(path: Path) -> Documents:
    forms = read_synonyms(path)
    alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
    return Documents(forms=forms, pattern=re.compile(alternatives or r"(?!)"))
