"""Learned priors (coding/learned.py): phrase → code associations and per-code precision."""

from __future__ import annotations

from coderight.coding.learned import CodePriors, TermModel, ngrams


def test_ngrams_skip_function_words_and_short_unigrams():
    gs = ngrams("The patient had a brucella orchiepididymitis.")
    assert ("brucella", "orchiepididymitis") in gs and ("brucella",) in gs
    assert not any(g[0] in ("patient", "had") for g in gs)


def test_term_model_keeps_supported_precise_phrases():
    docs = [["Right orchiepididymitis by Brucella."], ["Brucellosis was confirmed."], ["Fever and orchiepididymitis."],
            ["No fever."]]
    labels = [[{"N45.3"}], [{"A23.9"}], [{"N45.3", "R50.9"}], [set()]]
    tm = TermModel.fit(docs, labels, min_support=2, min_precision=0.3)
    (g,) = [g for g in tm.terms if len(g) == 1 and g[0].startswith("orchiepididym")]
    assert tm.terms[g][0] == "N45.3"
    assert "A23.9" not in {c for c, _p, _k in tm.terms.values()}  # seen once: below min_support
    got = tm.match(["Left orchiepididymitis."])
    assert list(got) == ["N45.3"]


def test_code_priors_are_smoothed_by_chapter():
    pred = {"a": ["I10", "R52"], "b": ["I10", "R52"], "c": ["I10"]}
    gold = {"a": {"I10"}, "b": {"I10", "R52"}, "c": {"I10"}}
    pr = CodePriors.fit(pred, gold)
    assert pr("I10") > pr("R52") > 0
    assert 0 < pr("I50.9") <= 1  # unseen code: its letter's precision
