"""Write the parts of the Rasa data that are derived from a table elsewhere, so they cannot drift:

- domain.yml: the `not_intent` list of every form-conditioned `from_text` slot mapping, and the conditions of
  every `from_text` mapping that takes a form's trigger message ("我要投诉，窗口排队三小时") — only while no form
  is active, so that a later message read as the same intent never overwrites what was written — from the
  forms table (actions/forms.py);
- nlu_data/regex.yml: the case-number regex, from the case kinds (contract/case_kinds.py).

Usage (Rasa environment, which has ruamel.yaml): `python scripts/generate_rasa_data.py [--check]`.
`make train` runs it before training; `--check` exits 1 when a file is not what it would write.
Comments and layout of the files are kept (round-trip YAML).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq

from actions.forms import FORM_BY_TRIGGER, FORMS, not_intent
from contract.case_kinds import PREFIXES

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ROOT / "domain.yml"
REGEX = ROOT / "nlu_data" / "regex.yml"


def _yaml() -> YAML:
    yaml = YAML()
    yaml.width = 4096  # keep long flow lists on one line
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    # "active_loop: null" rather than an empty value: what Rasa's docs write.
    yaml.representer.add_representer(
        type(None), lambda representer, _: representer.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def _flow(items: list[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def case_number_regex() -> str:
    # Residents often type the prefix in lower case; no letter before it and no digit after it.
    return rf"(?<![A-Za-z])(?i:{'|'.join(PREFIXES)})[0-9]{{8,}}(?![0-9])"


def _no_form() -> CommentedSeq:
    """The condition that no form is active. (Rasa refuses conditions naming a form the slot is not in; a form
    switched from carries the message over itself: actions/leave_form.py.)"""
    return CommentedSeq([{"active_loop": None}])


def domain_text(text: str) -> str:
    yaml = _yaml()
    domain = yaml.load(text)
    for spec in domain["slots"].values():
        for mapping in spec.get("mappings", []):
            trigger = FORM_BY_TRIGGER.get(str(mapping.get("intent")))
            if mapping.get("type") == "from_text" and trigger is not None and trigger.opening:
                mapping["conditions"] = _no_form()
                continue
            conditions = mapping.get("conditions") or []
            if mapping.get("type") != "from_text" or not conditions or "requested_slot" not in conditions[0]:
                continue
            form = FORMS[conditions[0]["active_loop"]]
            listed = _flow(not_intent(form, conditions[0]["requested_slot"]))
            if "not_intent" in mapping:
                mapping["not_intent"] = listed
            else:  # before the conditions, where a person would write it (and clear of trailing comments)
                mapping.insert(list(mapping).index("conditions"), "not_intent", listed)
    out = io.StringIO()
    yaml.dump(domain, out)
    return out.getvalue()


def regex_text(text: str) -> str:
    yaml = _yaml()
    data = yaml.load(text)
    for entry in data["nlu"]:
        if entry.get("regex") == "case_number":
            entry["examples"] = type(entry["examples"])(f"- {case_number_regex()}\n")
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for path, generate in ((DOMAIN, domain_text), (REGEX, regex_text)):
        current = path.read_text(encoding="utf-8")
        wanted = generate(current)
        if wanted != current:
            stale.append(path.relative_to(ROOT))
            if not check:
                path.write_text(wanted, encoding="utf-8")
    if check and stale:
        print("not generated from the tables, run scripts/generate_rasa_data.py:", *stale, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
