"""What a question is about that a confident guide may not deal with: the documents residents ask about (户口本,
出生证明, 接种本 ...) and the procedures they ask for (注销, 变更, 迁出 ...). A confident hit is not an answer when
the question is about one that its service does not deal with.

Neighbouring guides score high on the rest of such a question: "户口本丢了 补办要户主本人去吗" reads like
居民身份证换领补领, "娃的接种本弄丢了 上小学要查" like 义务教育入学报名 and "个体户注销执照要跑几个地方" like
个体工商户设立登记, whose answers say nothing about the document or the procedure asked about. The tables
(``dict/documents.tsv``, ``dict/procedures.tsv``: written form -> document or procedure) are edited like the synonyms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from knowledge.text import normalize, read_synonyms

# Right after a document, these make it the subject of the question: a loss or a change ("户口本丢了",
# "接种本弄丢了", "驾照到期") or what is on it ("户口本上的名字", "户口本上年龄"), not a material to bring
# ("查公积金要带身份证吗", "带身份证上民政局").
_ABOUT_THE_DOCUMENT = re.compile(
    r".{0,3}?(?:丢|补|掉|坏|改|换|过期|到期|注销|遗失|找不到|不见)"
    r"|上(?:的|面|边|头|写|印|记|登记|显示|名|姓名|年龄|岁数|出生|生日|性别|民族|地址|住址|照片|相片|号|信息)"
)
# A procedure followed by 后 is what came before the question, not one asked for ("公司注销后公积金怎么提取"); 补
# followed by these is another word ("疫苗怎么补种", "社保怎么补缴", "能补贴多少").
_NOT_BEFORE = r"(?![以之]?后|种|缴|交|贴|助|课|考|齐|充|录)"


@dataclass(frozen=True)
class Subjects:
    """The documents or the procedures a question may be about, in the written forms of one table."""

    forms: dict[str, str]  # written form -> document or procedure
    pattern: re.Pattern[str]  # any written form, longest first
    # Right after a form, makes it what the question is about; None: every one named is (a procedure named is
    # one asked for: "个体户注销执照").
    about: re.Pattern[str] | None

    def named(self, text: str) -> set[str]:
        return self._scan(normalize(text))[0]

    def asked_about(self, text: str) -> set[str]:
        """The ones the question is about (a document before a loss or a change, a procedure asked for)."""
        return self._scan(normalize(text))[1]

    def about_another(self, text: str, own: frozenset[str], materials: frozenset[str] = frozenset()) -> bool:
        """The question (`text`, normalized) is about one that is none of the service's `own` (named in the
        service's own texts), or none it names is own and one is not among the service's `materials` either."""
        named, asked = self._scan(text)  # one scan: this runs on every search
        return bool(asked - own) or (not named & own and bool(named - materials))

    def among(self, texts: Iterable[str]) -> frozenset[str]:
        return frozenset(self.named(" ".join(texts)))

    def _scan(self, text: str) -> tuple[set[str], set[str]]:
        named: set[str] = set()
        asked: set[str] = set()
        for match in self.pattern.finditer(text):
            named.add(self.forms[match.group()])
            if self.about is None or self.about.match(text, match.end()):
                asked.add(self.forms[match.group()])
        return named, asked


def read_documents(path: Path) -> Subjects:
    return _read(path, _ABOUT_THE_DOCUMENT)


def read_procedures(path: Path) -> Subjects:
    return _read(path, None, form_end=_NOT_BEFORE)


def _read(path: Path, about: re.Pattern[str] | None, form_end: str = "") -> Subjects:
    forms = read_synonyms(path)
    alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
    pattern = re.compile(f"(?:{alternatives}){form_end}" if forms else r"(?!)")
    return Subjects(forms=forms, pattern=pattern, about=about)
