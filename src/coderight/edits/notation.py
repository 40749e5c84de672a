"""A compact notation for small example claims (rule docstrings, tests, the CLI).

``[attr=value ...] LINE [+ LINE ...]`` where a line is ``CODE[-MOD...]`` followed by optional
tokens ``xUNITS``, ``pN[,N]`` (diagnosis pointers; ``p-`` none), ``$CHARGE``, ``@+N`` / ``@-N``
(days after / before the claim's date of service) or ``@YYYY-MM-DD``, ``#NPI`` (rendering NPI).

Claim attributes: ``dx=I10,E11.9`` (default ``I10``; ``dx=-`` none; ``CODE:Y`` adds a POA flag),
``sex=F|M|U`` (default F), ``age=N`` (default 45), ``dob=YYYY-MM-DD``, ``dos=YYYY-MM-DD``
(default 2024-08-01, inside the loaded 2024 Q3 NCCI release), ``pos=11`` (default 11),
``payer=medicare|medicaid|commercial|other``, ``xmods=no`` (payer does not ask for X modifiers),
``kind=institutional``, ``tob=0131``, ``npi=NPI`` (rendering provider).

>>> c = parse_claim("sex=M age=70 dx=N40.0,I10 99213-25 + 11102 x2 p2 $80 @+1")
>>> c.patient.sex, c.patient.age, [d.code for d in c.diagnoses]
('M', 70, ['N40.0', 'I10'])
>>> [(ln.code, ln.modifiers, ln.units, ln.dx_pointers, ln.charge, ln.date.isoformat()) for ln in c.lines]
[('99213', ('25',), 1, (1,), 100.0, '2024-08-01'), ('11102', (), 2, (2,), 80.0, '2024-08-02')]
"""

from __future__ import annotations

from datetime import date, timedelta

from ..claims.model import Address, Claim, Diagnosis, Line, Patient, Payer, Provider

DEFAULT_DOS = date(2024, 8, 1)
BILLING_NPI = "1234567893"
RENDERING_NPI = "1245319599"


def parse_claim(text: str, claim_id: str = "EX") -> Claim:
    attrs: dict[str, str] = {}
    line_texts: list[list[str]] = [[]]
    for tok in text.split():
        if tok == "+":
            line_texts.append([])
        elif "=" in tok and not line_texts[-1]:
            k, _, v = tok.partition("=")
            attrs[k.lower()] = v
        else:
            line_texts[-1].append(tok)
    dos = date.fromisoformat(attrs.get("dos", DEFAULT_DOS.isoformat()))
    dx_spec = attrs.get("dx", "I10")
    dx = []
    if dx_spec != "-":
        for x in dx_spec.split(","):
            code, _, poa = x.partition(":")
            dx.append(Diagnosis(code, poa))
    lines = []
    for toks in line_texts:
        if not toks:
            raise ValueError(f"empty line in example {text!r}")
        head, *rest = toks
        code, *mods = head.split("-")
        ln = Line(code.upper(), tuple(m.upper() for m in mods), 1, 100.0, (1,), dos)
        for t in rest:
            if t.startswith("x"):
                u = float(t[1:])
                ln.units = int(u) if u == int(u) else u
            elif t.startswith("p"):
                ln.dx_pointers = () if t == "p-" else tuple(int(x) for x in t[1:].split(","))
            elif t.startswith("$"):
                ln.charge = float(t[1:])
            elif t.startswith("@"):
                v = t[1:]
                ln.date = dos + timedelta(days=int(v)) if v[:1] in "+-" else date.fromisoformat(v)
            elif t.startswith("#"):
                ln.rendering_npi = t[1:]
            else:
                raise ValueError(f"unknown token {t!r} in example {text!r}")
        lines.append(ln)
    kind = attrs.get("kind", "institutional" if "tob" in attrs else "professional")
    patient = Patient("MEMBER1", attrs.get("sex", "F").upper(),
                      date.fromisoformat(attrs["dob"]) if "dob" in attrs else None,
                      None if "dob" in attrs else int(attrs.get("age", 45)), "DOE", "PAT",
                      Address("1 MAIN ST", "ALBANY", "NY", "122070001"))
    payer = Payer(attrs.get("payer", "medicare"), "PAYER1", "", attrs.get("xmods", "yes") != "no")
    return Claim(
        id=claim_id, lines=lines, diagnoses=dx, patient=patient, payer=payer,
        billing=Provider(BILLING_NPI, "", "EXAMPLE CLINIC", "123456789", Address("1 MAIN ST", "ALBANY", "NY",
                                                                                  "122070001")),
        rendering=Provider(attrs.get("npi", RENDERING_NPI), "207Q00000X", "EXAMPLE DOCTOR"),
        kind=kind, pos=attrs.get("pos", "11") if kind == "professional" else "",
        type_of_bill=attrs.get("tob", ""), from_date=min(ln.date for ln in lines))
