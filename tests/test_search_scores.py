"""The `bound` and `law` scores: published values, hand-computed cases, the orderings the papers report."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lrviz
from lrviz.errors import SpecError
from lrviz.search.bound import bound_terms
from lrviz.search.law import PUBLISHED_LAWS, MultiPowerLaw, fit_law, predict_loss, read_loss_runs

T = 400
# The schedules of Schaipp et al. for T = 400 (their schedules have T + 1 values ending at 0, of which
# the bound reads T): torch's LinearLR and CosineAnnealingLR, WSD as a LambdaLR with a 20 % cooldown.
PUBLISHED_SCHEDULES = {
    "linear to 0": ({"type": "LinearLR", "start_factor": 1.0, "end_factor": 0.0, "total_iters": T}, 0.1006, 0.0496),
    "cosine to 0": ({"type": "CosineAnnealingLR", "T_max": T}, 0.1034, 0.0482),
    "WSD, 20% cooldown": ({"type": "LambdaLR", "lr_lambda": f"min(1, ({T} - epoch) / {T // 5})"}, 0.1093, 0.0254),
    "constant": ({"type": "LambdaLR", "lr_lambda": "1"}, 0.1375, 0.0182),
}


@pytest.fixture(scope="module")
def published_search():
    spec = lrviz.spec_from_dict(
        {"steps": T, "curves": [{"label": k, "scheduler": s} for k, (s, _, _) in PUBLISHED_SCHEDULES.items()]}
    )
    return lrviz.search(spec, score="bound")


@pytest.mark.parametrize("name", list(PUBLISHED_SCHEDULES))
def test_bound_matches_the_authors_published_values(name, published_search):
    _, bound, best_lr = PUBLISHED_SCHEDULES[name]
    candidate = next(c for c in published_search.candidates if c.label == name)
    assert candidate.score == pytest.approx(bound, abs=1e-4)
    assert candidate.best_lr == pytest.approx(best_lr, abs=1e-4)


def test_bound_ranks_linear_cosine_wsd_constant(published_search):
    assert [c.label for c in published_search.candidates] == list(PUBLISHED_SCHEDULES)
    assert [c.rank for c in published_search.candidates] == [1, 2, 3, 4]
    assert published_search.best.label == "linear to 0"


def test_bound_terms_of_a_two_step_schedule_by_hand():
    # η = (1, 0.5), D = G = 1: Σ η = 1.5, Σ η² = 1.25
    terms = bound_terms(np.array([1.0, 0.5]))
    assert terms.t1 == pytest.approx(1 / (2 * 1.5))
    assert terms.t2 == pytest.approx(1.25 / (2 * 1.5))
    # k = 0 only: ½ · (η_0 / η_1) · (Σ η² / Σ η)
    assert terms.t3 == pytest.approx(0.5 * (1.0 / 0.5) * (1.25 / 1.5))
    assert terms.best_bound == pytest.approx(2 * math.sqrt(terms.t1 * (terms.t2 + terms.t3)))
    assert terms.at(terms.best_lr) == pytest.approx(terms.best_bound)
    d, g = 2.0, 3.0
    scaled = bound_terms(np.array([1.0, 0.5]), d, g)
    assert (scaled.t1, scaled.t2, scaled.t3) == pytest.approx((4 * terms.t1, 9 * terms.t2, 9 * terms.t3))


def test_fixed_lr_scores_the_spec_own_lr():
    spec = lrviz.spec_for("cosine", T_max=T, steps=T, lr=0.2)
    fixed = lrviz.search(spec, score="bound", fixed_lr=True).candidates[0]
    best = lrviz.search(spec, score="bound").candidates[0]
    shape = lrviz.simulate(spec)[0].lr / 0.2
    assert fixed.score == pytest.approx(bound_terms(shape).at(0.2))
    assert fixed.score > best.score


def test_bound_refuses_a_schedule_that_sums_to_zero():
    with pytest.raises(SpecError, match="sum to 0"):
        bound_terms(np.zeros(5))


def test_law_formula_on_a_hand_computed_case():
    # η = (1, 0.5, 0.5); S = (1, 1.5, 2); L0=1, A=2, α=0.5, B=3, C=4, β=0.5, γ=1
    constants = (1.0, 2.0, 0.5, 3.0, 4.0, 0.5, 1.0)
    loss = predict_loss(constants, np.array([1.0, 0.5, 0.5]))
    # t = 1: the k = 1 drop, (η_1 − η_0) = −0.5, C η_1^−γ (S(1) − S(0)) = 4 · 2 · 0.5 = 4
    # t = 2: the same drop with S(2) − S(0) = 1: 4 · 2 · 1 = 8; k = 2 adds nothing (η_2 = η_1)
    expected = [
        1 + 2 * 1.0**-0.5,
        1 + 2 * 1.5**-0.5 + 3 * (-0.5) * (1 - (1 + 4.0) ** -0.5),
        1 + 2 * 2.0**-0.5 + 3 * (-0.5) * (1 - (1 + 8.0) ** -0.5),
    ]
    assert loss == pytest.approx(expected, rel=1e-12)
    assert predict_loss(constants, np.array([1.0, 0.5, 0.5]), at=[2]) == pytest.approx(expected[2:])


PEAK, STEPS, WARMUP = 3e-4, 24_000, 2_160
# The authors' runs: 24,000 steps at peak LR 3e-4 after a linear warmup; cosine and WSD end at 3e-5.
LAW_SCHEDULES = {
    "WSD": {"type": "LambdaLR", "lr_lambda": f"min(1, 0.1 + 0.9 * ({STEPS} - epoch) / 4000)"},
    "cosine": {"type": "CosineAnnealingLR", "T_max": STEPS, "eta_min": PEAK / 10},
    "constant": {"type": "LambdaLR", "lr_lambda": "1"},
}


@pytest.mark.parametrize("law", list(PUBLISHED_LAWS))
def test_law_ranks_wsd_before_cosine_before_constant_on_the_authors_schedules(law):
    curves = [
        {"label": name, "scheduler": scheduler, "warmup": {"steps": WARMUP, "factor": 0.001}}
        for name, scheduler in LAW_SCHEDULES.items()
    ]
    spec = lrviz.spec_from_dict({"lr": PEAK, "steps": STEPS, "curves": curves})
    result = lrviz.search(spec, score="law", law=law)
    assert [c.label for c in result.candidates] == ["WSD", "cosine", "constant"]
    simulated = {curve.label: curve.lr for curve in lrviz.simulate(spec)}
    for candidate in result.candidates:  # the score is the formula's loss at the last step
        last = PUBLISHED_LAWS[law].predict(simulated[candidate.label], at=[STEPS - 1])
        assert candidate.score == pytest.approx(last[0])
        assert candidate.loss_steps[-1] == STEPS - 1 and candidate.loss[-1] == candidate.score
    assert "the law is only as good as its fit" in result.note


def test_unknown_law_suggests():
    with pytest.raises(SpecError, match="did you mean 'mpl-25m'"):
        lrviz.search(lrviz.spec_for("cosine", T_max=10), score="law", law="mpl-25")


def _law_csv(path, law: MultiPowerLaw, schedules: dict[str, np.ndarray]) -> None:
    lines = ["run,step,lr,loss"]
    for run, lr in schedules.items():
        for step, (rate, loss) in enumerate(zip(lr, law.predict(lr), strict=True)):
            lines.append(f"{run},{step},{float(rate)!r},{float(loss)!r}")
    path.write_text("\n".join(lines) + "\n")


def test_law_fit_recovers_a_known_law_from_its_curves(tmp_path):
    steps = np.arange(2000)
    truth = PUBLISHED_LAWS["mpl-25m"]
    cosine = PEAK * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * steps / 2000)))
    step_decay = PEAK * np.where(steps < 1200, 1.0, np.where(steps < 1600, 0.3, 0.09))
    _law_csv(tmp_path / "losses.csv", truth, {"cosine": cosine, "step": step_decay})
    fitted = fit_law(read_loss_runs(str(tmp_path / "losses.csv")))
    wsd = PEAK * np.minimum(1, 0.1 + 0.9 * (2000 - steps) / 400)  # a schedule the fit never saw
    assert np.abs(fitted.predict(wsd) - truth.predict(wsd)).max() < 5e-3
    assert "fitted to 2 run(s)" in fitted.source


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("step,loss\n0,1\n", "no 'lr' column"),
        ("lr,loss\n0.1,2\n0.1,x\n", "losses.csv:3: loss: expected a number, got 'x'"),
        ("lr,loss\n0.1,2\n-1,2\n", "losses.csv:3: lr: must be positive"),
        ("lr,loss\n0.1,2\n", "at least 8 rows"),
    ],
)
def test_law_fit_csv_errors_name_file_line_and_column(tmp_path, text, message):
    (tmp_path / "losses.csv").write_text(text)
    with pytest.raises(SpecError) as caught:
        read_loss_runs(str(tmp_path / "losses.csv"))
    assert message in str(caught.value)


def _law_by_the_formula(constants, eta):
    """The Multi-Power Law written out term by term, as the paper's formula reads."""
    l0, a, alpha, b, c, beta, gamma = constants
    s = np.cumsum(eta)
    loss = []
    for t in range(len(eta)):
        drop = 0.0
        for k in range(1, t + 1):
            if eta[k] != eta[k - 1]:
                drop += (eta[k] - eta[k - 1]) * (1 - (1 + c * eta[k] ** -gamma * (s[t] - s[k - 1])) ** -beta)
        loss.append(l0 + a * s[t] ** -alpha + b * drop)
    return np.array(loss)


def _bound_by_the_formula(eta, d, g):
    total = sum(eta)
    t1 = d * d / (2 * total)
    t2 = g * g * sum(e * e for e in eta) / (2 * total)
    t3 = 0.5 * sum(
        eta[k] / sum(eta[k + 1 :]) * (g * g * sum(e * e for e in eta[k:]) / sum(eta[k:])) for k in range(len(eta) - 1)
    )
    return t1, t2, t3


schedules = st.lists(st.floats(1e-4, 1.0), min_size=2, max_size=40)


@settings(max_examples=60, deadline=None)
@given(schedules, st.floats(0.1, 5.0), st.floats(0.1, 5.0))
def test_bound_agrees_with_the_formula_written_out(eta, d, g):
    terms = bound_terms(np.array(eta), d, g)
    assert (terms.t1, terms.t2, terms.t3) == pytest.approx(_bound_by_the_formula(eta, d, g), rel=1e-9)
    for scale in (0.5, 2.0):  # the best base LR is the minimum of the bound over base LRs
        assert terms.best_bound <= terms.at(terms.best_lr * scale) + 1e-12


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([1e-4, 3e-4, 2e-4, 5e-5]), min_size=1, max_size=150), st.sampled_from(list(PUBLISHED_LAWS))
)
def test_law_agrees_with_the_formula_written_out(eta, law):
    constants = PUBLISHED_LAWS[law].constants
    expected = _law_by_the_formula(constants, np.array(eta))
    assert predict_loss(constants, np.array(eta)) == pytest.approx(expected, rel=1e-10)
