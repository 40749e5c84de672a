"""CodiEsp dev with models learned from the CodiEsp *train* split (500 case reports): clearly named
evaluation modes, not the product's diagnoses. Dev gold is read only to score.

Training (train split only):
1. The English translation is one sentence per line; the Spanish text is split into sentences
   and the two are aligned by length (Gale–Church-style dynamic programme: 1-1, 1-2, 2-1, 1-0,
   0-1). Each gold evidence offset (``trainX.tsv``, Spanish) lands in a Spanish sentence, hence
   in its English sentence(s); `projection.py` carries the evidence string itself into English.
2. `TermModel`: n-gram → code associations from the aligned English sentences (and, bilingual
   mode, from the Spanish sentences).
3. `MentionLexicon` / `BagLexicon`: the annotated evidence strings (Spanish in the bilingual mode,
   projected English in the English-only mode) with their document-level precision.
4. `CodePriors`: how often the product's coded diagnoses, and separately its set-aside mentions,
   were in the train gold, per code (smoothed by chapter letter).
5. `CodeClassifier`: per-code linear scorer (ridge, one-vs-rest, codes with ≥ 2 train notes) over
   word 1–2-gram + char 3–5-gram TF-IDF of the English text and the product's codes as tokens.

Ranking of one dev note: candidates from all of the above and from neighbour notes; each is
re-scored by a gradient-boosted stacker fitted on 5-fold out-of-fold train features. MAP uses the
whole ranked list; P/R/F1 the codes scoring at or above a threshold chosen by out-of-fold train F1.
``--select``, ``--select-bag``, ``--select-cands``, ``--select-stacker`` rerun train-only
hyperparameter grids (``--english`` for the English-only mode). Writes bench/results/dx_learned.json
with both modes: ``codiesp_dev_en_learned`` (English text only) and ``codiesp_dev_bilingual_learned``.
"""

from __future__ import annotations

import csv
import json
import math
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dx_common  # noqa: E402
import projection  # noqa: E402

from coderight.coding.encounter import Coder  # noqa: E402
from coderight.coding.evaluate import load_gold, norm_code, score  # noqa: E402
from coderight.coding.learned import BagLexicon, CodePriors, MentionLexicon, TermModel, fold_tokens, ngrams  # noqa: E402

OUT = Path(__file__).resolve().parent / "results"
TERM_PARAMS = {"min_support": 1, "min_precision": 0.15, "prior": 1.5}
"""Chosen by 2-fold cross-fitted MAP on the train split (support 1–3, precision 0.15/0.3, prior 0.5–3)."""
_ES_SPLIT = re.compile(r"(?<=[.!?:])\s+(?=[A-ZÁÉÍÓÚÑ¿¡0-9])|\n+")


def es_sentences(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in _ES_SPLIT.finditer(text):
        if text[pos:m.start()].strip():
            out.append((pos, m.start()))
        pos = m.end()
    if text[pos:].strip():
        out.append((pos, len(text)))
    return out


def align(a: list[int], b: list[int]) -> list[list[int]]:
    """For each source sentence (lengths a), the target sentences (lengths b) aligned to it."""
    n, m = len(a), len(b)
    r = (sum(b) + 1) / (sum(a) + 1)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    moves = ((1, 1, 0.0), (1, 2, 0.6), (2, 1, 0.6), (1, 0, 2.5), (0, 1, 2.5), (2, 2, 1.2))
    for i in range(n + 1):
        for j in range(m + 1):
            c0 = cost[i][j]
            if c0 == inf:
                continue
            for di, dj, pen in moves:
                ii, jj = i + di, j + dj
                if ii > n or jj > m:
                    continue
                la, lb = sum(a[i:ii]) * r, sum(b[j:jj])
                c = c0 + pen + (abs(math.log((lb + 20) / (la + 20))) * 3 if di and dj else 0)
                if c < cost[ii][jj]:
                    cost[ii][jj] = c
                    back[ii][jj] = (di, dj)
    out: list[list[int]] = [[] for _ in range(n)]
    i, j = n, m
    while i > 0 or j > 0:
        step = back[i][j]
        if step is None:
            break
        di, dj = step
        for x in range(i - di, i):
            out[x].extend(range(j - dj, j))
        i, j = i - di, j - dj
    return out


def train_corpus():
    base = dx_common.mirror() / "eval-dev" / "codiesp" / "train"
    ev: dict[str, list[tuple[str, int]]] = defaultdict(list)
    mentions: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with open(base / "trainX.tsv", encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            if len(row) >= 5 and row[1] == "DIAGNOSTICO":
                start = int(row[4].split(";")[0].split()[0])
                ev[row[0]].append((norm_code(row[2]), start))
                mentions[row[0]].append((norm_code(row[2]), row[3]))
    docs, labels, ids, spanish = [], [], [], {}
    pairs, where = [], {}
    for p in sorted((base / "text_files").glob("*.txt")):
        es = p.read_text(encoding="utf-8")
        spanish[p.stem] = es
        en = [x for x in (base / "text_files_en" / p.name).read_text(encoding="utf-8").splitlines() if x.strip()]
        spans = es_sentences(es)
        al = align([e - s for s, e in spans], [len(x) for x in en])
        labs: list[set[str]] = [set() for _ in en]
        es_labs: list[set[str]] = [set() for _ in spans]
        for code, start in ev.get(p.stem, []):
            k = next((i for i, (s, e) in enumerate(spans) if s <= start < e), None)
            if k is not None and al[k]:  # the aligned English, then its neighbours (alignment slips)
                lo, hi = min(al[k]), max(al[k])
                where[p.stem, start] = [" ".join(en[j] for j in al[k])] + [en[j] for j in (lo - 1, hi + 1)
                                                                           if 0 <= j < len(en)]
            if k is not None:
                es_labs[k].add(code)
                for j in al[k]:
                    labs[j].add(code)
        for k, (s, e) in enumerate(spans):
            if al[k]:
                pairs.append((fold_tokens(es[s:e]), fold_tokens(" ".join(en[j] for j in al[k]))))
        ES_SENTS[p.stem] = ([es[s:e] for s, e in spans], es_labs)
        docs.append(en)
        labels.append(labs)
        ids.append(p.stem)
    # English evidence strings: each Spanish string carried into its aligned English sentence(s)
    table = projection.ibm1(pairs)
    df: dict[str, int] = defaultdict(int)
    for en in docs:
        for w in set(fold_tokens(" ".join(en))):
            df[w] += 1
    common = frozenset(w for w, n in df.items() if n > COMMON_DF * len(docs))
    for doc, ms in mentions.items():
        out = EN_MENTIONS.setdefault(doc, [])
        for (code, text), (_c, start) in zip(ms, ev[doc], strict=True):
            sents = where.get((doc, start), [])
            got = projection.project_best(fold_tokens(text), sents, table, common) if sents else None
            if got:
                out.append((code, sents[got[0]][got[1][0]:got[1][1]]))
    return ids, docs, labels, spanish, dict(mentions)


COMMON_DF = 0.1
"""English words in more than this share of train notes are 'common' for the projection."""
EN_MENTIONS: dict[str, list[tuple[str, str]]] = {}
"""Train note → (code, English evidence string projected from the Spanish annotation)."""
MODE = {"bilingual": True}
"""bilingual: lexicons and a phrase model over the Spanish original; else English text only."""
ES_SENTS: dict[str, tuple[list[str], list[set[str]]]] = {}
"""Train note → (Spanish sentences, codes whose evidence starts in each): a phrase model without alignment noise."""


def spanish_phrases(tm, text) -> dict[str, tuple[float, int]]:
    """code → (best phrase precision, sentences holding one of its phrases) over the Spanish original."""
    sents = [text[s:e] for s, e in es_sentences(text)]
    m = tm.match(sents)
    h = phrase_hits(tm, sents)
    return {norm_code(c): (v[0], h.get(norm_code(c), 0)) for c, v in m.items()}


def spanish_notes(split: str) -> dict[str, str]:
    d = dx_common.mirror() / "eval-dev" / "codiesp" / split / "text_files"
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(d.glob("*.txt"))}


def product_lists(coder, notes, conv):
    dx, aside = {}, {}
    for nid, text in notes:
        r = coder.code(text, setting="inpatient", id=nid)
        d = []
        for x in r.diagnoses:
            c = norm_code(conv(x.code))
            if c not in d:
                d.append(c)
        a = []
        for s in r.set_aside:
            c = norm_code(conv(s.code))
            if c not in d and c not in a and coder.tab.find(s.code) is not None:
                a.append(c)
        dx[nid], aside[nid] = d, a
    return dx, aside


def rank(dx, aside, learned, pdx, pas) -> list[tuple[str, float]]:
    sc: dict[str, float] = {}

    def add(c, p):
        sc[c] = 1 - (1 - sc.get(c, 0.0)) * (1 - p)

    for c in dx:
        add(c, pdx(c))
    for c in aside:
        add(c, pas(c))
    for c, (p, _g, _s) in learned.items():
        add(norm_code(c), p)
    return sorted(sc.items(), key=lambda x: -x[1])


CLF_PARAMS = {"min_docs": 2, "C": 1.0}
"""Per-code ridge over TF-IDF: codes with at least `min_docs` train documents; `C` = ridge penalty.
Chosen by 5-fold cross-fitted train MAP (C 0.3/1/3, min_docs 2/3); dev not consulted."""
FOLDS = 5
BAG_PARAMS = {"slack": 8, "size": 5}
"""`BagLexicon` window slack and stem length; ``--select-bag`` compares settings by out-of-fold train MAP."""
KNN = 10
"""Neighbour notes (TF-IDF similarity) whose gold codes vote for a code: a stacker feature and candidates."""


def phrase_hits(tm, sentences) -> dict[str, int]:
    """code → number of the note's sentences holding one of its learned phrases."""
    out: dict[str, int] = defaultdict(int)
    for s in sentences:
        for c in {tm.terms[g][0] for g in ngrams(s) if g in tm.terms}:
            out[norm_code(c)] += 1
    return out


def clf_features(texts, dx, aside):
    """Per note: word 1–2-gram and char 3–5-gram TF-IDF of the English text, plus the product's
    coded diagnoses and set-aside mentions as tokens."""
    return [(t, " ".join([f"dx_{c}" for c in d] + [f"as_{c}" for c in a])) for t, d, a in zip(texts, dx, aside, strict=True)]


class CodeClassifier:
    """Bench-only: one-vs-rest linear scorer per code (ridge, solved for all codes at once in the dual:
    500 notes ≪ features), over scikit-learn TF-IDF features; the stacker calibrates its scores."""

    def __init__(self, min_docs: int = 3, C: float = 8.0):
        self.min_docs, self.C = min_docs, C

    def fit(self, feats, golds):
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
        from sklearn.preprocessing import MultiLabelBinarizer

        cnt = defaultdict(int)
        for g in golds:
            for c in g:
                cnt[c] += 1
        self.codes = sorted(c for c, n in cnt.items() if n >= self.min_docs)
        self.word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=60000)
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                                    max_features=30000)
        self.prod = CountVectorizer(binary=True, token_pattern=r"\S+", lowercase=False)
        texts, toks = [f[0] for f in feats], [f[1] for f in feats]
        x = hstack([self.word.fit_transform(texts), self.char.fit_transform(texts), self.prod.fit_transform(toks)]).tocsr()
        self.mlb = MultiLabelBinarizer(classes=self.codes)
        y = self.mlb.fit_transform([[c for c in g if c in cnt and cnt[c] >= self.min_docs] for g in golds])
        # all codes at once in the dual (kernel ridge: 500 notes ≪ features); the stacker calibrates
        self.x = x
        k = (x @ x.T).toarray()
        self.alpha = np.linalg.solve(k + self.C * np.eye(k.shape[0]), y - y.mean(0))
        self.golds = [set(g) for g in golds]
        self.bias = y.mean(0)
        return self

    def predict(self, feats) -> list[dict[str, float]]:
        from scipy.sparse import hstack

        texts, toks = [f[0] for f in feats], [f[1] for f in feats]
        x = hstack([self.word.transform(texts), self.char.transform(texts), self.prod.transform(toks)]).tocsr()
        sim = (x @ self.x.T).toarray()
        pr = np.asarray(sim @ self.alpha + self.bias)
        out = []
        for row, srow in zip(pr, sim, strict=True):
            knn: dict[str, float] = defaultdict(float)
            nb = np.argsort(-srow)[:KNN]
            tot = float(srow[nb].sum()) or 1.0
            for j in nb:
                for c in self.golds[j]:
                    knn[c] += float(srow[j]) / tot
            out.append(({c: float(p) for c, p in zip(self.codes, row, strict=True)}, dict(knn)))
        return out


CAND_PARAMS = {"top": 60, "min_prob": 0.01, "min_knn": 0.1, "min_lex": 0.0, "min_es": 0.05}
"""Candidate gates; ``--select-cands`` compares settings by out-of-fold train MAP."""


def candidates(dx, aside, learned, pred, pdx, pas, code_docs, n_docs, hits, lexm, bagm, esm):
    """(code, feature vector) for every candidate of one note: the product's diagnoses and set-aside
    mentions, learned-phrase codes, the classifier's top codes with score ≥ `min_prob`, the codes
    of neighbour notes voted by ≥ 0.2 of the similarity mass and the codes of annotated Spanish
    evidence strings found in the original text with document precision ≥ `min_lex`."""
    probs, knn = pred
    order = sorted(probs.items(), key=lambda x: -x[1])
    crank = {c: r for r, (c, _p) in enumerate(order)}
    top, min_prob, min_knn, min_lex = (CAND_PARAMS[k] for k in ("top", "min_prob", "min_knn", "min_lex"))
    cands = (set(dx) | set(aside) | {norm_code(c) for c in learned} | {c for c, p in order[:top] if p >= min_prob}
             | {c for c, v in knn.items() if v >= min_knn} | {c for c, v in lexm.items() if v[0] >= min_lex}
             | {c for c, v in bagm.items() if v[0] >= min_lex}
             | {c for c, v in esm.items() if v[0] >= CAND_PARAMS["min_es"]})
    lm = {norm_code(c): v[0] for c, v in learned.items()}
    out = []
    for c in sorted(cands):  # a fixed row order keeps the stacker deterministic
        p = probs.get(c)
        f = [p if p is not None else 0.0, float(p is not None), lm.get(c, 0.0), float(c in lm),
             float(c in dx), pdx(c) if c in dx else 0.0, float(c in aside), pas(c) if c in aside else 0.0,
             math.log1p(code_docs.get(c, 0)) / math.log1p(n_docs), knn.get(c, 0.0),
             math.log1p(crank.get(c, len(crank))), math.log1p(hits.get(c, 0)), float(len(c) <= 3)]
        lx = lexm.get(c)
        f += [lx[0], float(lx[1]), math.log1p(lx[2])] if lx else [0.0, 0.0, 0.0]
        bx = bagm.get(c)
        f += [bx[0], float(bx[1]), math.log1p(bx[2])] if bx else [0.0, 0.0, 0.0]
        sx = esm.get(c)
        f += [sx[0], math.log1p(sx[1])] if sx else [0.0, 0.0]
        noisy = 1.0
        for q in (f[2], f[5], f[7]):
            noisy *= 1 - q
        f.append(1 - noisy)
        out.append((c, f))
    # siblings compete (N18.4 vs N18.5): how many candidates share the category, and whether this one
    # has the category's best evidence (the best of lexicon, bag and phrase precision)
    ev = {c: max(f[2], f[13], f[16], f[19]) for c, f in out}
    cat: dict[str, list[float]] = defaultdict(list)
    for c, e in ev.items():
        cat[c[:3]].append(e)
    for c, f in out:
        others = sorted(cat[c[:3]], reverse=True)
        f += [ev[c], float(len(others) - 1), ev[c] - (others[1] if others[0] == ev[c] and len(others) > 1 else others[0])]
    return out


def cross_fit(ids, docs, labels, texts, tdx, tas, gold, params, spanish, mentions, folds=FOLDS):
    """Out-of-fold candidate features for every train note (models fitted on the other folds).
    `spanish`/`mentions`: the texts and evidence strings the lexicons learn from (the Spanish
    original, or the English translation with projected strings); `ES_SENTS` is used only when
    `MODE` is bilingual."""
    out = {}
    for k in range(folds):
        tr = [j for j in range(len(ids)) if j % folds != k]
        te = [j for j in range(len(ids)) if j % folds == k]
        tm = TermModel.fit([docs[j] for j in tr], [labels[j] for j in tr], **TERM_PARAMS)
        tm_es = (TermModel.fit([ES_SENTS[ids[j]][0] for j in tr], [ES_SENTS[ids[j]][1] for j in tr], **TERM_PARAMS)
                 if MODE["bilingual"] else None)
        lex = MentionLexicon.fit({ids[j]: spanish[ids[j]] for j in tr}, {ids[j]: mentions.get(ids[j], []) for j in tr},
                                 gold)
        bag = BagLexicon.fit({ids[j]: spanish[ids[j]] for j in tr}, {ids[j]: mentions.get(ids[j], []) for j in tr},
                             gold, **BAG_PARAMS)
        sub = {ids[j]: None for j in tr}
        pdx = CodePriors.fit({i: tdx[i] for i in sub}, gold)
        pas = CodePriors.fit({i: tas[i] for i in sub}, gold)
        code_docs = defaultdict(int)
        for j in tr:
            for c in gold.get(ids[j], ()):
                code_docs[c] += 1
        clf = CodeClassifier(**params).fit(clf_features([texts[j] for j in tr], [tdx[ids[j]] for j in tr],
                                                        [tas[ids[j]] for j in tr]), [gold.get(ids[j], set()) for j in tr])
        probs = clf.predict(clf_features([texts[j] for j in te], [tdx[ids[j]] for j in te], [tas[ids[j]] for j in te]))
        for j, pr in zip(te, probs, strict=True):
            i = ids[j]
            out[i] = candidates(tdx[i], tas[i], tm.match(docs[j]), pr, pdx, pas, code_docs, len(tr),
                                phrase_hits(tm, docs[j]), lex.match(spanish[i]),
                                bag.match(spanish[i]), spanish_phrases(tm_es, spanish[i]) if tm_es else {})
    return out


def stack_xy(cands, gold):
    import numpy as np

    x, y, idx = [], [], []
    for i, cs in cands.items():
        for c, f in cs:
            x.append(f)
            y.append(int(c in gold.get(i, ())))
            idx.append((i, c))
    return np.array(x), np.array(y), idx


STACK_PARAMS = {"max_iter": 200, "learning_rate": 0.05, "max_leaf_nodes": 15}
"""Gradient-boosted stacker; chosen by out-of-fold train MAP (``--select-stacker``)."""


def stacker(params=None):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(**(params or STACK_PARAMS), random_state=0)


def ranked_from(idx, scores):
    r = defaultdict(list)
    for (i, c), s in zip(idx, scores, strict=True):
        r[i].append((c, float(s)))
    return {i: sorted(v, key=lambda x: -x[1]) for i, v in r.items()}


def oof_stack(x, y, idx, folds=FOLDS, params=None):
    """Out-of-fold stacker scores (folds by note, so a note never scores itself)."""
    import numpy as np

    notes = sorted({i for i, _c in idx})
    fold_of = {i: k % folds for k, i in enumerate(notes)}
    f = np.array([fold_of[i] for i, _c in idx])
    s = np.zeros(len(y))
    for k in range(folds):
        m = stacker(params).fit(x[f != k], y[f != k])
        s[f == k] = m.predict_proba(x[f == k])[:, 1]
    return s


def main() -> int:
    t0 = time.perf_counter()
    cb = dx_common.codebook()
    coder = Coder(cb)
    conv = dx_common.release_crosswalk(cb)
    ids, docs, labels, spanish, mentions = train_corpus()
    train_gold = load_gold(dx_common.codiesp_gold_path("train"))
    train_notes = dict(dx_common.codiesp_notes("train"))
    texts = [train_notes[i] for i in ids]
    tdx, tas = product_lists(coder, train_notes.items(), conv)
    # 1. out-of-fold candidates and features on train; 2. stacker scores out of fold; threshold by train F1
    if "--english" in sys.argv:
        MODE["bilingual"] = False
    en_train = dict(zip(ids, texts, strict=True))
    lt, lm = (spanish, mentions) if MODE["bilingual"] else (en_train, EN_MENTIONS)
    if "--select" in sys.argv:  # hyperparameters by cross-fitted train MAP / F1 only; dev is not read
        for md in (2, 3):
            for c in (0.3, 1.0, 3.0):
                cf = cross_fit(ids, docs, labels, texts, tdx, tas, train_gold, {"min_docs": md, "C": c}, lt, lm)
                xs, ys, ix = stack_xy(cf, train_gold)
                r = ranked_from(ix, oof_stack(xs, ys, ix))
                f1 = max(score(train_gold, {i: [k for k, v in q if v >= t] for i, q in r.items()})["f1"]
                         for t in [v / 100 for v in range(10, 80, 2)])
                mp = score(train_gold, {i: [k for k, _v in q] for i, q in r.items()})["map"]
                print(f"min_docs {md} C {c}: train MAP {mp:.3f} F1 {f1:.3f}")
        return 0
    if "--select-cands" in sys.argv:  # candidate gates by out-of-fold train MAP / F1 only
        for top, mp_, mk, ml, me in ((30, 0.05, 0.2, 0.05, 0.3), (30, 0.05, 0.2, 0.05, 1.1), (60, 0.01, 0.1, 0.0, 0.3),
                                     (60, 0.01, 0.1, 0.0, 0.05)):
            CAND_PARAMS.update(top=top, min_prob=mp_, min_knn=mk, min_lex=ml, min_es=me)
            cf = cross_fit(ids, docs, labels, texts, tdx, tas, train_gold, CLF_PARAMS, lt, lm)
            xs, ys, ix = stack_xy(cf, train_gold)
            r = ranked_from(ix, oof_stack(xs, ys, ix))
            f1 = max(score(train_gold, {i: [k for k, v in q if v >= t] for i, q in r.items()})["f1"]
                     for t in [v / 100 for v in range(10, 80, 2)])
            m = score(train_gold, {i: [k for k, _v in q] for i, q in r.items()})
            print(f"cands {CAND_PARAMS}: train MAP {m['map']:.4f} R {m['recall']:.4f} F1 {f1:.4f}", flush=True)
        return 0
    if "--select-bag" in sys.argv:  # bag window and stem length by out-of-fold train MAP / F1 only
        for sl, sz in ((2, 6), (3, 6), (5, 6), (3, 5), (3, 7), (8, 6)):
            BAG_PARAMS.update(slack=sl, size=sz)
            cf = cross_fit(ids, docs, labels, texts, tdx, tas, train_gold, CLF_PARAMS, lt, lm)
            xs, ys, ix = stack_xy(cf, train_gold)
            r = ranked_from(ix, oof_stack(xs, ys, ix))
            f1 = max(score(train_gold, {i: [k for k, v in q if v >= t] for i, q in r.items()})["f1"]
                     for t in [v / 100 for v in range(10, 80, 2)])
            mp = score(train_gold, {i: [k for k, _v in q] for i, q in r.items()})["map"]
            print(f"bag slack {sl} size {sz}: train MAP {mp:.4f} F1 {f1:.4f}", flush=True)
        return 0
    dev_notes = dx_common.codiesp_notes("dev")
    ddx, das = product_lists(coder, dev_notes, conv)
    gold = load_gold(dx_common.codiesp_gold_path("dev"))
    dev_spanish = spanish_notes("dev")
    res = {"train_docs": len(ids), "term_params": TERM_PARAMS, "clf_params": CLF_PARAMS, "bag_params": BAG_PARAMS,
           "cand_params": CAND_PARAMS, "english_evidence_strings_projected": sum(map(len, EN_MENTIONS.values())),
           "spanish_evidence_strings": sum(map(len, mentions.values()))}
    for bilingual in (False, True):
        MODE["bilingual"] = bilingual
        name = "codiesp_dev_bilingual_learned" if bilingual else "codiesp_dev_en_learned"
        lt, lm = (spanish, mentions) if bilingual else (en_train, EN_MENTIONS)
        dev_lex = dev_spanish if bilingual else dict(dev_notes)
        res.update(run_mode(name, coder, ids, docs, labels, texts, tdx, tas, train_gold, lt, lm,
                            dev_notes, ddx, das, gold, dev_lex, dev_spanish))
    pdx = CodePriors.fit(tdx, train_gold)
    pas = CodePriors.fit(tas, train_gold)
    # product ranking re-ordered by the code priors only (diagnoses then set-aside; no new codes)
    res["codiesp_dev_en_mentions_prior_ranked"] = {
        k: v for k, v in score(gold, {i: [c for c, _s in rank(ddx[i], das[i], {}, pdx, pas)] for i in gold}).items()
        if k in ("precision", "recall", "f1", "map")}
    res["seconds"] = round(time.perf_counter() - t0, 1)
    res["note"] = ("evaluation modes, not the product's diagnoses: product diagnoses + set-aside + train-learned "
                   "phrase, mention-lexicon and bag-of-stems suggestions + per-code TF-IDF ridge, re-scored by a "
                   "stacker fitted on out-of-fold train features. *_en_*: English translation only (lexicons "
                   "learn from the Spanish evidence strings projected onto the English sentences); "
                   "*_bilingual_*: lexicons and a phrase model also read the Spanish original.")
    for k, v in res.items():
        if isinstance(v, dict) and "precision" in v:
            print(f"{k:<48} P {v['precision']:.3f} R {v['recall']:.3f} F1 {v['f1']:.3f} MAP {v['map']:.3f}")
    print(f"{res['seconds']} s")
    OUT.mkdir(exist_ok=True)
    with open(OUT / "dx_learned.json", "w") as f:
        json.dump(res, f, indent=1)
    return 0


def run_mode(name, coder, ids, docs, labels, texts, tdx, tas, train_gold, lt, lm, dev_notes, ddx, das, gold,
             dev_lex, dev_spanish) -> dict:
    """Cross-fitted train features → stacker and threshold; final models on all of train; dev scored."""
    cands_tr = cross_fit(ids, docs, labels, texts, tdx, tas, train_gold, CLF_PARAMS, lt, lm)
    x, y, idx = stack_xy(cands_tr, train_gold)
    ranked_tr = ranked_from(idx, oof_stack(x, y, idx))
    m_tr = score(train_gold, {i: [c for c, _s in r] for i, r in ranked_tr.items()})
    best = (0.0, 0.5)
    for t in [v / 100 for v in range(10, 80, 2)]:
        m = score(train_gold, {i: [c for c, s in r if s >= t] for i, r in ranked_tr.items()})
        best = max(best, (m["f1"], t))
    thr = best[1]
    print(f"{name}: train cross-fitted MAP {m_tr['map']:.3f}  F1 {best[0]:.3f} at threshold {thr}", flush=True)
    tm = TermModel.fit(docs, labels, **TERM_PARAMS)
    tm_es = (TermModel.fit([ES_SENTS[i][0] for i in ids], [ES_SENTS[i][1] for i in ids], **TERM_PARAMS)
             if MODE["bilingual"] else None)
    lex = MentionLexicon.fit(lt, lm, train_gold)
    bag = BagLexicon.fit(lt, lm, train_gold, **BAG_PARAMS)
    pdx = CodePriors.fit(tdx, train_gold)
    pas = CodePriors.fit(tas, train_gold)
    code_docs = defaultdict(int)
    for i in ids:
        for c in train_gold.get(i, ()):
            code_docs[c] += 1
    clf = CodeClassifier(**CLF_PARAMS).fit(clf_features(texts, [tdx[i] for i in ids], [tas[i] for i in ids]),
                                           [train_gold.get(i, set()) for i in ids])
    st = stacker().fit(x, y)
    probs = clf.predict(clf_features([t for _n, t in dev_notes], [ddx[n] for n, _t in dev_notes],
                                     [das[n] for n, _t in dev_notes]))
    cands = {}
    for (nid, text), pr in zip(dev_notes, probs, strict=True):
        sents = [s for s in text.splitlines() if s.strip()]
        cands[nid] = candidates(ddx[nid], das[nid], tm.match(sents), pr, pdx, pas, code_docs, len(ids),
                                phrase_hits(tm, sents), lex.match(dev_lex[nid]), bag.match(dev_lex[nid]),
                                spanish_phrases(tm_es, dev_spanish[nid]) if tm_es else {})
    xd, _yd, idxd = stack_xy(cands, {})
    ranked = ranked_from(idxd, st.predict_proba(xd)[:, 1])
    m_rank = score(gold, {i: [c for c, _s in r] for i, r in ranked.items() if i in gold})
    m_cut = score(gold, {i: [c for c, s in r if s >= thr] for i, r in ranked.items() if i in gold})
    keys = ("precision", "recall", "f1", "map")
    return {f"{name}_train_cross_fitted": {"map": round(m_tr["map"], 4), "f1_at_threshold": round(best[0], 4),
                                           "threshold": thr},
            f"{name}_stats": {"learned_terms": len(tm.terms), "classifier_codes": len(clf.codes),
                              "lexicon_strings": len(lex.entries), "bags": len(bag.entries)},
            name: {k: m_cut[k] for k in keys}, f"{name}_full_ranking": {k: m_rank[k] for k in keys}}


if __name__ == "__main__":
    sys.exit(main())
