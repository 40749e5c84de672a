"""Word lists the MDM rules read (ours; clinical vocabulary, no CPT text).

Each list answers one question a rule asks: is this problem chronic, is this status word a
worsening, is this drug prescription-only, is this a unique test. Patterns are regular expressions
matched case-insensitively on word boundaries.
"""

from __future__ import annotations

import re


def alt(words: str) -> str:
    r"""A regex alternation of '|'-separated phrases, longest first, on word boundaries.

    >>> bool(re.search(alt("a1c (?:of |is )?(?:[89]|1\\d)|worse"), "A1c is 9.1", re.I))
    True
    >>> bool(re.search(alt("a1c (?:of |is )?(?:[89]|1\\d)|worse"), "sertraline 100 mg", re.I))
    False
    """
    parts, depth, cur = [], 0, ""
    for ch in words:  # split on top-level '|' only (a phrase may hold its own group)
        depth += ch == "("
        depth -= ch == ")"
        if ch == "|" and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    parts = sorted({w.strip() for w in parts if w.strip()}, key=len, reverse=True)
    return r"(?<![A-Za-z0-9])(?:" + "|".join(parts) + r")(?![A-Za-z0-9])"


CHRONIC = alt(
    "hypertension|htn|essential hypertension|diabetes|diabetes mellitus|dm|t2dm|t1dm|dm2|type 2 diabetes|type 1 diabetes|"
    "hyperlipidemia|hld|dyslipidemia|hypercholesterolemia|copd|emphysema|asthma|chf|heart failure|hfref|hfpef|"
    "ckd|chronic kidney disease|hypothyroidism|hyperthyroidism|gerd|reflux|depression|mdd|major depressive disorder|"
    "anxiety|gad|generalized anxiety disorder|osteoarthritis|oa|rheumatoid arthritis|atrial fibrillation|afib|a-fib|"
    "a fib|cad|coronary artery disease|migraine|migraines|epilepsy|seizure disorder|bph|obesity|morbid obesity|gout|"
    "psoriasis|adhd|bipolar disorder|schizophrenia|osteoporosis|hepatitis c|hiv|parkinson's disease|parkinson disease|"
    "dementia|alzheimer's|glaucoma|osa|obstructive sleep apnea|sleep apnea|peripheral neuropathy|neuropathy|pad|"
    "peripheral artery disease|cirrhosis|ibs|irritable bowel syndrome|crohn's disease|ulcerative colitis|lupus|sle|"
    "prediabetes|chronic pain|chronic low back pain|chronic|insomnia|allergic rhinitis|hypogonadism|"
    "chronic venous insufficiency|esrd|pulmonary hypertension|cardiomyopathy|anemia of chronic disease")

WORSENING = alt(
    "worsening|worsened|worse|not well controlled|not well-controlled|exacerbation|exacerbated|flare|flaring|uncontrolled|poorly controlled|not controlled|"
    "inadequately controlled|suboptimally controlled|suboptimal control|not at goal|above goal|not at target|"
    "progression|progressing|progressive|side effect|side effects|adverse effect|intolerance|not tolerating|"
    "decompensated|elevated|rising|increasing|deteriorat\\w*|out of control|a1c (?:of |is |up to )?(?:[89]|1\\d)(?:\\.\\d)?")

SEVERE = alt(
    "severe exacerbation|severe flare|threat to life|threat to bodily function|threatens bodily function|"
    "life-threatening|life threatening|sepsis|septic|septic shock|stemi|nstemi|acute coronary syndrome|acs|"
    "myocardial infarction|acute mi|stroke|cva|pulmonary embolism|pulmonary embolus|pe|respiratory failure|"
    "hypoxic respiratory failure|dka|diabetic ketoacidosis|gi bleed|gastrointestinal bleed|upper gi bleed|"
    "acute abdomen|appendicitis|suicidal ideation|suicidal|anaphylaxis|small bowel obstruction|sbo|"
    "aortic dissection|status asthmaticus|status epilepticus|acute kidney injury|aki|hyperkalemia|"
    "decompensated heart failure|acute on chronic|ectopic pregnancy|testicular torsion|cauda equina|"
    "intracranial hemorrhage|subarachnoid|meningitis|bowel perforation|hypertensive emergency|"
    "hypertensive urgency|syncope concerning|unstable angina|acute cholecystitis|pancreatitis|hyponatremia")

UNDIAGNOSED = alt(
    "uncertain prognosis|undiagnosed|unclear etiology|etiology unclear|etiology is unclear|unknown etiology|"
    "unexplained|new (?:breast |neck |thyroid |abdominal |lung |pulmonary )?(?:mass|lump|nodule)|"
    "palpable (?:mass|lump)|concerning for (?:malignancy|cancer|lymphoma)|rule out (?:malignancy|cancer)|"
    "suspicious for (?:malignancy|cancer|melanoma)")

SYSTEMIC = alt(
    "systemic symptoms|pyelonephritis|pneumonia|community-acquired pneumonia|cap|cellulitis with fever|"
    "influenza with|mononucleosis|lyme disease|covid pneumonia|febrile illness|with systemic")

COMPLICATED_INJURY = alt(
    "fracture|fx|dislocation|subluxation|complicated laceration|acute complicated injury|tendon laceration|"
    "concussion|head injury with|open wound with|nerve injury|crush injury")

SELF_LIMITED = alt(
    "self-limited|self limited|minor problem|common cold|viral uri|cold symptoms|insect bite|bug bite|"
    "tinea corporis|tinea pedis|wart|warts|verruca|verruca vulgaris|skin tag|skin tags|acrochordon|"
    "seborrheic keratosis|cerumen impaction|cerumen|diaper rash|minor abrasion|abrasion|sunburn|"
    "contact dermatitis|nasal congestion|hiccups")

ACUTE = alt(
    "acute|sinusitis|otitis media|otitis externa|otitis|pharyngitis|strep throat|tonsillitis|uti|cystitis|"
    "urinary tract infection|bronchitis|sprain|strain|laceration|abscess|cellulitis|contusion|conjunctivitis|"
    "gastroenteritis|uri|upper respiratory infection|rash|dermatitis|back pain|low back pain|injury|wound|burn|"
    "allergic reaction|vertigo|headache|cough|diarrhea|vomiting|nausea|knee pain|shoulder pain|ankle pain|"
    "hip pain|wrist pain|bursitis|tendinitis|tendonitis|plantar fasciitis|trigger finger|carpal tunnel|"
    "hemorrhoids|epistaxis|dysuria|hematuria|chest pain|abdominal pain|palpitations|fever|influenza|flu|"
    "covid|covid-19|gout flare|ingrown|paronychia|folliculitis|impetigo|shingles|herpes zoster|scabies|"
    "actinic keratosis|actinic keratoses|lesion|polyp|polyps|anemia|dyspepsia|constipation|insomnia|syncope|"
    "fatigue|dizziness|hypokalemia|hyperglycemia|dehydration|effusion|arthritis|osteoarthritis|pain")

STABLE = alt(
    "stable|well controlled|well-controlled|controlled|at goal|at target|in remission|unchanged|doing well|"
    "asymptomatic|compensated|no changes|no change|well managed|well-managed|tolerating|in range|normal")

IMPROVING = alt("improving|improved|resolving|healing|better|recovering")

NOT_ADDRESSED = re.compile(
    r"(?:managed|followed|handled) by (?:his|her|their|the)?\s*(?:cardiolog|nephrolog|oncolog|endocrin|"
    r"neurolog|psychiatr|rheumatolog|pulmonolog|gastroenterolog|urolog|specialist|pcp|primary care)\w*"
    r"(?:[^.;]*?(?:no changes|no change|defer|deferred|per their|not addressed))?", re.I)

NON_PROBLEM = re.compile(
    r"^\s*(?:[-•*#]|\d{1,2}[.)])?\s*(?:follow[- ]?up|f/u|return|rtc|disposition|health maintenance|"
    r"preventive|preventative|patient education|counseling|counseled|code status|full code|dvt prophylaxis|"
    r"prophylaxis|diet|activity|plan\b|signed|electronically signed|total time|time spent|i spent|"
    r"procedure|discharge|discharged|admit to|ok to|okay to|call|dispo|seen and examined|"
    r"labs? (?:reviewed|ordered|pending)|medications? reconciled|med rec|immunizations?\b|vaccines?\b)", re.I)

# ---------------------------------------------------------------------------------- data
TESTS: dict[str, str] = {
    "cbc": r"cbc|complete blood count|hemogram|wbc count",
    "cmp": r"cmp|comprehensive metabolic panel|comprehensive panel",
    "bmp": r"bmp|basic metabolic panel|chem-?7|electrolytes|lytes",
    "lipid": r"lipid panel|lipids|lipid profile|cholesterol panel|fasting lipids",
    "a1c": r"a1c|hba1c|hemoglobin a1c|glycated hemoglobin",
    "tsh": r"tsh|thyroid panel|free t4|thyroid function tests?|tfts",
    "ua": r"ua|urinalysis|urine dip|urine dipstick",
    "urine_culture": r"urine culture|urine cx",
    "troponin": r"troponins?|hs-troponin|high-sensitivity troponin|trop",
    "bnp": r"bnp|nt-probnp|pro-bnp|probnp",
    "ddimer": r"d-dimer|d dimer|ddimer",
    "lactate": r"lactate|lactic acid",
    "lipase": r"lipase",
    "lft": r"lfts|liver function tests?|hepatic function panel|hepatic panel",
    "inr": r"inr|pt/inr|protime|coags|coagulation studies",
    "magnesium": r"magnesium level|mag level|serum magnesium",
    "blood_culture": r"blood cultures?",
    "procalcitonin": r"procalcitonin",
    "hcg": r"hcg|beta-hcg|beta hcg|pregnancy test|urine pregnancy|upt",
    "rapid_strep": r"rapid strep|strep test|rapid strep test|strep screen|rads",
    "strep_culture": r"throat culture|strep culture",
    "flu": r"flu swab|rapid flu|influenza swab|influenza test|flu test|flu a/b",
    "covid": r"covid(?:-19)? (?:test|swab|pcr|antigen)|sars-cov-2 (?:test|pcr|antigen)",
    "rsv": r"rsv (?:test|swab)",
    "mono": r"monospot|mono spot|heterophile",
    "cxr": r"cxr|chest x-?ray|chest radiograph|chest film|pa and lateral chest",
    "xray": r"x-?rays?(?! of the chest)|radiographs?|plain films?",
    "ct_head": r"ct (?:of the )?head|head ct|ct brain|noncontrast head ct",
    "ct_abd": r"ct (?:of the )?(?:abdomen|abd)(?:/| and )?(?:pelvis)?|ct a/p|ct abd/pelvis|abdominal ct",
    "ct_chest": r"ct (?:of the )?chest|cta (?:of the )?chest|ct angiogram|ct pe protocol|cta",
    "ct_other": r"ct (?:of the )?(?:c-?spine|cervical spine|neck|sinus|face|orbits?|spine|lumbar spine)",
    "mri": r"mri|mr imaging|magnetic resonance",
    "us": r"ultrasound|sonogram|us of|doppler|duplex",
    "echo": r"echo|echocardiogram|tte|tee",
    "ekg": r"ekg|ecg|electrocardiogram|12-lead",
    "stress": r"stress test|treadmill test|nuclear stress|stress echo",
    "holter": r"holter|event monitor|zio patch",
    "spirometry": r"spirometry|pfts?|pulmonary function tests?",
    "vitd": r"vitamin d level|25-oh vitamin d|vit d level",
    "b12": r"b12 level|vitamin b12 level|b12",
    "iron": r"ferritin|iron studies|iron panel",
    "psa": r"psa",
    "stool": r"stool studies|stool culture|c\.? diff|stool pcr|fit test|cologuard|fecal occult blood",
    "esr": r"esr|sed rate|sedimentation rate",
    "crp": r"crp|c-reactive protein",
    "abg": r"abg|vbg|blood gas",
    "tox": r"uds|urine drug screen|tox screen|toxicology screen|ethanol level|etoh level|serum alcohol|"
           r"acetaminophen level|salicylate level",
    "glucose_poc": r"fingerstick glucose|point-of-care glucose|poc glucose|accucheck|accu-check|fsbg",
    "hgb_poc": r"hemoglobin|hgb|hematocrit",
    "dexa": r"dexa|bone density",
    "mammo": r"mammogram|mammography",
    "uric": r"uric acid",
    "ammonia": r"ammonia",
    "cultures": r"wound culture|culture",
    "sleep": r"sleep study|polysomnogram",
    "eeg": r"eeg",
    "emg": r"emg|nerve conduction",
    "ana": r"ana|antinuclear antibody|rheumatoid factor|anti-ccp",
    "hep": r"hepatitis panel|hepatitis c antibody|hcv antibody",
    "hiv": r"hiv (?:test|screen|antibody)",
    "sti": r"gc/chlamydia|gonorrhea|chlamydia|std panel|sti panel|rpr",
}
TEST_PATTERNS = {k: re.compile(r"(?<![A-Za-z0-9])(?:" + v + r")(?![A-Za-z0-9])", re.I) for k, v in TESTS.items()}

ORDER_WORDS = re.compile(r"\b(?:order|ordered|ordering|obtain|obtained|will obtain|will get|get|getting|check|checked|"
                         r"send|sent|draw|drawn|repeat|schedule|scheduled|request|requested|pending|"
                         r"performed|done|collected|swabbed|tested|testing)\b", re.I)
REVIEW_WORDS = re.compile(r"\b(?:review|reviewed|reviewing|result|results|resulted|show|shows|showed|"
                          r"demonstrat\w*|reveal\w*|notable|unremarkable|normal|negative|positive|within normal|"
                          r"wnl|elevated|low|was|were|is|are|of|at)\b|[:=]\s*\d|\d", re.I)

EXTERNAL_NOTES = re.compile(
    r"(?:review(?:ed)?|obtained|went over|read)\s+(?:the\s+|her\s+|his\s+|their\s+)?"
    r"(?:outside|external|prior outside|records?|notes?|consult(?:ation)? notes?|discharge summary|"
    r"ed (?:records|notes?)|er (?:records|notes?)|hospital records|care everywhere)"
    r"[^.;\n]{0,80}?(?:from|at|by|of)\s+(?P<src>(?:dr\.?\s+\w+|[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}|"
    r"the\s+\w+(?:\s+\w+){0,2}|outside|urgent care|cardiology|orthopedics|neurology|the ed|the er|"
    r"another|an outside|\w+ hospital|\w+ clinic))"
    r"|(?:outside|external) records? (?:from\s+(?P<src2>[\w .'-]{2,40}?))?(?:were |was )?reviewed"
    r"|records from (?P<src3>[\w .'-]{2,40}?) (?:were |was )?reviewed"
    r"|care everywhere",
    re.I)

HISTORIAN = re.compile(
    r"(?:history|hpi|information|history of present illness)\s+(?:is\s+|was\s+)?(?:obtained|provided|given|"
    r"taken|supplemented|corroborated)\s+(?:primarily\s+|mostly\s+|in part\s+)?(?:from|by)\s+(?:the\s+|his\s+|her\s+)?"
    r"(?P<who>mother|father|parent|parents|mom|dad|wife|husband|spouse|daughter|son|caregiver|"
    r"guardian|ems|paramedics?|nursing (?:home|facility) staff|staff|family|sister|brother|friend|"
    r"group home staff|grandmother|grandfather|partner)"
    r"|independent historian|per (?:the )?(?:ems|paramedics|mother|father|wife|husband|caregiver|daughter|son)\b"
    r"|(?:mother|father|wife|husband|caregiver|daughter|son|ems) (?:provides|provided|gives|gave) (?:the |most of the )?history",
    re.I)

INTERPRETATION = re.compile(
    r"(?:i|my)\s+(?:have\s+)?(?:personally|independently|also)?\s*(?:personally\s+|independently\s+)?"
    r"(?:reviewed|viewed|visualized|interpreted|read|looked at)\s+(?:the\s+)?(?:actual\s+)?"
    r"(?P<what>images?|films?|x-?rays?|radiographs?|ct|ct images|ct scan|mri|ultrasound images|"
    r"ekg|ecg|tracing|rhythm strip|chest x-?ray|cxr)"
    r"|my (?:own |independent |personal )?(?:interpretation|read|review of the (?:images|films|tracing))"
    r"|independent(?:ly)? interpret\w*"
    r"|(?:x-?ray|radiograph|ct|ekg|ecg|cxr|films?|images?)\s+(?:independently|personally)\s+"
    r"(?:reviewed|interpreted|read)(?:\s+by me)?"
    r"|interpreted by me|(?:personally|independently) reviewed by me",
    re.I)

DISCUSSION = re.compile(
    r"(?:discussed|discussion|spoke|talked|conferred|consulted|reviewed the case|case reviewed|curbside[d]?|"
    r"called|phone call|communicated)\s+(?:the case |case |management |findings |plan |results |this )?"
    r"(?:with|to)\s+(?:the\s+)?(?:patient's\s+)?(?:on-?call\s+)?"
    r"(?P<who>dr\.?\s*[A-Z]?\w+|cardiology|cardiologist|surgery|surgeon|general surgery|orthopedics|ortho|"
    r"orthopedist|radiology|radiologist|hospitalist|nephrology|nephrologist|gi|gastroenterology|"
    r"oncology|oncologist|neurology|neurologist|urology|urologist|pulmonology|pulmonologist|icu|intensivist|"
    r"pharmacist|pharmacy|poison control|case manager|case management|social worker|social work|pcp|"
    r"primary care(?: physician| provider)?|obstetrics|ob/gyn|ob|psychiatry|psychiatrist|infectious disease|"
    r"id|endocrinology|endocrinologist|ent|dermatology|the admitting (?:physician|team)|"
    r"admitting (?:physician|team|hospitalist)|the accepting (?:physician|hospitalist)|accepting physician|"
    r"his (?:cardiologist|oncologist|nephrologist|surgeon|pcp)|her (?:cardiologist|oncologist|nephrologist|surgeon|pcp)|"
    r"hospice)",
    re.I)

# ---------------------------------------------------------------------------------- risk
RX_SUFFIX = (r"[a-z]+(?:pril|sartan|olol|dipine|statin|cillin|mycin|floxacin|cycline|prazole|gliptin|gliflozin|"
             r"glutide|formin|azepam|azolam|oxetine|alopram|triptan|nisone|nisolone|conazole|ciclovir|parin|xaban|"
             r"gatran|semide|thiazide|zosin|terol|setron|tiapine|piprazole|lukast|tadine|dronate|fibrate)")
RX_DRUGS = alt(
    "amoxicillin|augmentin|amoxicillin-clavulanate|azithromycin|z-pack|zpak|cephalexin|keflex|cefdinir|cefuroxime|"
    "ceftriaxone|rocephin|doxycycline|bactrim|tmp-smx|sulfamethoxazole|nitrofurantoin|macrobid|ciprofloxacin|"
    "levofloxacin|metronidazole|flagyl|clindamycin|vancomycin|zosyn|piperacillin|penicillin|antibiotic|"
    "antibiotics|iv antibiotics|metformin|insulin|glargine|lantus|humalog|lispro|glipizide|lisinopril|losartan|"
    "amlodipine|hydrochlorothiazide|hctz|chlorthalidone|metoprolol|carvedilol|atorvastatin|rosuvastatin|"
    "simvastatin|pravastatin|levothyroxine|synthroid|methimazole|pantoprazole|sertraline|fluoxetine|escitalopram|"
    "citalopram|bupropion|venlafaxine|duloxetine|trazodone|mirtazapine|gabapentin|pregabalin|prednisone|"
    "methylprednisolone|medrol|medrol dosepak|solu-medrol|dexamethasone|decadron|albuterol|proair|ventolin|"
    "duoneb|ipratropium|montelukast|singulair|budesonide|symbicort|advair|fluticasone-salmeterol|tiotropium|"
    "spiriva|inhaled corticosteroid|warfarin|coumadin|apixaban|eliquis|rivaroxaban|xarelto|dabigatran|heparin|"
    "enoxaparin|lovenox|furosemide|lasix|bumetanide|torsemide|spironolactone|tamsulosin|finasteride|ondansetron|"
    "zofran|promethazine|metoclopramide|cyclobenzaprine|flexeril|methocarbamol|meloxicam|diclofenac|"
    "prescription-strength|tramadol|oxycodone|hydrocodone|percocet|norco|morphine|hydromorphone|dilaudid|"
    "fentanyl|ketorolac|toradol|benzonatate|tessalon|oseltamivir|tamiflu|valacyclovir|valtrex|acyclovir|"
    "mupirocin|triamcinolone cream|clobetasol|hydroxyzine|colchicine|allopurinol|febuxostat|sumatriptan|"
    "topiramate|propranolol|lithium|methotrexate|hydroxychloroquine|diltiazem|digoxin|amiodarone|clopidogrel|"
    "plavix|nitroglycerin|semaglutide|ozempic|wegovy|tirzepatide|mounjaro|jardiance|empagliflozin|"
    "dapagliflozin|farxiga|januvia|sitagliptin|lorazepam|ativan|alprazolam|clonazepam|diazepam|zolpidem|"
    "quetiapine|aripiprazole|olanzapine|haloperidol|buspirone|potassium chloride|kcl|epinephrine|epipen|"
    "famciclovir|fluconazole|diflucan|terbinafine|nystatin|tretinoin|ivermectin|permethrin|sucralfate|"
    "dicyclomine|estradiol|medroxyprogesterone|oral contraceptive|ocp|testosterone|sildenafil|tadalafil|"
    "cetirizine prescription|nasal steroid|steroid taper|prednisolone|oral steroids|iv steroids|nitro drip|"
    "labetalol|hydralazine|clonidine|naloxone|ciprofloxacin drops|ofloxacin|ciprodex|neomycin|"
    "polymyxin|erythromycin ointment|tobramycin|moxifloxacin|cortisporin|iv fluids with|pip-tazo|cefepime|"
    "cefazolin|ancef|meropenem|ertapenem|linezolid|fosfomycin|phenazopyridine|magnesium sulfate|iv magnesium|iv potassium|"
    "insulin drip|heparin drip")
OTC_DRUGS = alt(
    "acetaminophen|tylenol|ibuprofen|advil|motrin|naproxen|aleve|loratadine|claritin|cetirizine|zyrtec|"
    "fexofenadine|allegra|diphenhydramine|benadryl|guaifenesin|mucinex|dextromethorphan|robitussin|"
    "pseudoephedrine|sudafed|saline|nasal saline|saline rinses|honey|otc|over-the-counter|over the counter|"
    "docusate|colace|miralax|polyethylene glycol|calcium carbonate|tums|hydrocortisone cream|bacitracin|"
    "antibiotic ointment|triple antibiotic|vitamin d supplement|vitamin d3|melatonin|fiber supplement|"
    "psyllium|aspirin|baby aspirin|throat lozenges|lozenges|cough drops|artificial tears|oral rehydration|"
    "pedialyte|zinc oxide|petroleum jelly|vaseline|moisturizer|emollients?|calamine|famotidine otc|"
    "omeprazole otc|fluticasone nasal|flonase|voltaren gel|topical diclofenac|ice packs?")
RX_VERBS = re.compile(
    r"\b(?:start|started|starting|begin|began|initiate|initiated|prescribe|prescribed|prescribing|rx|"
    r"e-?prescribed|increase|increased|increasing|decrease|decreased|reduce|reduced|titrate|titrated|continue|"
    r"continued|continuing|cont|refill|refilled|renew|renewed|adjust|adjusted|switch|switched|change|changed|"
    r"stop|stopped|discontinue|discontinued|d/c|hold|held|holding|resume|resumed|restart|restarted|give|given|"
    r"gave|administer|administered|trial of|course of|dose|sent to pharmacy|up-?titrate|wean|taper|add|added|"
    r"ordered|receiving|received|on)\b", re.I)

HOSPITALIZATION = re.compile(
    r"\b(?:admit|admitted|admitting|admission|hospitaliz\w+|inpatient (?:admission|stay)|observation status|"
    r"place(?:d)? (?:in|on) observation|obs status|admit to observation|transfer(?:red)? to (?:the )?"
    r"(?:icu|micu|ccu|intensive care|higher level of care|tertiary)|escalat\w+ (?:of )?care|"
    r"(?:sent|send|sending|refer(?:red)?|direct(?:ed)?) (?:him |her |them |the patient )?(?:directly )?to "
    r"(?:the )?(?:ed|er|emergency (?:department|room))|direct admission|direct admit|"
    r"ed for (?:further )?(?:evaluation|admission))\b", re.I)
DEESCALATE = re.compile(
    r"\b(?:dnr|do not resuscitate|dnr/dni|comfort care|comfort measures|hospice|de-?escalat\w+|"
    r"goals of care discussion|transition(?:ed)? to comfort)\b", re.I)
EMERGENCY_SURGERY = re.compile(
    r"\b(?:emergen(?:t|cy)|urgent)\s+(?:surgical\s+)?(?:surgery|operation|laparotomy|laparoscopy|appendectomy|"
    r"cholecystectomy|exploration|surgical consult\w*|surgical intervention)|to the (?:or|operating room)\b", re.I)
MAJOR_SURGERY = re.compile(
    r"\b(?:refer(?:red|ral)? (?:to|for) (?:general |orthopedic |ortho |vascular |cardiothoracic |neuro)?"
    r"(?:surgery|surgical (?:evaluation|consult\w*))|surgical (?:referral|consult\w*)|"
    r"candidate for (?:surgery|arthroplasty|knee replacement|hip replacement|cholecystectomy|repair)|"
    r"(?:schedule|scheduled|plan|planning|proceed with|recommend(?:ed)?) (?:for )?(?:elective )?"
    r"(?:surgery|arthroplasty|total knee|total hip|knee replacement|hip replacement|cholecystectomy|"
    r"hernia repair|laminectomy|rotator cuff repair|acl reconstruction|hysterectomy|colectomy)|"
    r"elective (?:surgery|arthroplasty|repair|cholecystectomy))", re.I)
SURGERY_RISK_FACTORS = re.compile(
    r"\b(?:high surgical risk|elevated (?:surgical|perioperative|cardiac) risk|surgical risk factors|"
    r"perioperative risk|risk factors (?:for|include)|anticoagula\w+ (?:will need|must be)|"
    r"bleeding risk|asa (?:class )?(?:iii|iv|3|4))\b", re.I)
MINOR_SURGERY_DECISION = re.compile(
    r"\b(?:will|plan to|schedule[d]?|return for|recommend(?:ed)?)\s+(?:an?\s+)?(?:excision|biopsy|"
    r"removal|cryotherapy|incision and drainage|i&d|injection|shave biopsy|punch biopsy|mohs)\b", re.I)
INTENSIVE_MONITORING = re.compile(
    r"\b(?:intensive monitoring|monitor(?:ing)? for toxicity|toxicity monitoring|drug levels?|"
    r"vancomycin (?:trough|level)s?|trough levels?|lithium levels?|digoxin levels?|tacrolimus levels?|"
    r"aminoglycoside levels?|heparin drip|insulin drip|heparin infusion|insulin infusion|"
    r"ptt (?:every|q)\s*\d|serial (?:ptt|potassium|glucose) checks|methotrexate (?:monitoring|labs))\b", re.I)
PARENTERAL_CONTROLLED = re.compile(
    r"\b(?:iv|im|intravenous|intramuscular)\s+(?:morphine|hydromorphone|dilaudid|fentanyl|ketamine|"
    r"lorazepam|ativan|midazolam|versed|diazepam)|(?:morphine|hydromorphone|dilaudid|fentanyl|ketamine|"
    r"lorazepam|ativan|midazolam)\s+(?:\d+(?:\.\d+)?\s*(?:mg|mcg)\s+)?(?:iv|im|intravenous(?:ly)?|"
    r"intramuscular(?:ly)?)\b", re.I)
SDOH = re.compile(
    r"\b(?:cannot afford|can't afford|unable to afford|cost (?:is a |was a )?(?:barrier|prohibitive|concern)|"
    r"uninsured|no insurance|lack of insurance|homeless\w*|housing insecurity|unstable housing|"
    r"food insecurity|no transportation|lack of transportation|transportation barriers?|"
    r"limited by (?:cost|finances|social|insurance)|financial (?:barriers?|constraints?|hardship))\b", re.I)
LOW_RISK_MGMT = re.compile(
    r"\b(?:physical therapy|pt referral|refer(?:red)? to (?:physical|occupational) therapy|"
    r"occupational therapy|iv fluids|normal saline bolus|ns bolus|lr bolus|splint|sling|crutches|"
    r"brace|ace wrap)\b", re.I)
MINIMAL_RISK = re.compile(
    r"\b(?:rest|ice|elevation|gargles?|warm compresses?|bandages?|reassurance|reassured|supportive care|"
    r"fluids|hydration|rice|observation at home|watchful waiting|dressing)\b", re.I)
