"""Procedures, supplies and modifiers from note wording."""

import pytest

from coderight.coding.procedures import suggest_procedures
from coderight.coding.procedures.drugs import per_unit, units_for


def lines(note, codebook, **kw):
    return [(s.code, s.modifiers, s.units) for s in suggest_procedures(note, codebook=codebook, **kw)]


@pytest.mark.parametrize("drug,dose,expected", [
    ("methylprednisolone acetate", "40 mg", [("J1030", [], 1)]),
    ("methylprednisolone acetate", "80 mg", [("J1040", [], 1)]),
    ("methylprednisolone acetate", "120 mg", [("J1040", [], 1), ("J1030", [], 1)]),
    ("triamcinolone acetonide", "40 mg", [("J3301", [], 4)]),
    ("triamcinolone acetonide", "15 mg", [("J3301", [], 2)]),
    ("dexamethasone", "4 mg", [("J1100", [], 4)]),
    ("betamethasone", "6 mg", [("J0702", [], 1)]),
])
def test_jcode_units_from_dose(codebook, drug, dose, expected):
    got = lines(f"PROCEDURE: The left knee was injected with {dose} {drug} and lidocaine.\n", codebook)
    assert got[0] == ("20610", ["LT"], 1)
    assert got[1:] == expected


def test_dose_per_unit_from_hcpcs(codebook):
    assert per_unit(codebook.hcpcs.description("J0696")) == (250.0, "mg")
    assert units_for([("J0696", 250.0)], 1000) == [("J0696", 4)]
    got = lines("ASSESSMENT AND PLAN\n1. Otitis media. Ceftriaxone 1 g IM given in the office today.\n", codebook)
    assert got == [("96372", [], 1), ("J0696", [], 4)]


def test_joint_sizes_and_bilateral(codebook):
    assert lines("PROCEDURE: Right wrist injected with 10 mg triamcinolone acetonide.\n", codebook)[0] == \
        ("20605", ["RT"], 1)
    assert lines("PROCEDURE: Left knee aspirated under ultrasound guidance, 30 mL clear fluid.\n", codebook)[0] == \
        ("20611", ["LT"], 1)
    assert lines("PROCEDURE: Both knees were injected with 40 mg methylprednisolone acetate each, total 80 mg.\n",
                 codebook)[0] == ("20610", ["50"], 1)


def test_laceration_sum_by_group_and_type(codebook):
    note = ("PROCEDURE: Wound 1: 3.0 cm laceration of the left forearm, simple closure with 4-0 nylon. "
            "Wound 2: 2.5 cm laceration of the left hand, simple closure. "
            "Wound 3: 2.0 cm laceration of the chin, simple closure with 6-0 nylon. "
            "Wound 4: 4.0 cm laceration of the right thigh, layered closure with 3-0 Vicryl deep sutures and 4-0 nylon.\n")
    got = lines(note, codebook, payer="commercial")
    # intermediate first (thigh 4.0), then simple extremities 5.5 (forearm + hand), then face 2.0
    assert got == [("12032", [], 1), ("12002", ["59"], 1), ("12011", ["59"], 1)]


def test_tissue_adhesive_medicare(codebook):
    note = "PROCEDURE: 1.5 cm laceration of the forehead closed with Dermabond tissue adhesive.\n"
    assert lines(note, codebook, payer="medicare") == [("G0168", [], 1)]
    assert lines(note, codebook, payer="commercial") == [("12011", [], 1)]


def test_biopsies_by_method(codebook):
    note = ("PROCEDURE: A 4 mm punch biopsy of the back lesion was performed. Shave biopsies of two lesions on the "
            "arm were performed.\n")
    assert lines(note, codebook) == [("11104", [], 1), ("11103", [], 2)]


def test_destruction_counts(codebook):
    assert lines("ASSESSMENT AND PLAN\n1. Actinic keratoses x16 treated with liquid nitrogen.\n", codebook) == \
        [("17004", [], 1)]
    assert lines("ASSESSMENT AND PLAN\n1. Three actinic keratoses treated with cryotherapy.\n", codebook) == \
        [("17000", [], 1), ("17003", [], 2)]


def test_screening_colonoscopy_turned_diagnostic(codebook):
    note = ("PROCEDURE NOTE: Colonoscopy.\nINDICATION: Average-risk screening.\nPROCEDURE: A 6 mm polyp in the "
            "transverse colon was removed with cold snare.\n")
    assert lines(note, codebook, payer="medicare") == [("45385", ["PT"], 1)]
    assert lines(note, codebook, payer="commercial") == [("45385", ["33"], 1)]
    plain = "PROCEDURE NOTE: Colonoscopy.\nINDICATION: Screening, average risk.\nPROCEDURE: Normal colon to the cecum.\n"
    assert lines(plain, codebook, payer="medicare") == [("G0121", [], 1)]


def test_vaccines_admin_codes(codebook):
    kid = ("6-year-old. I counseled the mother on the risks and benefits of the vaccines.\nASSESSMENT AND PLAN\n"
           "1. Immunizations: MMR and varicella administered today.\n")
    assert lines(kid, codebook, payer="commercial") == [("90707", [], 1), ("90716", [], 1), ("90460", [], 2),
                                                        ("90461", [], 2)]
    adult = "ASSESSMENT AND PLAN\n1. Influenza vaccine administered IM. Tdap given.\n"
    assert lines(adult, codebook, payer="medicare", age=70) == [("90656", [], 1), ("90715", [], 1),
                                                                 ("G0008", [], 1), ("90471", [], 1)]


def test_poc_and_nebulizer(codebook):
    note = ("Rapid strep test in office: positive.\nPROCEDURE: Albuterol 2.5 mg nebulizer treatment x2 given.\n")
    got = lines(note, codebook, payer="medicare")
    assert ("87880", ["QW"], 1) in got and ("94640", [], 2) in got and ("J7613", [], 6) in got
