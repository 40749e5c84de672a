"""Highest specificity the documentation supports (ICD-10-CM Official Guidelines FY2026 I.B.2:
"code to the highest number of characters available"; I.B.13 laterality; I.C.19.a 7th
characters), and what is left unspecified.

From the code the index gave (possibly a category with '-'), look at the billable codes under it
(or beside it, when the index gave an "unspecified" code) and keep the one whose axes (laterality,
acuity, type, stage, severity, exacerbation, …, read from its title) agree with the attributes
documented around the mention. An axis a code asserts that the note does not document rules the
code out; an axis the note documents that a code does not state costs nothing. Title words that
are neither documented nor axes count against a code, so the default subdivision wins when the
note says nothing more.

>>> from coderight.codesets.codebook import Codebook  # doctest: +SKIP
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..nlp.attributes import dims
from ..nlp.text import norm_words

_GENERIC = frozenset("""of and with unspecified other specified site type disease disorder nos nec
encounter part region the or in to by for as without not unilateral""".split())
_DIM_WORDS = frozenset("""right left bilateral acute chronic subacute on systolic diastolic combined stage
mild moderate severe intermittent persistent exacerbation uncomplicated intractable migrainosus status
trimester first second third initial subsequent sequela displaced nondisplaced congestive""".split())


@dataclass
class Refinement:
    code: str
    title: str
    how: list[str] = field(default_factory=list)
    open_axes: dict[str, list[str]] = field(default_factory=dict)
    """Axes the chosen code leaves unspecified while a sibling specifies them: axis → values."""


class Specifier:
    def __init__(self, tabular):
        self.tab = tabular
        self._dims = lru_cache(maxsize=50_000)(self._title_dims)
        self._words = lru_cache(maxsize=50_000)(self._title_words)
        self._leaves = lru_cache(maxsize=20_000)(self.leaves)
        self._vocab = lru_cache(maxsize=20_000)(self._anchor_vocab)
        self._memo: dict = {}

    def _anchor_vocab(self, anchor: str) -> frozenset:
        out: set[str] = set()
        for c in self._leaves(anchor):
            out |= self._words(c)
        return frozenset(out)

    def _title_dims(self, code: str) -> tuple[tuple[str, str], ...]:
        # parenthesised words are nonessential modifiers ("stage 4 (severe)", "with (acute) exacerbation")
        return tuple(sorted(dims(norm_words(re.sub(r"\([^)]*\)", " ", self.tab.get(code).title))).items()))

    def _title_words(self, code: str) -> frozenset:
        t = self.tab.get(code).title
        t = re.sub(r"\bwithout\b.*$", "", t, flags=re.I)  # what a code excludes is not a claim
        return frozenset(norm_words(t))

    def leaves(self, anchor: str) -> list[str]:
        """Billable codes under anchor, 7th-character completions folded to their base."""
        out = []
        tab = self.tab
        for c in [anchor, *tab.descendants(anchor)]:
            if tab.requires_seventh(c):
                out.append(c)
            elif tab.is_billable(c):
                parent = tab.get(c).parent
                if not (parent and tab.requires_seventh(parent)):
                    out.append(c)
        return out

    def refine(self, code: str, attrs: dict[str, str], context: frozenset = frozenset()) -> Refinement:
        """The most specific code under/beside `code` the attributes support."""
        tab = self.tab
        code = code.rstrip("-").rstrip(".")
        node = tab.find(code)
        if node is not None and node.billable and not attrs and "unspecified" not in node.title.lower():
            return Refinement(node.code, node.title)
        key = (code, tuple(sorted(attrs.items())), context)
        got = self._memo.get(key)
        if got is None:
            got = self._refine(code, node, attrs, context)
            if len(self._memo) > 50_000:
                self._memo.clear()
            self._memo[key] = got
        return Refinement(got.code, got.title, list(got.how), dict(got.open_axes))

    def _refine(self, code, node, attrs, context) -> Refinement:
        tab = self.tab
        if node is None:
            # the index can name a subcategory the tabular prints with a placeholder
            return Refinement(code, "", ["unknown code"])
        anchor = node.code
        how: list[str] = []
        base_title = node.title.lower()
        if node.billable or tab.requires_seventh(anchor):
            if ("unspecified" in base_title or attrs) and node.parent and len(node.parent) >= 3 and node.kind != "category":
                parent = tab.get(node.parent)
                if parent.kind in ("category", "subcategory"):
                    anchor = parent.code
        cands = self._leaves(anchor)
        if not cands:
            return Refinement(node.code, node.title, ["no billable code below"])
        anchor_words = frozenset(norm_words(tab.get(anchor).title))
        # the code the index named is documented by the note's words: its own title words are known,
        # so a climb to the category never trades it for a less specific sibling (I34.0 → I34.9)
        known = anchor_words | frozenset(norm_words(node.title)) | context | frozenset(attrs.values())
        scored = []
        inherent = {v for v in ("chronic", "acute") if v in anchor_words}
        for c in cands:
            cd = dict(self._dims(c))
            if cd.get("acuity") in inherent:
                del cd["acuity"]  # "chronic" of "chronic kidney disease" is the name, not an axis
            score = 0.0
            ok = True
            for axis, val in cd.items():
                if axis == "episode":
                    continue
                have = attrs.get(axis)
                if have is None:
                    if val in ("no", "unspecified"):
                        continue
                    if axis == "displacement" and val == "displaced":
                        continue  # I.C.19.c.1: a fracture not stated as displaced or not is coded displaced
                    if axis == "acuity" and val == "chronic" and axis not in attrs and "chronic" in anchor_words:
                        continue
                    ok = False
                    break
                if have == val or (axis == "stage" and val == "3" and have in ("3a", "3b")):
                    score += 2 if have == val else 1
                elif axis == "stage" and have == "esrd" and val in ("5",):
                    score += 0.5
                else:
                    ok = False
                    break
            if not ok:
                continue
            extra = self._words(c) - known - _GENERIC - _DIM_WORDS
            extra = {w for w in extra if not w.isdigit()}
            score -= 0.5 * len(extra)
            t = tab.get(c).title.lower()
            if "unspecified" in t:
                score += 0.1  # the default when nothing more is said
            if t.startswith("other") and not node.title.lower().startswith("other"):
                score -= 0.3  # a residual "other" subdivision needs a documented reason
            if c == node.code:
                score += 0.15  # beats a sibling "unspecified" default: the index's own code stays
            scored.append((score, -len(c), c))
        if not scored:
            best = node.code if node.billable else None
            if best is None:
                # nothing fits: fall back to the unspecified subdivision
                uns = [c for c in cands if "unspecified" in tab.get(c).title.lower()]
                best = (uns or cands)[0]
                how.append(f"{node.code} needs more characters; documentation supports none: {best}")
        else:
            scored.sort(reverse=True)
            best = scored[0][2]
            if best != node.code:
                how.append(f"{node.code} → {best} by documented {', '.join(f'{k}={v}' for k, v in sorted(attrs.items()))}"
                           if attrs else f"{node.code} → {best} (default subdivision)")
        # axes left open: a sibling states a value the note did not document
        chosen = dict(self._dims(best))
        open_axes: dict[str, set] = {}
        for c in cands:
            for axis, val in self._dims(c):
                if axis in ("episode",) or val in ("no", "unspecified"):
                    continue
                if axis not in attrs and axis not in chosen:
                    open_axes.setdefault(axis, set()).add(val)
        return Refinement(best, tab.get(best).title, how, {k: sorted(v) for k, v in open_axes.items()})

    def seventh(self, code: str, episode: str | None) -> tuple[str, str | None]:
        """Add the 7th character (episode of care; I.C.19.a): initial 'A' by default for an
        injury treated now, 'D' subsequent, 'S' sequela. Placeholder X is added as needed."""
        tab = self.tab
        if not tab.requires_seventh(code):
            return code, None
        found = tab.seventh_characters(code)
        chars = dict(found[1]) if found else {}
        want = {"subsequent": "D", "sequela": "S"}.get(episode or "", "A")
        if want not in chars:
            want = "A" if "A" in chars else next(iter(chars))
        try:
            return tab.with_seventh(code, want), f"7th character {want} ({chars.get(want, '')})"
        except Exception:  # noqa: BLE001 - tabular exceptions to the 7th-character list
            for ch in chars:
                try:
                    return tab.with_seventh(code, ch), f"7th character {ch}"
                except Exception:  # noqa: BLE001
                    continue
        return code, None
