"""Modifier rules on suggested lines: 25 on a significant, separately identifiable E/M; LT/RT/50;
59 or X{EPSU} where services are distinct.

Sources:
- Modifier 25: NCCI Policy Manual ch. I §D and ch. XI; CMS Pub. 100-04 ch. 12 §30.6.6 and §40.1:
  an E/M on the day of a minor procedure (global 000/010) or of an injection / immunization /
  inhalation treatment paired with it by an NCCI PTP edit is included in the procedure unless it
  is significant and separately identifiable; the decision to perform a minor procedure is
  included in it. We require a problem addressed that the procedure does not treat.
- LT/RT/50: CMS PFS bilateral surgery indicator (1: report once with 50, one unit).
- 59 / XS: NCCI Policy Manual ch. I §E (different site or lesion); CMS prefers XE/XS/XP/XU for
  Medicare; CPT wound repair guidelines (less complicated repair with 59).

>>> from coderight.coding.procedures.model import Suggestion
>>> lines = [Suggestion("20610", "inj", laterality="B")]
>>> [(s.code, s.modifiers, s.units) for s in laterality_modifiers(lines, bilateral={"20610": "1"})]
[('20610', ['50'], 1)]
"""

from __future__ import annotations

import re

E_M_BUNDLED_XXX = frozenset({"96372", "90471", "90472", "90460", "90461", "94640", "96360", "96365", "96374",
                             "G0008", "G0009", "G0010", "69210"})
"""XXX-global services NCCI PTP pairs with office/ED E/M codes (modifier indicator 1)."""


def needs_25(procedures, global_days=None) -> list:
    """The lines that make an E/M on the same day need modifier 25."""
    out = []
    for s in procedures:
        if s.kind in ("drug", "supply", "vaccine"):
            continue
        g = None
        if global_days is not None:
            try:
                g = global_days(s.code)
            except Exception:  # noqa: BLE001 - a code the PFS does not list
                g = None
        if g in ("000", "010") or s.code in E_M_BUNDLED_XXX:
            out.append(s)
    return out


def separately_identifiable(problems, procedures) -> tuple[bool, list]:
    """Problems addressed that none of the procedures treats (by the procedure's indication words)."""
    words = set()
    for s in procedures:
        words.update(re.sub(r"(?<=[a-z]{3})s$", "", w)
                     for w in re.findall(r"[a-z]+", (s.indication or "") + " " + (s.site or "")) if len(w) > 2)
    other = []
    for it in problems.items:
        if not it.counted:
            continue
        text = " ".join(e.text for e in it.evidence).lower()
        head = re.split(r"[.:;\n]", re.sub(r"^\s*(?:[-•*#]|\d{1,2}[.)])\s*", "", text), maxsplit=1)[0]
        if not any(re.search(r"\b" + re.escape(w) + r"s?\b", head) for w in words):
            other.append(it)
    return bool(other), other


def laterality_modifiers(lines, bilateral: dict | None = None, indicator=None) -> list:
    out = []
    for s in lines:
        ind = (bilateral or {}).get(s.code)
        if ind is None and indicator is not None:
            try:
                ind = indicator(s.code)
            except Exception:  # noqa: BLE001
                ind = None
        if s.laterality == "B":
            if ind == "1":
                s.add_modifier("50")
                s.units = 1
                out.append(s)
            else:
                import copy

                r = copy.deepcopy(s)
                s.add_modifier("RT")
                r.add_modifier("LT")
                out += [s, r]
            continue
        if s.laterality in ("L", "R") and s.kind in ("procedure",):
            s.add_modifier("LT" if s.laterality == "L" else "RT")
        out.append(s)
    return out


def distinct_modifiers(lines, payer: str = "medicare", ptp=None) -> list:
    """59 / XS on the column-2 line of a pair that NCCI bundles when the lines are distinct (another
    site, lesion or repair group): repeated codes at different sites, repairs of different
    classifications or groups, biopsy and snare removal of different lesions. `ptp(col1, col2)` returns
    the NCCI modifier indicator (0/1) or None."""
    x = "XS" if payer in ("medicare", "medicare_advantage") else "59"
    seen_codes: dict[str, object] = {}
    repairs = [s for s in lines if s.group.startswith("repair:") and s.code[:4] not in ("1310", "1312", "1313", "1315")
               or (s.group.startswith("repair:") and s.code in ("13100", "13101", "13120", "13121", "13131", "13132",
                                                                "13151", "13152"))]
    for s in repairs[1:]:
        s.add_modifier("59" if x == "59" else "XS")
    for s in lines:
        if s.code in seen_codes and s.site and s.site != getattr(seen_codes[s.code], "site", ""):
            if "50" not in s.modifiers and not ({"LT", "RT"} & set(s.modifiers) and
                                                  set(s.modifiers) != set(seen_codes[s.code].modifiers)):
                s.add_modifier(x)
        seen_codes.setdefault(s.code, s)
    codes = {s.code: s for s in lines}
    static = {("45385", "45380"): 1, ("45385", "45384"): 1, ("43251", "43239"): 1, ("45384", "45380"): 1}
    for (a, b), ind in static.items():
        if a in codes and b in codes and ind == 1:
            codes[b].add_modifier(x)
    if ptp is not None:
        for a in list(codes):
            for b in list(codes):
                if a == b or (a, b) in static:
                    continue
                ind = ptp(a, b)
                if ind == 1 and codes[a].group and codes[b].group and codes[a].group != codes[b].group \
                        and not codes[b].group.startswith("repair:"):
                    codes[b].add_modifier(x)
    return lines
