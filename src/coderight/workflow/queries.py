"""Provider query templates: non-leading by construction.

A compliant query (AHIMA/ACDIS practice brief) presents the clinical indicators, offers
clinically reasonable options plus "other" and "clinically undetermined", and never mentions
reimbursement or leads to one answer. `render` builds the question from a template; `check`
refuses a free-text question that leads.
"""

from __future__ import annotations

import re

from .errors import Invalid

TEMPLATES: dict[str, dict] = {
    "specificity": {
        "title": "Further specificity",
        "question": "The record documents {topic}. Based on your clinical judgment, can the "
                    "diagnosis be further specified?",
        "needs_options": True,
    },
    "clinical-validation": {
        "title": "Clinical validation",
        "question": "{topic} is documented. Please review the clinical indicators in the record and "
                    "document whether the diagnosis is clinically supported.",
        "options": ["The diagnosis is confirmed and clinically supported",
                    "The diagnosis was ruled out"],
    },
    "conflicting-documentation": {
        "title": "Conflicting documentation",
        "question": "The record contains differing documentation regarding {topic}. Please clarify "
                    "the condition being treated.",
        "needs_options": True,
    },
    "present-on-admission": {
        "title": "Present on admission",
        "question": "Was {topic} present at the time of the inpatient admission?",
        "options": ["Yes, present on admission", "No, developed after admission"],
    },
    "cause-and-effect": {
        "title": "Relationship between conditions",
        "question": "The record documents {topic}. Based on your clinical judgment, please clarify "
                    "the relationship, if any, between these conditions.",
        "needs_options": True,
    },
}

ALWAYS = ["Other (please specify)", "Clinically undetermined"]

_LEADING = re.compile(
    r"\b(reimburse\w*|payment|paid|revenue|DRG|MCC|CC|HCC|RAF|risk score|money|\$\d|dollars?|"
    r"financial|increase|maximi[sz]e|please (add|document) (the )?(diagnosis|code))\b", re.I)


def check(text: str) -> None:
    """Refuse a leading query.

    >>> check("Please clarify the type of heart failure.")
    >>> check("Documenting acute systolic heart failure would add an MCC.")
    Traceback (most recent call last):
    ...
    coderight.workflow.errors.Invalid: a query may not lead or mention impact ('MCC')
    """
    m = _LEADING.search(text)
    if m:
        raise Invalid(f"a query may not lead or mention impact ({m.group(0)!r})")


def render(template: str, topic: str, options: list[str] | None = None) -> tuple[str, list[str]]:
    """The question and its options; "other" and "clinically undetermined" are always offered.

    >>> q, opts = render("specificity", "heart failure", ["Acute systolic", "Chronic diastolic"])
    >>> opts[-2:]
    ['Other (please specify)', 'Clinically undetermined']
    """
    t = TEMPLATES.get(template)
    if t is None:
        raise Invalid(f"unknown query template {template!r}", templates=sorted(TEMPLATES))
    if not topic.strip():
        raise Invalid("a query needs a topic (the documented condition)")
    opts = [o.strip() for o in (options or t.get("options") or []) if o and o.strip()]
    if t.get("needs_options") and len(opts) < 2:
        raise Invalid(f"template {template!r} needs at least two clinically reasonable options")
    question = t["question"].format(topic=topic.strip())
    for text in (question, *opts):
        check(text)
    return question, opts + [a for a in ALWAYS if a not in opts]
