"""Writes devset.jsonl: encounter notes written for Coderight's E/M and procedure rules, with the
expected level, basis, E/M modifiers and procedure lines decided by hand from the AMA/CMS rules
(see docs/em.md) before the engine was run. Edit the notes here, then run this file."""

import json
from pathlib import Path

C = []


def case(id, setting, note, em, basis="mdm", billed=None, payer="medicare", em_mods=(), procs=(), why=""):
    C.append({"id": id, "setting": setting, "payer": payer, "billed": billed, "note": note.strip() + "\n",
              "expected": {"em": em, "basis": basis, "em_modifiers": list(em_mods),
                           "procedures": [{"code": c, "modifiers": list(m), "units": u} for c, m, u in procs]},
              "why": why})


case("off-01", "office", """
Established patient here for follow-up of blood pressure.
HPI: 58-year-old man with hypertension, checking BP at home, readings 120s/70s. No side effects.
EXAM: BP 124/78. Heart regular.
ASSESSMENT AND PLAN
1. Essential hypertension, well controlled. Continue lisinopril 20 mg daily. Refill sent to pharmacy.
Follow-up in 6 months.
""", "99213", billed="99213", why="1 stable chronic (low), Rx mgmt (moderate), data minimal -> low")

case("off-02", "office", """
Follow-up visit, established patient.
HPI: 64F with type 2 diabetes, hypertension and hyperlipidemia. Home sugars 90-130.
RESULTS: A1c 6.8 reviewed today. Lipid panel reviewed: LDL 82.
ASSESSMENT AND PLAN
1. Type 2 diabetes mellitus, at goal. Continue metformin 1000 mg twice daily.
2. Hypertension, stable. Continue amlodipine 5 mg.
3. Hyperlipidemia, controlled on atorvastatin 40 mg, continue.
Return in 3 months.
""", "99214", billed="99213", why="3 stable chronic (moderate) + Rx (moderate) -> 99214; billed 99213 under-coded")

case("off-03", "office", """
Established patient. Chief complaint: sore throat x2 days.
HPI: 22-year-old with sore throat, no fever, mild cough, runny nose.
EXAM: Pharynx mildly erythematous, no exudate.
Rapid strep test in office: negative.
ASSESSMENT AND PLAN
1. Viral URI. Supportive care with rest, fluids, saline gargles, acetaminophen as needed.
""", "99212", billed="99213", procs=[("87880", ["QW"], 1)],
    why="self-limited (minimal), 1 test (minimal), OTC (low) -> straightforward 99212; over-coded")

case("off-04", "office", """
Established patient with worsening COPD.
HPI: 71M with COPD, increased dyspnea and sputum for 5 days, using albuterol more often.
EXAM: Scattered wheezes. SpO2 92%.
PROCEDURE: DuoNeb nebulizer treatment given in office x1 with improvement in air movement.
ASSESSMENT AND PLAN
1. COPD with acute exacerbation. Start prednisone 40 mg daily x5 days and doxycycline 100 mg twice daily.
Chest x-ray ordered. CBC ordered.
2. Hypertension, stable on losartan, continue.
""", "99214", billed="99214", em_mods=["25"], procs=[("94640", [], 1), ("J7620", [], 1)],
    why="chronic exacerbation (moderate), Rx (moderate), 2 tests (limited) -> 99214; neb needs 25; HTN separate")

case("off-05", "office", """
NEW PATIENT visit to establish care.
HPI: 45-year-old woman with a palpable left breast lump noticed 2 weeks ago. Unexplained 10 lb weight loss.
Outside records from Valley Women's Clinic were reviewed. Prior mammogram report from 2022 reviewed.
ASSESSMENT AND PLAN
1. New left breast mass, uncertain prognosis. Diagnostic mammogram and breast ultrasound ordered.
CBC and CMP ordered.
2. Refer to general surgery for evaluation.
""", "99204", billed="99203",
    why="undiagnosed new problem (moderate); data: records + mammo + US + CBC + CMP >=3 (moderate); risk: major surgery referral moderate -> 99204")

case("off-06", "office", """
Established patient seen for chest pain.
HPI: 62-year-old man with 2 days of exertional chest pressure radiating to the left arm.
EKG performed in office: sinus rhythm, rate 84, new ST depression in V4-V6.
ASSESSMENT AND PLAN
1. Chest pain concerning for acute coronary syndrome, a threat to bodily function.
Discussed with Dr. Patel, on-call cardiology, who agrees with ED evaluation.
Patient sent directly to the emergency department for admission and serial troponins. Aspirin 325 mg given.
""", "99215", billed="99214", procs=[("93000", [], 1)],
    why="high problem, discussion (moderate data), hospitalization decision (high) -> 99215; EKG not counted as data; no 25 for XXX 93000")

case("off-07", "office", """
Established patient.
ASSESSMENT AND PLAN
1. Type 2 diabetes, uncontrolled, A1c 9.4 today. Increase metformin to 1000 mg twice daily and start empagliflozin 10 mg daily.
2. Obesity. Counseled on diet.
I spent a total of 42 minutes on the date of the encounter reviewing the chart, counseling the patient and documenting.
""", "99215", basis="time", billed="99214",
    why="MDM moderate (99214); time 42 >= 40 -> 99215 by time")

case("off-08", "office", """
Established patient, medication follow up.
ASSESSMENT AND PLAN
1. Hypothyroidism, stable. Continue levothyroxine 75 mcg. TSH ordered.
Total time on the date of service: 19 minutes.
""", "99213", billed="99213",
    why="1 stable chronic low, Rx moderate, data minimal -> low 99213; time 19 < 20 gives 99212, MDM higher")

case("off-09", "office", """
Established patient.
ASSESSMENT AND PLAN
1. Generalized anxiety disorder, stable on sertraline 100 mg, continue.
Total time spent on the date of the encounter was 20 minutes.
""", "99213", billed="99212",
    why="MDM low (99213); time 20 = threshold 99213; supported 99213 (MDM and time tie -> mdm basis)")

case("off-10", "office", """
NEW PATIENT consultation for multiple chronic problems.
ASSESSMENT AND PLAN
1. Heart failure with reduced ejection fraction, worsening with 6 lb weight gain. Increase furosemide to 40 mg twice daily.
2. Atrial fibrillation, rate controlled, continue apixaban 5 mg twice daily.
BMP and BNP ordered. Echo ordered.
I personally reviewed the chest x-ray images: mild vascular congestion.
Total time on the date of the encounter: 95 minutes, including review of outside records and counseling.
""", "99205", basis="time", billed="99205", payer="medicare",
    why="MDM: moderate problems, data extensive (3 tests + interp), Rx moderate -> moderate 99204; time 95 >= 60 -> 99205; G2212 first unit at 89 -> 1 unit",
    procs=[])

case("off-11", "office", """
Established patient.
ASSESSMENT AND PLAN
1. Chronic migraine, worsening frequency. Start topiramate 25 mg nightly.
Total time on the date of the encounter: 56 minutes.
""", "99215", basis="time", billed="99215", payer="commercial",
    why="time 56 >= 40 -> 99215; commercial 99417 first unit at 55 -> 1 unit")

case("off-12", "office", """
Established patient.
ASSESSMENT AND PLAN
1. Chronic low back pain, worsening. Start cyclobenzaprine 5 mg at bedtime, refer to physical therapy.
Total time on the date of the encounter: 68 minutes.
""", "99215", basis="time", billed="99215", payer="medicare",
    why="time 68 -> 99215; Medicare G2212 needs 69 -> none")

case("off-13", "office", """
Established patient presents with right knee pain from osteoarthritis.
ASSESSMENT AND PLAN
1. Primary osteoarthritis of the right knee, worsening despite ibuprofen.
PROCEDURE: After informed consent the right knee was prepped with chlorhexidine and injected via a lateral approach with 40 mg methylprednisolone acetate (Depo-Medrol) and 4 mL 1% lidocaine. Tolerated well.
""", None, billed="99213", procs=[("20610", ["RT"], 1), ("J1030", [], 1)],
    why="only problem is the injected knee -> no separately identifiable E/M (em code expected None)")

case("off-14", "office", """
Established patient.
HPI: Left shoulder pain for 3 months. Also here for diabetes follow-up.
ASSESSMENT AND PLAN
1. Left subacromial bursitis. Subacromial injection performed today, see procedure.
2. Type 2 diabetes, A1c 8.6 not at goal. Increase glipizide to 10 mg daily.
PROCEDURE: Left subacromial space injected with 40 mg triamcinolone acetonide (Kenalog) and 3 mL lidocaine using sterile technique.
""", "99214", billed="99214", em_mods=["25"], procs=[("20610", ["LT"], 1), ("J3301", [], 4)],
    why="DM not at goal (moderate) + Rx (moderate) -> 99214-25; J3301 10 mg units -> 4")

case("off-15", "office", """
Established patient with bilateral knee osteoarthritis.
ASSESSMENT AND PLAN
1. Bilateral knee osteoarthritis. Bilateral knee injections today.
2. Hypertension, stable on lisinopril, continue.
PROCEDURE: Both knees were prepped and each was injected with 40 mg methylprednisolone acetate. Total 80 mg.
""", "99213", billed="99213", em_mods=["25"], procs=[("20610", ["50"], 1), ("J1040", [], 1)],
    why="HTN stable separate problem -> 25; problems low (1 stable chronic + knee not counted separately?) -> low; Rx moderate; data minimal -> 99213; 80 mg -> J1040 x1")

case("off-16", "office", """
Established patient. Right trigger finger, ring finger.
ASSESSMENT AND PLAN
1. Trigger finger of the right ring finger.
PROCEDURE: The right ring finger A1 pulley tendon sheath was injected with 10 mg triamcinolone acetonide and 1 mL lidocaine.
""", None, billed="99213", procs=[("20550", ["F8"], 1), ("J3301", [], 1)],
    why="single problem = procedure indication: E/M not separately billable")

case("off-17", "office", """
Established patient, 8-year-old with cough and fever.
History obtained from mother, who reports fever to 102 for 3 days.
Rapid influenza A and B swab in office: positive for influenza A.
ASSESSMENT AND PLAN
1. Influenza A with fever and myalgias, systemic symptoms. Start oseltamivir 60 mg twice daily for 5 days.
Acetaminophen as needed for fever.
""", "99214", billed="99213", payer="commercial", procs=[("87804", [], 2)],
    why="acute illness with systemic symptoms (moderate); Rx (moderate); data: historian+1 test (limited) -> 99214")

case("off-18", "office", """
Established patient, 67-year-old, here for Medicare annual flu and pneumonia vaccines and BP check.
ASSESSMENT AND PLAN
1. Hypertension, stable. Continue hydrochlorothiazide 25 mg.
2. Immunizations: Influenza high-dose vaccine 0.5 mL IM given in the left deltoid. Prevnar 20 given in the right deltoid. VIS provided.
""", "99213", billed="99213", em_mods=["25"],
    procs=[("90662", [], 1), ("G0008", [], 1), ("90677", [], 1), ("G0009", [], 1)],
    why="stable chronic + Rx -> low; vaccines Medicare G0008/G0009; admin G-codes need 25? G0008 in bundled list -> 25")

case("off-19", "office", """
Established patient, 4-year-old well child follow-up for vaccines.
I counseled the parents on the risks and benefits of each vaccine; questions answered.
ASSESSMENT AND PLAN
1. Immunizations given today: DTaP (Daptacel) and IPV (IPOL) and MMR and varicella administered IM/SC. VIS given.
""", None, billed=None, payer="commercial",
    procs=[("90700", [], 1), ("90713", [], 1), ("90707", [], 1), ("90716", [], 1), ("90460", [], 4), ("90461", [], 4)],
    why="vaccine-only visit; age 4 with counseling -> 90460 x4, extra components DTaP 2 + MMR 2 = 4")

case("off-20", "office", """
Established patient, 35-year-old, needs tetanus update after a garden injury last month.
ASSESSMENT AND PLAN
1. Tdap vaccine administered 0.5 mL IM left deltoid today.
2. Hepatitis B vaccine (Heplisav) dose 1 administered IM right deltoid.
""", None, payer="commercial", procs=[("90715", [], 1), ("90746", [], 1), ("90471", [], 1), ("90472", [], 1)],
    why="adult, no counseling codes: 90471 + 90472")

case("off-21", "office", """
Established patient with two concerning skin lesions.
ASSESSMENT AND PLAN
1. Lesion of the left upper back, irregular pigmented, suspicious for melanoma. Punch biopsy performed.
2. Lesion of the right forearm, scaly papule. Shave biopsy performed.
3. Second lesion on the right forearm, shave biopsy performed.
PROCEDURE: After consent, a 4 mm punch biopsy of the left upper back lesion was performed and closed with one suture. Shave biopsies of two lesions on the right forearm were performed. Hemostasis with aluminum chloride.
""", None, billed="99213", procs=[("11104", [], 1), ("11103", [], 2)],
    why="punch primary, 2 shave as add-on 11103 x2; all problems are the biopsied lesions -> no E/M")

case("off-22", "office", """
Established patient, dermatology follow-up.
ASSESSMENT AND PLAN
1. Actinic keratoses, 12 on the face and scalp, treated with liquid nitrogen cryotherapy today.
2. Psoriasis, stable on topical clobetasol, continue.
""", "99213", billed="99214", em_mods=["25"], procs=[("17000", [], 1), ("17003", [], 11)],
    why="psoriasis separate stable chronic + Rx -> 99213-25; billed 99214 over-coded")

case("off-23", "office", """
Established patient.
ASSESSMENT AND PLAN
1. Common warts on the hands, 4 lesions, treated with cryotherapy with liquid nitrogen.
""", None, billed="99212", procs=[("17110", [], 1)],
    why="only the treated warts -> no E/M; 17110")

case("off-24", "office", """
Established patient with a painful abscess on the left thigh.
EXAM: 3 cm fluctuant abscess of the left lateral thigh with surrounding erythema.
ASSESSMENT AND PLAN
1. Abscess of the left thigh. Incision and drainage performed. Start cephalexin 500 mg four times daily.
2. Type 2 diabetes, A1c 7.0, stable. Continue metformin.
PROCEDURE: The abscess was incised and drained; purulent material expressed, single cavity irrigated and packed.
""", "99214", billed="99213", em_mods=["25"], procs=[("10060", [], 1)],
    why="DM stable (low) + abscess (acute, low) -> low problems; Rx moderate; data minimal -> 99213? see why2",
)
C[-1]["expected"]["em"] = "99213"
C[-1]["why"] = "problems: stable chronic + acute uncomplicated = low; risk Rx moderate; data minimal -> 99213-25"

case("off-25", "office", """
Established patient, 15-year-old with ankle injury playing soccer.
History obtained from father.
X-ray of the left ankle ordered and reviewed in clinic: no fracture. I personally reviewed the images.
ASSESSMENT AND PLAN
1. Left ankle sprain. Posterior short leg splint applied by me, crutches, ibuprofen as needed.
""", "99214", billed="99213", payer="commercial", em_mods=["25"], procs=[("29515", ["LT"], 1)],
    why="acute uncomplicated (low); data: independent interpretation (moderate); OTC/splint low -> two of three: low? ")
C[-1]["expected"]["em"] = "99213"
C[-1]["why"] = "problems low, data moderate (interpretation), risk low -> 99213; splint 000 global -> 25 (sprain not distinct?)"
C[-1]["expected"]["em_modifiers"] = []
C[-1]["expected"]["em"] = None
C[-1]["why"] = ("only problem is the splinted ankle sprain -> E/M not separately identifiable under our rule "
                "(NCCI ch. XI); splint 29515-LT; commercial so no supply Q-code")

case("off-26", "office", """
Nurse visit. Blood pressure check by nurse. BP 128/80. No provider visit.
""", "99211", billed="99211", why="nurse visit -> 99211")

case("off-27", "office", """
NEW PATIENT. 30-year-old with seasonal allergies.
ASSESSMENT AND PLAN
1. Allergic rhinitis, stable. Loratadine 10 mg daily over the counter, nasal saline rinses.
""", "99202", billed="99203",
    why="1 stable chronic (low) but OTC (low), data none -> two of three: problems low, risk low -> 99203")
C[-1]["expected"]["em"] = "99203"
C[-1]["why"] = "problems low (allergic rhinitis chronic stable), risk low (OTC), data minimal -> low -> 99203 (billed supported)"

case("off-28", "office", """
Established patient. Asthma follow-up.
PROCEDURE: Spirometry performed pre and post bronchodilator with albuterol; FEV1 improved 14%.
ASSESSMENT AND PLAN
1. Moderate persistent asthma, not well controlled. Start budesonide-formoterol (Symbicort) 160/4.5 two puffs twice daily.
""", "99214", billed="99214", procs=[("94060", [], 1)],
    why="chronic not controlled (moderate), Rx moderate -> 99214; spirometry XXX, no 25; not counted as data")

case("off-29", "office", """
Established patient.
ASSESSMENT AND PLAN
1. Laceration of the right index finger, 2.0 cm, from a kitchen knife.
2. Hypertension, stable, continue amlodipine.
PROCEDURE: The 2.0 cm laceration of the right index finger was irrigated and closed with four 5-0 nylon simple interrupted sutures.
""", "99213", billed="99213", em_mods=["25"], procs=[("12001", [], 1)],
    why="simple repair 2.0 cm extremity/hand group A -> 12001; HTN separate -> 25; low MDM")

case("off-30", "office", """
Established patient, 55-year-old with uncontrolled hypertension and CKD stage 3.
Records from Riverside Nephrology were reviewed. BMP reviewed: creatinine 1.6. Urine albumin ordered.
Discussed management with Dr. Lee, her nephrologist, by phone.
ASSESSMENT AND PLAN
1. Hypertension, uncontrolled at 168/96. Increase losartan to 100 mg daily.
2. CKD stage 3a, progression with rising creatinine. Hold ibuprofen.
3. Patient cannot afford brand-name medications; switched to generics.
""", "99214", billed="99215",
    why="problems moderate (chronic worsening x2, not severe); data extensive? records+BMP+urine albumin =3 (cat1) + discussion -> extensive; risk moderate -> 99214 (two of three moderate, only data high)")

# ---------------------------------------------------------------- hospital
case("hosp-01", "hospital", """
ADMISSION H&P
HPI: 78-year-old woman from home with fever, confusion and hypotension. History obtained from daughter.
RESULTS: Lactate 4.1, WBC 18. Urinalysis with pyuria. Blood cultures drawn. Chest x-ray reviewed.
ASSESSMENT AND PLAN
1. Sepsis due to urinary tract infection. Admit to medicine. Start ceftriaxone 1 g IV daily. IV fluids.
2. Acute kidney injury. Trend BMP.
3. Type 2 diabetes, stable, insulin sliding scale.
""", "99223", billed="99222",
    why="sepsis high; data: historian+lactate+cbc+ua+cultures+cxr+bmp extensive? (cat1 only) -> moderate; risk: admission/Rx high -> 99223")

case("hosp-02", "hospital", """
PROGRESS NOTE, hospital day 3.
Interval history: feeling better, afebrile, eating.
RESULTS: CBC reviewed, WBC 9. BMP reviewed.
ASSESSMENT AND PLAN
1. Community-acquired pneumonia, improving. Continue ceftriaxone and azithromycin; transition to oral cefuroxime tomorrow.
2. Hypertension, stable, continue home amlodipine.
""", "99232", billed="99233",
    why="pneumonia (systemic, moderate); data 2 tests limited; Rx moderate -> 99232; billed 99233 over")

case("hosp-03", "hospital", """
PROGRESS NOTE
Interval history: Chest pain free overnight.
ASSESSMENT AND PLAN
1. NSTEMI, on heparin drip with PTT every 6 hours. Troponin trending down, reviewed. Cardiology following; cath today.
2. Hyperkalemia resolved.
Total time spent on the unit on the date of service: 38 minutes.
""", "99233", billed="99232",
    why="NSTEMI high, heparin drip intensive monitoring high -> 99233 by MDM; time 38 would be 99232")

case("hosp-04", "hospital", """
PROGRESS NOTE hospital day 2.
ASSESSMENT AND PLAN
1. Cellulitis of the right leg, improving. Continue cefazolin IV.
Time: I spent a total of 52 minutes on the date of service coordinating care, counseling the patient and documenting.
""", "99233", basis="time", billed="99232", payer="medicare",
    why="MDM: cellulitis improving (low) + Rx -> low 99231; time 52 >= 50 -> 99233; G0316 needs 80 -> none")

case("hosp-05", "hospital", """
DISCHARGE SUMMARY
Hospital course: admitted with CHF exacerbation, diuresed 4 L.
Discharge day: reviewed medications, coordinated home health, educated patient.
Total time spent on discharge day management: 45 minutes.
""", "99239", basis="time", billed="99238", why="discharge > 30 min -> 99239")

case("hosp-06", "hospital", """
DISCHARGE SUMMARY
Discharged home today in stable condition after treatment of pyelonephritis. Follow up with PCP in 1 week.
Total time spent on the discharge: 25 minutes.
""", "99238", basis="time", billed="99239", why="discharge 25 min -> 99238; billed 99239 over")

case("hosp-07", "hospital", """
History and Physical - initial observation care.
HPI: 52M with syncope at work. Per EMS, brief loss of consciousness.
RESULTS: EKG reviewed. Troponin negative. BMP and CBC reviewed.
ASSESSMENT AND PLAN
1. Syncope, likely vasovagal. Telemetry monitoring, orthostatic vitals. Echo ordered.
Total time on the date of the encounter: 58 minutes.
""", "99222", basis="time", billed="99221",
    why="MDM: syncope acute (low); data: historian + EKG + troponin + BMP + CBC + echo -> moderate; risk: minimal? -> low 99221; time 58 >= 55 -> 99222")

# ---------------------------------------------------------------- ED
case("ed-01", "ed", """
CHIEF COMPLAINT: Ankle injury.
HPI: 24-year-old twisted right ankle playing basketball.
EXAM: Mild swelling lateral malleolus, able to bear weight.
ASSESSMENT AND PLAN
1. Right ankle sprain. Ottawa rules negative, no imaging. Ice, elevation, ibuprofen over the counter.
""", "99283", billed="99284", why="acute uncomplicated low, OTC low, data none -> 99283; billed 99284 over")

case("ed-02", "ed", """
CHIEF COMPLAINT: Chest pain.
HPI: 66-year-old with substernal chest pain for 2 hours. History also provided by wife.
RESULTS: Troponin 0.45 elevated. CBC, BMP reviewed. Chest x-ray reviewed.
EKG interpreted by me: sinus rhythm 90, ST depression V5-V6.
ASSESSMENT AND PLAN
1. NSTEMI. Aspirin, heparin drip started. Discussed with Dr. Gomez, cardiology, who will take to cath lab.
Admit to cardiology step-down.
""", "99285", billed="99285", procs=[("93010", [], 1)],
    why="high problem, data extensive (cat1 + discussion), risk high -> 99285")

case("ed-03", "ed", """
CHIEF COMPLAINT: Laceration.
HPI: 30-year-old cut left forearm and left hand on broken glass.
ASSESSMENT AND PLAN
1. Lacerations of the left forearm and left hand. Tetanus up to date.
PROCEDURE: Laceration repair. Wound 1: 3.0 cm laceration of the left forearm, simple closure with 4-0 nylon. Wound 2: 2.5 cm laceration of the left hand, simple closure with 4-0 nylon. Wound 3: 2.0 cm laceration of the chin, closed with 6-0 nylon simple interrupted sutures.
""", None, billed="99283", procs=[("12002", [], 1), ("12011", ["XS"], 1)],
    why="forearm+hand simple group A sum 5.5 -> 12002; chin face group 2.0 -> 12011 with XS; E/M only for the lacs -> none")

case("ed-04", "ed", """
CHIEF COMPLAINT: Scalp wound after fall.
HPI: 45-year-old tripped and hit head on a table, no LOC.
ASSESSMENT AND PLAN
1. Scalp laceration 4.5 cm.
2. Closed head injury without loss of consciousness. CT head ordered and reviewed: no acute findings. Neuro checks normal.
PROCEDURE: The 4.5 cm scalp laceration was irrigated, deep layer closed with 4-0 Vicryl and skin with staples (layered closure).
""", "99283", billed="99284", em_mods=["25"], procs=[("12032", [], 1)],
    why="intermediate scalp 4.5 -> 12032; head injury separate problem -> 25; problems low (acute), data 1 test minimal, risk minimal -> straightforward 99282?")
C[-1]["expected"]["em"] = "99282"
C[-1]["why"] = ("problems: two acute uncomplicated -> low; data: CT head only -> minimal; risk: minimal -> "
                "two of three at straightforward -> 99282-25; intermediate repair 12032")

case("ed-05", "ed", """
CHIEF COMPLAINT: Abdominal pain.
HPI: 19-year-old with periumbilical pain migrating to the right lower quadrant, nausea.
RESULTS: CBC with WBC 15. CMP reviewed. Urine pregnancy negative. CT abdomen and pelvis shows acute appendicitis.
ASSESSMENT AND PLAN
1. Acute appendicitis. Discussed with Dr. Nguyen, general surgery, who will take her for emergency appendectomy.
IV morphine 4 mg given. Start IV piperacillin-tazobactam.
""", "99285", billed="99284", why="high problem, extensive data, emergency surgery -> 99285")

case("ed-06", "ed", """
CHIEF COMPLAINT: Cough and fever.
HPI: 40-year-old with 4 days of cough, fever 101.5, body aches.
RESULTS: Chest x-ray shows right lower lobe infiltrate. CBC reviewed.
ASSESSMENT AND PLAN
1. Community-acquired pneumonia. Start amoxicillin-clavulanate and azithromycin. Considered admission; CURB-65 score 0, discharged home with return precautions.
""", "99285", billed="99284",
    why="pneumonia moderate; data: CXR + CBC limited; risk: decision regarding hospitalization high -> two of three: moderate? problems mod, data low, risk high -> 99284")
C[-1]["expected"]["em"] = "99284"
C[-1]["why"] = "problems moderate (systemic), data limited (2 tests), risk high (decision regarding hospitalization) -> moderate 99284"

case("ed-07", "ed", """
CHIEF COMPLAINT: Abscess.
HPI: 33-year-old with a painful swelling in the left axilla for 4 days.
ASSESSMENT AND PLAN
1. Abscess of the left axilla. Incision and drainage performed; loculations broken up and packed. Bactrim DS prescribed.
""", None, billed="99283", procs=[("10061", [], 1)],
    why="complicated I&D (loculations broken) 10061; only problem = abscess -> no E/M")

case("ed-08", "ed", """
CHIEF COMPLAINT: Wrist injury.
HPI: 70-year-old fell on outstretched hand.
X-ray of the right wrist: distal radius fracture, minimally displaced. I independently interpreted the radiographs.
ASSESSMENT AND PLAN
1. Closed distal radius fracture, right. Sugar-tong splint applied. Oxycodone 5 mg for pain, #6. Orthopedics follow-up.
2. Fall at home; evaluated for syncope, denies. Lives alone and lacks transportation to follow-up; social work consulted.
""", "99284", billed="99284", em_mods=["25"], procs=[("29125", ["RT"], 1)],
    why="fracture (moderate), data: interpretation (moderate), Rx + SDOH moderate -> 99284; splint 000 -> 25; fall problem separate")

# ---------------------------------------------------------------- endoscopy
case("gi-01", "office", """
PROCEDURE NOTE: Colonoscopy.
INDICATION: Average-risk screening colonoscopy, 62-year-old.
PROCEDURE: The colonoscope was advanced to the cecum. A 7 mm sessile polyp in the sigmoid colon was removed with a cold snare. The remainder of the colon was normal.
IMPRESSION: Sigmoid polyp removed.
""", None, payer="medicare", procs=[("45385", ["PT"], 1)],
    why="screening turned therapeutic, Medicare -> 45385-PT")

case("gi-02", "office", """
PROCEDURE NOTE: Colonoscopy.
INDICATION: Routine screening, average risk, 55-year-old, commercial insurance.
PROCEDURE: Colonoscope advanced to the cecum. Excellent prep. No polyps or masses. Normal colonoscopy.
""", None, payer="commercial", procs=[("45378", ["33"], 1)],
    why="commercial screening, no intervention -> 45378-33")

case("gi-03", "office", """
PROCEDURE NOTE: Colonoscopy.
INDICATION: Screening colonoscopy in a patient with a family history of colon cancer in his father.
PROCEDURE: The scope was advanced to the terminal ileum. No polyps. Normal mucosa throughout.
""", None, payer="medicare", procs=[("G0105", [], 1)], why="Medicare high-risk screening, no intervention -> G0105")

case("gi-04", "office", """
PROCEDURE NOTE: EGD and colonoscopy.
INDICATION: Iron deficiency anemia.
PROCEDURE: EGD: the scope was passed to the second portion of the duodenum. Gastric biopsies taken with cold forceps for H. pylori.
Colonoscopy: advanced to the cecum. A 12 mm polyp in the ascending colon was removed with hot snare. A separate 3 mm polyp in the rectum was removed with cold forceps.
""", None, payer="medicare", procs=[("43239", [], 1), ("45385", [], 1), ("45380", ["XS"], 1)],
    why="diagnostic (anemia): EGD biopsy 43239; colonoscopy snare 45385 + cold forceps other lesion 45380-XS")

PROLONGED = {"off-10": [("G2212", 1)], "off-11": [("99417", 1)], "off-12": [], "hosp-04": []}
for c in C:
    c["expected"]["prolonged"] = [{"code": k, "units": u} for k, u in PROLONGED.get(c["id"], [])]

Path(__file__).with_name("devset.jsonl").write_text("".join(json.dumps(c) + "\n" for c in C))
print(len(C), "cases")
