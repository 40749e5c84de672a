"""Curated clinical abbreviations and lay synonyms, each with the term it stands for and the code
the Alphabetic Index gives that term (checked by tests/nlp/test_abbreviations.py against the
tabular: every code exists; every expansion is real clinical usage).

``UPPER_ONLY`` abbreviations collide with English words or other meanings when written in lower
case ("pad", "ms", "as", "mi"): they match only when written in capitals in the note.
"""

from __future__ import annotations

# surface form -> (expansion, code). A code ending in '-' needs more characters from attributes.
ABBREVIATIONS: dict[str, tuple[str, str]] = {
    # cardiovascular
    "htn": ("hypertension", "I10"),
    "high blood pressure": ("hypertension", "I10"),
    "elevated blood pressure": ("elevated blood pressure reading without diagnosis of hypertension", "R03.0"),
    "chf": ("congestive heart failure", "I50.9"),
    "hf": ("heart failure", "I50.9"),
    "hfref": ("heart failure with reduced ejection fraction", "I50.20"),
    "hfpef": ("heart failure with preserved ejection fraction", "I50.30"),
    "hfmref": ("heart failure with mid-range ejection fraction", "I50.20"),
    "chf exacerbation": ("acute on chronic congestive heart failure", "I50.9"),
    "afib": ("atrial fibrillation", "I48.91"),
    "a fib": ("atrial fibrillation", "I48.91"),
    "a.fib": ("atrial fibrillation", "I48.91"),
    "af": ("atrial fibrillation", "I48.91"),
    "aflutter": ("atrial flutter", "I48.92"),
    "cad": ("coronary artery disease", "I25.10"),
    "ashd": ("atherosclerotic heart disease", "I25.10"),
    "mi": ("myocardial infarction", "I21.9"),
    "stemi": ("ST elevation myocardial infarction", "I21.3"),
    "nstemi": ("non-ST elevation myocardial infarction", "I21.4"),
    "heart attack": ("myocardial infarction", "I21.9"),
    "stroke": ("cerebral infarction", "I63.9"),
    "tia": ("transient ischemic attack", "G45.9"),
    "dvt": ("deep vein thrombosis", "I82.40-"),
    "pe": ("pulmonary embolism", "I26.99"),
    "pvd": ("peripheral vascular disease", "I73.9"),
    "pad": ("peripheral arterial disease", "I73.9"),
    "svt": ("supraventricular tachycardia", "I47.1-"),
    "hld": ("hyperlipidemia", "E78.5"),
    "high cholesterol": ("hypercholesterolemia", "E78.00"),
    "elevated cholesterol": ("hypercholesterolemia", "E78.00"),
    "dyslipidemia": ("hyperlipidemia", "E78.5"),
    "aaa": ("abdominal aortic aneurysm", "I71.40"),
    # endocrine
    "dm": ("diabetes mellitus", "E11.9"),
    "dm2": ("type 2 diabetes mellitus", "E11.9"),
    "dm ii": ("type 2 diabetes mellitus", "E11.9"),
    "dmii": ("type 2 diabetes mellitus", "E11.9"),
    "t2dm": ("type 2 diabetes mellitus", "E11.9"),
    "t2d": ("type 2 diabetes mellitus", "E11.9"),
    "niddm": ("type 2 diabetes mellitus", "E11.9"),
    "dm1": ("type 1 diabetes mellitus", "E10.9"),
    "t1dm": ("type 1 diabetes mellitus", "E10.9"),
    "iddm": ("type 1 diabetes mellitus", "E10.9"),
    "dka": ("diabetic ketoacidosis", "E11.10"),
    "hypothyroid": ("hypothyroidism", "E03.9"),
    "hyperthyroid": ("hyperthyroidism", "E05.90"),
    # renal / urology
    "ckd": ("chronic kidney disease", "N18.9"),
    "esrd": ("end stage renal disease", "N18.6"),
    "aki": ("acute kidney injury", "N17.9"),
    "arf": ("acute renal failure", "N17.9"),
    "uti": ("urinary tract infection", "N39.0"),
    "bph": ("benign prostatic hyperplasia", "N40.0"),
    "kidney stone": ("calculus of kidney", "N20.0"),
    "kidney stones": ("calculus of kidney", "N20.0"),
    "renal stone": ("calculus of kidney", "N20.0"),
    "nephrolithiasis": ("calculus of kidney", "N20.0"),
    # respiratory
    "copd": ("chronic obstructive pulmonary disease", "J44.9"),
    "copd exacerbation": ("chronic obstructive pulmonary disease with acute exacerbation", "J44.1"),
    "aecopd": ("chronic obstructive pulmonary disease with acute exacerbation", "J44.1"),
    "osa": ("obstructive sleep apnea", "G47.33"),
    "uri": ("upper respiratory infection", "J06.9"),
    "cap": ("community acquired pneumonia", "J18.9"),
    "sob": ("shortness of breath", "R06.02"),
    "doe": ("dyspnea on exertion", "R06.09"),
    "ards": ("acute respiratory distress syndrome", "J80"),
    "covid": ("COVID-19", "U07.1"),
    "covid 19": ("COVID-19", "U07.1"),
    # digestive
    "gerd": ("gastro-esophageal reflux disease", "K21.9"),
    "acid reflux": ("gastro-esophageal reflux disease", "K21.9"),
    "reflux": ("gastro-esophageal reflux disease", "K21.9"),
    "heartburn": ("heartburn", "R12"),
    "ibs": ("irritable bowel syndrome", "K58.9"),
    "ibd": ("inflammatory bowel disease", "K52.9"),
    "n/v": ("nausea with vomiting", "R11.2"),
    "nausea and vomiting": ("nausea with vomiting", "R11.2"),
    "gi bleed": ("gastrointestinal hemorrhage", "K92.2"),
    "nafld": ("nonalcoholic fatty liver disease", "K76.0"),
    # musculoskeletal
    "oa": ("osteoarthritis", "M19.90"),
    "ra": ("rheumatoid arthritis", "M06.9"),
    "djd": ("degenerative joint disease", "M19.90"),
    "ddd": ("degenerative disc disease", "M51.3-"),
    "lbp": ("low back pain", "M54.50"),
    "low back pain": ("low back pain", "M54.50"),
    "back pain": ("dorsalgia", "M54.9"),
    "acl tear": ("tear of anterior cruciate ligament", "S83.51-"),
    # neuro / psych
    "mdd": ("major depressive disorder", "F32.9"),
    "depression": ("depression", "F32.A"),
    "gad": ("generalized anxiety disorder", "F41.1"),
    "anxiety": ("anxiety", "F41.9"),
    "adhd": ("attention-deficit hyperactivity disorder", "F90.9"),
    "ptsd": ("post-traumatic stress disorder", "F43.10"),
    "ams": ("altered mental status", "R41.82"),
    "loc": ("loss of consciousness", "R40.20"),
    "ms": ("multiple sclerosis", "G35"),
    "migraines": ("migraine", "G43.909"),
    "seizure disorder": ("epilepsy", "G40.909"),
    # neoplasms: the site comes from the Table of Neoplasms (coding layer)
    "cancer": ("malignant neoplasm", "C80.1"),
    "carcinoma": ("malignant neoplasm", "C80.1"),
    "malignancy": ("malignant neoplasm", "C80.1"),
    "adenocarcinoma": ("malignant neoplasm", "C80.1"),
    # infectious / other
    "hiv": ("human immunodeficiency virus disease", "B20"),
    "hcv": ("hepatitis C", "B19.20"),
    "mrsa": ("MRSA infection", "A49.02"),
    "bmi": ("body mass index", ""),
    "obese": ("obesity", "E66.9"),
    "morbidly obese": ("morbid obesity", "E66.01"),
    "morbid obesity": ("morbid obesity", "E66.01"),
    "sugar": ("diabetes mellitus", "E11.9"),
    "prediabetes": ("prediabetes", "R73.03"),
    "pre diabetes": ("prediabetes", "R73.03"),
    "borderline diabetes": ("prediabetes", "R73.03"),
    # lay and clinical shorthand for common complaints (index: Pain, joint, <site>; the side
    # comes from the laterality attribute)
    "knee pain": ("pain in knee joint", "M25.56-"),
    "hip pain": ("pain in hip joint", "M25.55-"),
    "elbow pain": ("pain in elbow joint", "M25.52-"),
    "wrist pain": ("pain in wrist joint", "M25.53-"),
    "ankle pain": ("pain in ankle joint", "M25.57-"),
    "neck pain": ("cervicalgia", "M54.2"),
    "low thyroid": ("hypothyroidism", "E03.9"),
    "underactive thyroid": ("hypothyroidism", "E03.9"),
    "bladder infection": ("cystitis", "N30.90"),
    "yeast infection": ("candidiasis", "B37.9"),
    "pink eye": ("conjunctivitis", "H10.9"),
    "seasonal allergies": ("seasonal allergic rhinitis", "J30.2"),
    "low potassium": ("hypokalemia", "E87.6"),
    "mini stroke": ("transient ischemic attack", "G45.9"),
    "irregular heartbeat": ("cardiac arrhythmia", "I49.9"),
    "runny nose": ("rhinorrhea", "J34.89"),
    # injuries by their clinical names (index: Strain, low back; Sprain, lumbar spine; Tear,
    # meniscus, current injury — the side from the laterality attribute)
    "lumbar strain": ("strain of muscle, fascia and tendon of lower back", "S39.012"),
    "lumbosacral strain": ("strain of muscle, fascia and tendon of lower back", "S39.012"),
    "lumbar sprain": ("sprain of ligaments of lumbar spine", "S33.5"),
    "meniscus tear": ("tear of meniscus, current injury", "S83.20-"),
    "meniscal tear": ("tear of meniscus, current injury", "S83.20-"),
    "medial meniscus tear": ("other tear of medial meniscus, current injury", "S83.24-"),
    # Lisfranc fracture(-dislocation): the tarsometatarsal joint is displaced (the side from the
    # laterality attribute); "Lisfranc injury" may be a sprain and is left to the index
    "lisfranc fracture": ("dislocation of tarsometatarsal joint", "S93.32-"),
    "lisfranc dislocation": ("dislocation of tarsometatarsal joint", "S93.32-"),
    "lisfranc fracture dislocation": ("dislocation of tarsometatarsal joint", "S93.32-"),
    "lateral meniscus tear": ("other tear of lateral meniscus, current injury", "S83.28-"),
    # a meniscus does not sprain: a meniscus injury is classified to Tear of meniscus (S83.2)
    "medial meniscus sprain": ("other tear of medial meniscus, current injury", "S83.24-"),
    "lateral meniscus sprain": ("other tear of lateral meniscus, current injury", "S83.28-"),
    "medial meniscus injury": ("other tear of medial meniscus, current injury", "S83.24-"),
    "lateral meniscus injury": ("other tear of lateral meniscus, current injury", "S83.28-"),
}

UPPER_ONLY = frozenset({"mi", "pe", "pad", "ms", "af", "ra", "oa", "cap", "loc", "hf", "cad", "dm", "gad",
                        "ams", "doe", "sob", "ibd", "ibs", "arf", "dka", "uri", "tia", "aaa", "cva", "ddd",
                        "lbp", "djd"})
"""Abbreviations that must appear in capitals ("PE" the embolism, not "pe" of the exam)."""

# Words a token stands for when an index subterm is looked for around a mention
# ("type 2 diabetes with CKD" walks Diabetes, type 2, with, chronic kidney disease).
EXPANSIONS: dict[str, str] = {k: v for k, (v, _c) in ABBREVIATIONS.items() if " " not in k}
EXPANSIONS.update({
    "t2": "type 2", "t1": "type 1", "rt": "right", "lt": "left", "bilat": "bilateral", "b/l": "bilateral",
    "l": "left", "r": "right", "esrd": "end stage renal disease chronic kidney disease stage 5",
    "exac": "exacerbation", "hx": "history", "fx": "fracture", "ca": "cancer carcinoma",
})
