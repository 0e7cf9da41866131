"""Raking weights, weighted levels, EB region estimates and attrition against R.

Reference values were printed by tests/reference/survey_weights.R (survey 4.1.1,
lme4) on the fixtures written by tests/reference/survey_fixtures.R: 8 regions, 3 roles,
response by role (project leaders .75, business .40, politicians .25), region R08 with 4
respondents in wave 1 and 2 in wave 2. The labels below are the lines R printed; each
group of numbers is named by the R call that produced it:

- "cell weight": weights(rake(svydesign(ids = ~1, data = people), list(~region, ~role),
  list(region_totals, role_totals), control = list(maxit = 1000, epsilon = 1e-10)))
  (constant within a region x role cell, so printed per cell: business, lead, politics);
- "Kish n_eff": sum(w)^2 / sum(w^2) by region;
- "trimmed": weights(trimWeights(raked, lower = 0.5 * mean(w), upper = 2 * mean(w), strict = TRUE));
- "national svymean": svymean(~score, svydesign(ids = ~region, weights = ~weight, data = d)),
  SE(), confint(est, df = degf(design)), degf(design);
- "region svymean": the same with ids = ~1 on one region's rows;
- "lmer": coef(lmer(score ~ 1 + (1 | region)))$region, and
  sqrt(attr(ranef(fit, condVar = TRUE)$region, "postVar") + vcov(fit)).
"""

from __future__ import annotations

from math import nan
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from folge.statistics import (
    ATTRITION_COLUMNS,
    EB_COLUMNS,
    LEVEL_COLUMNS,
    MEAN_COLUMNS,
    RAKE_COLUMNS,
    attrition,
    effective_sample_size,
    empirical_bayes,
    levels,
    rake,
    rake_waves,
    weighted_levels,
    weighted_mean,
)

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"
REGIONS = [f"R{i:02d}" for i in range(1, 9)]
ROLES = ["business", "lead", "politics"]
CONSTRUCTS = ["trust", "learning"]

# Printed by tests/reference/survey_weights.R (see the module docstring for the calls).
R = {
    "w1 cell weight R01 (business,lead,politics)": [2.69600574067174, 1.40635317969904, 4.60280703097225],
    "w1 cell weight R02 (business,lead,politics)": [2.40763059599459, 1.25592423381637, 4.11047308544182],
    "w1 cell weight R03 (business,lead,politics)": [3.30923286635437, 1.72623896668797, nan],
    "w1 cell weight R04 (business,lead,politics)": [1.96173802400617, 1.02332738620586, 3.34921451894662],
    "w1 cell weight R05 (business,lead,politics)": [3.21772511861446, 1.67850456832981, 5.49352235281384],
    "w1 cell weight R06 (business,lead,politics)": [2.20762998786666, 1.15159526784303, 3.76901824675122],
    "w1 cell weight R07 (business,lead,politics)": [2.67129071836893, 1.39346075529596, 4.56061183950442],
    "w1 cell weight R08 (business,lead,politics)": [2.62873706860277, 1.37126293139907, nan],
    "w1 Kish n_eff by region": [20.1548658802727, 17.0233428242038, 19.4354843993570, 24.8437899440768, 14.2792736012163, 25.0071742665558, 19.8619240687155, 3.6402435556782],
    "w1 trimmed [0.5, 2] x mean cell weight R01": [2.73899711985341, 1.44934455888071, 3.83908045977011],
    "w1 trimmed [0.5, 2] x mean cell weight R02": [2.45062197517626, 1.29891561299804, 3.83908045977011],
    "w1 trimmed [0.5, 2] x mean cell weight R03": [3.35222424553604, 1.76923034586964, nan],
    "w1 trimmed [0.5, 2] x mean cell weight R04": [2.00472940318784, 1.06631876538753, 3.39220589812829],
    "w1 trimmed [0.5, 2] x mean cell weight R05": [3.26071649779613, 1.72149594751148, 3.83908045977011],
    "w1 trimmed [0.5, 2] x mean cell weight R06": [2.25062136704833, 1.19458664702470, 3.81200962593289],
    "w1 trimmed [0.5, 2] x mean cell weight R07": [2.71428209755060, 1.43645213447763, 3.83908045977011],
    "w1 trimmed [0.5, 2] x mean cell weight R08": [2.67172844778444, 1.41425431058074, nan],
    "w1 trust national svymean(ids=~region) mean, SE, ci_low, ci_high, degf": [3.215354165113302, 0.153843855209464, 2.851571254126475, 3.579137076100129, 7.000000000000000],
    "w1 trust region svymean(ids=~1) mean": [3.10722763476312, 2.39290847404670, 3.52931491108729, 3.31492844481039, 3.80619369041876, 3.33058387834156, 3.20553584516468, 2.18647835957950],
    "w1 trust region svymean(ids=~1) SE": [0.292024344670722, 0.150414366418619, 0.327178523371438, 0.217387476989388, 0.275577936823262, 0.226930936600187, 0.212152953787104, 0.707322899354227],
    "w1 trust region confint(df=degf) low": [2.503129251732395, 2.079149603753812, 2.844522391585082, 2.870321133043256, 3.224775066401876, 2.867129077040352, 2.765557548029317, -0.064538788112924],
    "w1 trust region confint(df=degf) high": [3.71132601779384, 2.70666734433960, 4.21410743058950, 3.75953575657753, 4.38761231443564, 3.79403867964276, 3.64551414230004, 4.43749550727192],
    "w1 trust lmer coef(fit)$region": [3.28940665546353, 2.80724466430742, 3.59127922714127, 3.41046336784509, 3.66505461113708, 3.51511069197966, 3.32460356566385, 3.10558006953395],
    "w1 trust sqrt(condVar + vcov(fixef))": [0.239948431382552, 0.246891944451522, 0.249467663897239, 0.228793878873305, 0.255084057688587, 0.227211428520313, 0.242142839688762, 0.328706968763560],
    "w1 trust fixef, tau2, sigma2": [3.338592856633985, 0.120117352356186, 1.166734421433372],
    "w1 learning national svymean(ids=~region) mean, SE, ci_low, ci_high, degf": [3.594377340271614, 0.110257146149673, 3.333660618574686, 3.855094061968542, 7.000000000000000],
    "w1 learning region svymean(ids=~1) mean": [3.60858725582582, 3.15848311184032, 3.74446703611853, 3.85658953157391, 4.00324794484838, 3.69109125123100, 3.31538190206220, 2.37585922815602],
    "w1 learning region svymean(ids=~1) SE": [0.192179326240040, 0.198744632232670, 0.254649848395549, 0.231681238445747, 0.359847220477588, 0.185290737326723, 0.193615926794779, 0.720745214899586],
    "w1 learning region confint(df=degf) low": [3.2119486208243568, 2.7439090736626728, 3.2132767605136232, 3.3827481951786491, 3.2440366734447403, 3.3126770819808824, 2.9148568415998399, 0.0821262819479167],
    "w1 learning region confint(df=degf) high": [4.00522589082728, 3.57305715001797, 4.27565731172344, 4.33043086796916, 4.76245921625201, 4.06950542048111, 3.71590696252455, 4.66959217436411],
    "w1 learning lmer coef(fit)$region": [3.73014523907375, 3.38355149035813, 3.77732444074491, 3.86887612020726, 3.89312672320587, 3.78663222346170, 3.56532600820767, 3.51949668044291],
    "w1 learning sqrt(condVar + vcov(fixef))": [0.198022661539383, 0.204552603879705, 0.204552603879705, 0.191204422941532, 0.210262073394523, 0.189986867532579, 0.199554076587338, 0.253580476624966],
    "w1 learning fixef, tau2, sigma2": [3.6905598657127721, 0.0618190219379548, 1.0375206731757411],
    "w2 cell weight R01 (business,lead,politics)": [2.35395851550478, 1.62283996181526, 3.01205271243391],
    "w2 cell weight R02 (business,lead,politics)": [2.79493000943292, 1.92684963643542, 3.57630623501881],
    "w2 cell weight R03 (business,lead,politics)": [3.17060307835143, 2.18584199539294, 4.05700590698466],
    "w2 cell weight R04 (business,lead,politics)": [1.86039133298978, 1.28257035113602, 2.38049936896139],
    "w2 cell weight R05 (business,lead,politics)": [2.78462978993682, 1.91974857339474, 3.56312639184504],
    "w2 cell weight R06 (business,lead,politics)": [3.03887166980636, 2.09502518931711, 3.88844645965054],
    "w2 cell weight R07 (business,lead,politics)": [2.66911563129332, 1.84011208381033, 3.41531803729039],
    "w2 cell weight R08 (business,lead,politics)": [4.73538406124433, 3.26461593885924, nan],
    "w2 Kish n_eff by region": [21.59709677273731, 16.21044659077599, 16.24854487234356, 27.63289505414134, 17.71908062028068, 18.75130207680935, 19.86543271551431, 1.93461137869714],
    "w2 trimmed [0.5, 2] x mean cell weight R01": [2.35546783895873, 1.62434928526921, 3.01356203588786],
    "w2 trimmed [0.5, 2] x mean cell weight R02": [2.79643933288687, 1.92835895988937, 3.57781555847276],
    "w2 trimmed [0.5, 2] x mean cell weight R03": [3.17211240180538, 2.18735131884690, 4.05851523043861],
    "w2 trimmed [0.5, 2] x mean cell weight R04": [1.86190065644373, 1.28407967458997, 2.38200869241534],
    "w2 trimmed [0.5, 2] x mean cell weight R05": [2.78613911339077, 1.92125789684869, 3.56463571529899],
    "w2 trimmed [0.5, 2] x mean cell weight R06": [3.04038099326031, 2.09653451277106, 3.88995578310449],
    "w2 trimmed [0.5, 2] x mean cell weight R07": [2.67062495474727, 1.84162140726428, 3.41682736074434],
    "w2 trimmed [0.5, 2] x mean cell weight R08": [4.51351351351351, 3.26612526231320, nan],
    "w2 trust national svymean(ids=~region) mean, SE, ci_low, ci_high, degf": [3.615517180115007, 0.103267850206035, 3.371327517107965, 3.859706843122048, 7.000000000000000],
    "w2 trust region svymean(ids=~1) mean": [3.40583108385882, 3.16400007868241, 3.87285617985562, 3.66024698133397, 4.05776994259112, 3.68867961044021, 3.46991669779485, 3.71535402072735],
    "w2 trust region svymean(ids=~1) SE": [0.216467611057625, 0.158160696349177, 0.308611044294340, 0.203127691507970, 0.280495876277965, 0.174054524854124, 0.137437972960344, 1.217412809751440],
    "w2 trust region confint(df=degf) low": [2.95690473521289, 2.82871438036326, 3.21862999165784, 3.24415876735266, 3.46846997392202, 3.32437930314192, 3.18322610993326, -11.75334238841614],
    "w2 trust region confint(df=degf) high": [3.85475743250475, 3.49928577700155, 4.52708236805340, 4.07633519531528, 4.64706991126022, 4.05297991773850, 3.75660728565645, 19.18405042987083],
    "w2 trust lmer coef(fit)$region": [3.63077313712242, 3.52738002087800, 3.80234437499047, 3.72592051254840, 3.89868729933226, 3.72290699953318, 3.64099980893047, 3.72550679350024],
    "w2 trust sqrt(condVar + vcov(fixef))": [0.171078188053680, 0.178166654280595, 0.178166654280595, 0.165285358758415, 0.175633001825351, 0.174433771892896, 0.173276347671423, 0.205813914552232],
    "w2 trust fixef, tau2, sigma2": [3.7093148683544315, 0.0336890156848304, 0.9216801634961144],
    "w2 learning national svymean(ids=~region) mean, SE, ci_low, ci_high, degf": [3.863306907355310, 0.137321174498908, 3.538593927877987, 4.188019886832634, 7.000000000000000],
    "w2 learning region svymean(ids=~1) mean": [3.53654232556285, 3.37936504146628, 4.16707925218203, 3.79566703140986, 4.55946024770656, 3.95215853783937, 3.75314105100037, 3.55624554796630],
    "w2 learning region svymean(ids=~1) SE": [0.284662937755168, 0.153549845828728, 0.334519145873851, 0.215622884222859, 0.269790597377284, 0.215617845960563, 0.220409111564867, 1.139150557695990],
    "w2 learning region confint(df=degf) low": [2.94618752552197, 3.05385390959935, 3.45793034215308, 3.35398357543326, 3.99265123542683, 3.50086519968421, 3.29337570083171, -10.91803466344653],
    "w2 learning region confint(df=degf) high": [4.12689712560373, 3.70487617333321, 4.87622816221097, 4.23735048738645, 5.12626925998629, 4.40345187599453, 4.21290640116902, 18.03052575937914],
    "w2 learning lmer coef(fit)$region": [3.74543352619105, 3.64344348663986, 4.15437969509810, 3.91564372297183, 4.46089776972342, 4.01646309130472, 3.88206978602870, 3.93779094221768],
    "w2 learning sqrt(condVar + vcov(fixef))": [0.236146968751325, 0.251164174956640, 0.251164174956640, 0.225115110973281, 0.245585184350050, 0.243029210760867, 0.240611484918411, 0.335246067855880],
    "w2 learning fixef, tau2, sigma2": [3.969515252521920, 0.107362071953336, 1.115377880619631],
    "weighted_mean doctest svymean(ids=~1, w = 1,1,2) mean, SE": [2.750000000000000, 0.962175269896291],
    "w1 smallest converging maxit": [10],
    "w2 smallest converging maxit": [10],
    "three margins first 12 weights": [1.36291744108220, 1.48615052701249, 1.36291744108220, 1.36291744108220, 1.36291744108220, 1.48615052701249, 1.36291744108220, 1.48615052701249, 1.36291744108220, 1.48615052701249, 1.36291744108220, 1.48615052701249],
    "three margins sum(w^2)": [790.768164352595],
    "start weights first 12 weights": [1.372533650839868, 2.058800476259803, 0.686266825419934, 2.058800476259803, 1.372533650839868, 2.058800476259803, 0.686266825419934, 1.372533650839868, 2.058800476259803, 0.686266825419934, 1.372533650839868, 2.058800476259803],
    "start weights sum(w^2)": [920.317458926052],
    "eb doctest coef(lmer)$region": [2.19047617948114, 3.04761904487029, 4.76190477564857],
}


@pytest.fixture(scope="module")
def scores():
    return pd.read_csv(DATA / "survey_synthetic.csv")


@pytest.fixture(scope="module")
def frame():
    return pd.read_csv(DATA / "survey_frame.csv")


@pytest.fixture(scope="module")
def people(scores):
    return scores[["respondent", "region", "wave", "role"]].drop_duplicates().reset_index(drop=True)


@pytest.fixture(scope="module")
def weighted(people, frame):
    return rake_waves(people, frame)


@pytest.fixture(scope="module")
def scored(scores, weighted):
    w = weighted.weights[["respondent", "wave", "weight"]]
    return scores.merge(w, on=["respondent", "wave"], how="left")


def _cell_weights(table: pd.DataFrame, wave: int, column: str = "weight") -> np.ndarray:
    """Weights per region x role cell (rows REGIONS, columns ROLES); NaN for empty cells."""
    part = table[table["wave"] == wave]
    spread = part.groupby(["region", "role"])[column].agg(["min", "max"])
    assert np.allclose(spread["min"], spread["max"], rtol=1e-12)  # one weight per cell
    return spread["min"].unstack("role").reindex(index=REGIONS, columns=ROLES).to_numpy()


def _r_cells(prefix: str) -> np.ndarray:
    return np.array([R[f"{prefix} {r}{'' if 'trimmed' in prefix else ' (business,lead,politics)'}"]
                     for r in REGIONS])


def _close(ours, ref, rel=None, abs_=None):
    ours, ref = np.asarray(ours, dtype=float), np.asarray(ref, dtype=float)
    assert np.array_equal(np.isnan(ours), np.isnan(ref))
    ok = ~np.isnan(ref)
    np.testing.assert_allclose(ours[ok], ref[ok], rtol=rel or 0, atol=abs_ or 0)


# --------------------------------------------------------------------------- raking
@pytest.mark.parametrize("wave", [1, 2])
def test_raked_weights_match_survey_rake(weighted, wave):
    _close(_cell_weights(weighted.weights, wave), _r_cells(f"w{wave} cell weight"), rel=1e-6)
    # the weights are much closer than the acceptance bound
    _close(_cell_weights(weighted.weights, wave), _r_cells(f"w{wave} cell weight"), rel=1e-10)


def test_raked_weights_reproduce_both_margins(weighted, frame):
    w = weighted.weights
    for margin in ("region", "role"):
        ours = w.groupby(["wave", margin])["weight"].sum()
        target = frame.groupby(["wave", margin])["invited"].sum()
        np.testing.assert_allclose(ours.to_numpy(), target.loc[ours.index].to_numpy(), rtol=1e-9)


def test_rake_diagnostics(weighted):
    diag = weighted.diagnostics
    assert list(diag.columns) == ["wave", *RAKE_COLUMNS]
    assert diag["converged"].all()
    # R: the smallest control$maxit for which rake() converges without a warning
    assert diag["iterations"].tolist() == [R["w1 smallest converging maxit"][0], R["w2 smallest converging maxit"][0]]
    # tolerance = epsilon x sample size (survey::rake with epsilon < 1)
    np.testing.assert_allclose(diag["tolerance"], 1e-10 * diag["n"])
    assert (diag["max_change"] < diag["tolerance"]).all()
    assert (diag["max_margin_error"] < 1e-6).all()
    assert (diag["sum_weights"].round(9) == 334).all()  # R: sum(weights(rk)) = 334 both waves
    assert (diag["trimmed"] == 0).all() and (diag["note"] == "").all()


@pytest.mark.parametrize("wave", [1, 2])
def test_trimming_matches_survey_trim_weights(people, frame, wave):
    out = rake_waves(people, frame, weight_trim=(0.5, 2.0))
    _close(_cell_weights(out.weights, wave), _r_cells(f"w{wave} trimmed [0.5, 2] x mean cell weight"), rel=1e-9)
    row = out.diagnostics.set_index("wave").loc[wave]
    assert row["trimmed"] > 0 and "trimmed" in row["note"]
    assert row["sum_weights"] == pytest.approx(334, rel=1e-12)  # trimming keeps the total
    assert row["max_margin_error"] > 1e-3  # and the margins hold only approximately


@pytest.mark.parametrize("wave", [1, 2])
def test_kish_effective_sample_size(weighted, wave):
    w = weighted.weights[weighted.weights["wave"] == wave]
    ess = effective_sample_size(w, by=["region"])
    assert list(ess.columns) == ["region", "n", "sum_weights", "n_eff"]
    assert list(ess["region"]) == REGIONS
    _close(ess["n_eff"], R[f"w{wave} Kish n_eff by region"], rel=1e-9)
    assert (ess["n_eff"] <= ess["n"] + 1e-12).all()


def test_rake_small_example_and_start_weights():
    d = pd.DataFrame({"region": ["a", "a", "b", "b"], "role": ["x", "y", "x", "x"]})
    margins = {"region": {"a": 10, "b": 10}, "role": {"x": 12, "y": 8}}
    r = rake(d, margins)
    np.testing.assert_allclose(r.weights, [2, 8, 5, 5], rtol=1e-9)
    # start weights change the split inside a cell's margin only where cells share a margin
    r2 = rake(d, margins, weights=[1, 1, 1, 3])
    np.testing.assert_allclose(r2.weights, [2, 8, 2.5, 7.5], rtol=1e-9)
    assert r2.weights.index.equals(d.index)


def _wave1_with_parity(people, frame):
    p = people[people["wave"] == 1].sort_values("respondent").reset_index(drop=True)
    number = p["respondent"].str[1:].astype(int)
    p["parity"] = np.where(number % 2 == 0, "even", "odd")
    p["w0"] = 1.0 + number % 3
    f = frame[frame["wave"] == 1]
    return p, {"region": f.groupby("region")["invited"].sum(), "role": f.groupby("role")["invited"].sum()}


def test_three_margins_match_survey_rake(people, frame):
    p, margins = _wave1_with_parity(people, frame)
    # R: rake(svydesign(ids = ~1), list(~region, ~role, ~parity), ..., control = list(maxit = 1000, epsilon = 1e-10))
    r = rake(p, {**margins, "parity": {"even": 160, "odd": 174}})
    _close(r.weights.iloc[:12], R["three margins first 12 weights"], rel=1e-9)
    assert float((r.weights**2).sum()) == pytest.approx(R["three margins sum(w^2)"][0], rel=1e-9)
    assert r.converged


def test_start_weights_match_survey_rake(people, frame):
    p, margins = _wave1_with_parity(people, frame)
    # R: rake(svydesign(ids = ~1, weights = ~w0), list(~region, ~role), ...)
    r = rake(p, margins, weights=p["w0"])
    _close(r.weights.iloc[:12], R["start weights first 12 weights"], rel=1e-9)
    assert float((r.weights**2).sum()) == pytest.approx(R["start weights sum(w^2)"][0], rel=1e-9)
    assert r.tolerance == pytest.approx(1e-10 * p["w0"].sum())


def test_rake_reports_non_convergence():
    d = pd.DataFrame({"region": ["a", "a", "b", "b"], "role": ["x", "y", "x", "y"]})
    r = rake(d, {"region": {"a": 7, "b": 13}, "role": {"x": 11, "y": 9}}, maxit=1)
    assert not r.converged and r.iterations == 1
    assert "did not converge" in r.note


def test_role_without_respondents_is_an_error_naming_the_cell(people, frame):
    wave1 = people[(people["wave"] == 1) & (people["role"] != "politics")]
    with pytest.raises(ValueError, match=r"wave 1: margin 'role': category 'politics' has \d+ in the population"):
        rake_waves(wave1, frame)


def test_region_without_respondents_is_an_error(people, frame):
    wave1 = people[(people["wave"] == 1) & (people["region"] != "R08")]
    with pytest.raises(ValueError, match="category 'R08'"):
        rake_waves(wave1, frame)


def test_spread_option_collapses_the_empty_margin_and_says_so(people, frame):
    wave1 = people[(people["wave"] == 1) & (people["role"] != "politics")]
    out = rake_waves(wave1, frame, empty="spread")
    note = out.diagnostics.loc[0, "note"]
    assert "'politics'" in note and "spread" in note
    total = frame.loc[frame["wave"] == 1, "invited"].sum()
    assert out.weights["weight"].sum() == pytest.approx(total, rel=1e-12)
    # the role margin keeps the ratio of the remaining roles' invited totals
    f1 = frame[frame["wave"] == 1].groupby("role")["invited"].sum()
    by_role = out.weights.groupby("role")["weight"].sum()
    assert by_role["lead"] / by_role["business"] == pytest.approx(f1["lead"] / f1["business"], rel=1e-9)


def test_rake_argument_errors():
    d = pd.DataFrame({"region": ["a", "b"], "role": ["x", "x"]})
    with pytest.raises(ValueError, match="lacks"):
        rake(d, {"sector": {"a": 1}})
    with pytest.raises(ValueError, match="no population total"):
        rake(d, {"region": {"a": 3}})
    with pytest.raises(ValueError, match="same grand total"):
        rake(d, {"region": {"a": 3, "b": 3}, "role": {"x": 5}})
    with pytest.raises(ValueError, match="non-negative"):
        rake(d, {"region": {"a": -1, "b": 3}})
    with pytest.raises(ValueError, match="weight_trim"):
        rake(d, {"region": {"a": 3, "b": 3}}, weight_trim=(2.0, 3.0))
    with pytest.raises(ValueError, match="'empty'"):
        rake(d, {"region": {"a": 3, "b": 3}}, empty="ignore")
    with pytest.raises(ValueError, match="missing value"):
        rake(pd.DataFrame({"region": ["a", None]}), {"region": {"a": 3}})


def test_region_only_post_stratification(people, frame):
    out = rake_waves(people, frame, margins=("region",))
    w1 = out.weights[out.weights["wave"] == 1]
    f1 = frame[frame["wave"] == 1].groupby("region")["invited"].sum()
    n1 = w1.groupby("region").size()
    # every respondent of a region gets invited / respondents, in one step
    expected = (f1 / n1).loc[w1["region"]].to_numpy()
    np.testing.assert_allclose(w1["weight"], expected, rtol=1e-12)
    assert out.diagnostics["iterations"].max() <= 2


# --------------------------------------------------------------------- weighted means
@pytest.mark.parametrize("wave", [1, 2])
@pytest.mark.parametrize("construct", CONSTRUCTS)
def test_national_weighted_mean_matches_svymean(scored, wave, construct):
    d = scored[(scored["wave"] == wave) & (scored["construct"] == construct)]
    res = weighted_mean(d["score"], d["weight"], clusters=d["region"])
    assert list(res.columns) == list(MEAN_COLUMNS)
    mean, se, low, high, degf = R[f"w{wave} {construct} national svymean(ids=~region) mean, SE, ci_low, ci_high, degf"]
    row = res.iloc[0]
    assert row["mean"] == pytest.approx(mean, abs=1e-8)
    assert row["se"] == pytest.approx(se, rel=1e-6)
    assert row["df"] == degf == 7
    assert row["ci_low"] == pytest.approx(low, abs=1e-8)
    assert row["ci_high"] == pytest.approx(high, abs=1e-8)
    assert row["n_psu"] == 8 and row["note"] == ""


@pytest.mark.parametrize("wave", [1, 2])
@pytest.mark.parametrize("construct", CONSTRUCTS)
def test_levels_table_matches_svymean_and_lmer(scored, wave, construct):
    table = levels(scored)
    assert list(table.columns) == list(LEVEL_COLUMNS)
    part = table[(table["wave"] == wave) & (table["construct"] == construct)]
    regional = part[part["region"] != "all"].set_index("region").loc[REGIONS]
    key = f"w{wave} {construct}"
    _close(regional["mean"], R[f"{key} region svymean(ids=~1) mean"], abs_=1e-8)
    _close(regional["se"], R[f"{key} region svymean(ids=~1) SE"], rel=1e-6)
    _close(regional["ci_low"], R[f"{key} region confint(df=degf) low"], abs_=1e-8)
    _close(regional["ci_high"], R[f"{key} region confint(df=degf) high"], abs_=1e-8)
    _close(regional["eb"], R[f"{key} lmer coef(fit)$region"], abs_=1e-4)
    _close(regional["eb_se"], R[f"{key} sqrt(condVar + vcov(fixef))"], abs_=1e-4)
    national = part[part["region"] == "all"].iloc[0]
    mean, se, *_ = R[f"{key} national svymean(ids=~region) mean, SE, ci_low, ci_high, degf"]
    assert national["mean"] == pytest.approx(mean, abs=1e-8)
    assert national["se"] == pytest.approx(se, rel=1e-6)
    assert np.isnan(national["eb"]) and np.isnan(national["eb_se"])
    assert part["weighted"].all()
    assert part["region"].iloc[-1] == "all"
    n = scored[(scored["wave"] == wave) & (scored["construct"] == construct)]["score"].notna().sum()
    assert national["n"] == n


@pytest.mark.parametrize("wave", [1, 2])
@pytest.mark.parametrize("construct", CONSTRUCTS)
def test_eb_fit_matches_lmer(scored, wave, construct):
    d = scored[(scored["wave"] == wave) & (scored["construct"] == construct)]
    eb = empirical_bayes(d, by=[])
    assert list(eb.columns) == ["region", *EB_COLUMNS]
    gamma, tau2, sigma2 = R[f"w{wave} {construct} fixef, tau2, sigma2"]
    assert eb["gamma00"].iloc[0] == pytest.approx(gamma, abs=1e-5)
    assert eb["tau2"].iloc[0] == pytest.approx(tau2, rel=1e-4)
    assert eb["sigma2"].iloc[0] == pytest.approx(sigma2, rel=1e-5)
    # the EB estimate lies between the raw region mean and the overall estimate
    raw = d.groupby("region")["score"].mean().loc[eb["region"]].to_numpy()
    shrink = (eb["eb"].to_numpy() - gamma) / (raw - gamma)
    assert ((shrink > 0) & (shrink < 1)).all()
    small = eb.set_index("region").loc["R08"]
    assert small["eb_se"] == eb["eb_se"].max()  # the smallest region is the least certain


def test_weighted_mean_doctest_value_is_rs():
    res = weighted_mean([1.0, 2.0, 4.0], weights=[1.0, 1.0, 2.0])
    mean, se = R["weighted_mean doctest svymean(ids=~1, w = 1,1,2) mean, SE"]
    assert res.loc[0, "mean"] == pytest.approx(mean, abs=1e-12)
    assert res.loc[0, "se"] == pytest.approx(se, rel=1e-9)


def test_eb_doctest_value_is_lmers():
    d = pd.DataFrame({"region": list("aaabbbccc"), "score": [1, 2, 3, 2, 3, 4, 4, 5, 6.0]})
    _close(empirical_bayes(d, by=[])["eb"], R["eb doctest coef(lmer)$region"], abs_=1e-6)


def test_unweighted_levels_are_classical_means_and_se(scored):
    d = scored[(scored["wave"] == 1) & (scored["construct"] == "trust")]
    table = weighted_levels(d, by=["construct", "wave"], weight=None)
    assert not table["weighted"].any()
    reg = table[table["region"] == "R01"].iloc[0]
    x = d.loc[(d["region"] == "R01"), "score"].dropna()
    assert reg["mean"] == pytest.approx(x.mean(), abs=1e-12)
    assert reg["se"] == pytest.approx(x.std(ddof=1) / np.sqrt(len(x)), rel=1e-12)
    assert reg["df"] == len(x) - 1


# ------------------------------------------------------------------ degenerate data
def test_one_region_gives_nan_national_se_and_no_eb():
    d = pd.DataFrame({"construct": "c", "wave": 1, "region": "a", "score": [1.0, 2.0, 4.0], "weight": 1.0})
    table = levels(d)
    nat = table[table["region"] == "all"].iloc[0]
    assert nat["mean"] == pytest.approx(7 / 3)
    assert np.isnan(nat["se"]) and np.isnan(nat["ci_low"]) and "one region" in nat["note"]
    reg = table[table["region"] == "a"].iloc[0]
    assert np.isnan(reg["eb"]) and "two or more regions" in reg["note"]
    assert reg["se"] > 0  # the region's own SE is still there


def test_constant_scores_give_nan_eb_with_a_note():
    d = pd.DataFrame({"construct": "c", "wave": 1, "region": list("aabbcc"), "score": 3.0, "weight": 1.0})
    table = levels(d)
    reg = table[table["region"] != "all"]
    assert reg["eb"].isna().all() and reg["eb_se"].isna().all()
    assert reg["note"].str.contains("constant scores").all()
    assert (reg["se"] == 0).all() and (reg["mean"] == 3).all()


def test_region_of_one_gives_nan_se_with_a_note():
    d = pd.DataFrame({"construct": "c", "wave": 1, "region": list("aaab"), "score": [1.0, 2.0, 3.0, 5.0],
                      "weight": [1.0, 2.0, 1.0, 1.0]})
    table = levels(d)
    b = table[table["region"] == "b"].iloc[0]
    assert b["n"] == 1 and np.isnan(b["se"]) and "one respondent" in b["note"]
    assert not np.isnan(b["eb"])  # EB still borrows strength for the region of one


def test_no_variation_within_regions_gives_nan_eb():
    d = pd.DataFrame({"region": list("aabb"), "score": [1.0, 1.0, 2.0, 2.0]})
    res = empirical_bayes(d, by=[])
    assert res["eb"].isna().all() and "within regions" in res["note"].iloc[0]


def test_singular_fit_gives_the_overall_mean():
    # region means nearly equal relative to the spread: REML puts tau^2 at 0
    d = pd.DataFrame({"region": list("aaabbb"), "score": [1.0, 5.0, 3.0, 1.1, 4.9, 3.0]})
    res = empirical_bayes(d, by=[])
    assert res["tau2"].iloc[0] == 0 or res["tau2"].iloc[0] < 1e-9
    np.testing.assert_allclose(res["eb"], d["score"].mean(), atol=1e-8)
    assert "singular" in res["note"].iloc[0]


def test_missing_weight_for_a_score_is_an_error():
    d = pd.DataFrame({"construct": "c", "wave": 1, "region": list("ab"), "score": [1.0, 2.0],
                      "weight": [1.0, np.nan]})
    with pytest.raises(ValueError, match="'weight'"):
        levels(d)


# ------------------------------------------------------------------------ attrition
def test_attrition_counts_and_baseline_means(scores):
    people = scores[["respondent", "region", "wave", "role"]].drop_duplicates()
    table = attrition(people, scores)
    assert list(table.columns) == list(ATTRITION_COLUMNS)
    w1 = set(people.loc[people["wave"] == 1, "respondent"])
    w2 = set(people.loc[people["wave"] == 2, "respondent"])
    everyone = table[(table["region"] == "all") & (table["role"] == "all") & (table["construct"] == "trust")].iloc[0]
    assert (everyone["from_wave"], everyone["to_wave"]) == (1, 2)
    assert everyone["n_from"] == len(w1) and everyone["retained"] == len(w1 & w2)
    assert everyone["retention"] == pytest.approx(len(w1 & w2) / len(w1))
    base = scores[(scores["wave"] == 1) & (scores["construct"] == "trust")].dropna(subset=["score"])
    stay = base["respondent"].isin(w2)
    assert everyone["baseline_mean_stayers"] == pytest.approx(base.loc[stay, "score"].mean())
    assert everyone["baseline_mean_leavers"] == pytest.approx(base.loc[~stay, "score"].mean())
    # the fixture's stayers have higher ability: the test sees the selective attrition
    assert everyone["baseline_diff"] > 0 and everyone["p"] < 0.05
    cell = table[(table["region"] == "R01") & (table["role"] == "lead") & (table["construct"] == "trust")].iloc[0]
    r01 = people[(people["wave"] == 1) & (people["region"] == "R01") & (people["role"] == "lead")]
    assert cell["n_from"] == len(r01) and cell["retained"] == r01["respondent"].isin(w2).sum()


def test_attrition_welch_p_matches_scipy(scores):
    from scipy import stats

    people = scores[["respondent", "region", "wave", "role"]].drop_duplicates()
    row = attrition(people, scores)
    row = row[(row["region"] == "all") & (row["role"] == "lead") & (row["construct"] == "learning")].iloc[0]
    w2 = set(people.loc[people["wave"] == 2, "respondent"])
    base = scores[(scores["wave"] == 1) & (scores["construct"] == "learning") & (scores["role"] == "lead")]
    base = base.dropna(subset=["score"])
    stay = base["respondent"].isin(w2)
    ref = stats.ttest_ind(base.loc[stay, "score"], base.loc[~stay, "score"], equal_var=False)
    assert row["p"] == pytest.approx(ref.pvalue, rel=1e-10)


def test_attrition_without_scores_and_small_cells(scores):
    people = scores[["respondent", "region", "wave", "role"]].drop_duplicates()
    table = attrition(people)
    assert table["baseline_mean_stayers"].isna().all() and (table["construct"] == "").all()
    r08 = table[(table["region"] == "R08") & (table["role"] == "all")].iloc[0]
    assert r08["n_from"] == 4  # the fixture's smallest region
    assert "R08" not in set(table.loc[table["role"] == "politics", "region"])  # no politician answered there
    with_scores = attrition(people, scores)
    tiny = with_scores[with_scores["n_from"] <= 2]
    assert len(tiny) > 0
    assert tiny["p"].isna().all() and tiny["note"].str.contains("fewer than two").all()


def test_categorical_and_string_keys_give_the_same_levels(scored):
    plain = levels(scored)
    # unused categories and a non-alphabetical category order must not matter
    cats = scored.astype({"construct": pd.CategoricalDtype(["zeta", "trust", "learning"]),
                          "region": pd.CategoricalDtype(["R99", *REGIONS[::-1]])})
    coded = levels(cats)
    coded["construct"] = coded["construct"].astype(str)
    coded["region"] = coded["region"].astype(str)
    pd.testing.assert_frame_equal(plain, coded, check_dtype=False)
    text_waves = levels(scored.astype({"wave": str}))
    np.testing.assert_allclose(text_waves["mean"], plain["mean"], rtol=1e-14)


def test_effective_sample_size_overall_and_equal_weights():
    d = pd.DataFrame({"weight": [2.0, 2.0, 2.0, 2.0]})
    ess = effective_sample_size(d, by=[])
    assert ess.loc[0, "n_eff"] == pytest.approx(4.0) and ess.loc[0, "sum_weights"] == 8.0


def test_weighted_mean_by_hand_and_argument_errors():
    # two clusters: z-totals -1/3 and 1/3, V = 2/1 * (1/9 + 1/9) = 4/9
    res = weighted_mean([1.0, 2.0, 3.0], clusters=["a", "a", "b"])
    assert res.loc[0, "se"] == pytest.approx(2 / 3, rel=1e-12) and res.loc[0, "df"] == 1
    with pytest.raises(ValueError, match="'clusters' has missing values"):
        weighted_mean([1.0, 2.0, 3.0], clusters=["a", None, "b"])
    with pytest.raises(TypeError, match="'scores' must be numeric"):
        weighted_mean(["x", "y"])
    empty = weighted_mean([])
    assert empty.loc[0, "n"] == 0 and np.isnan(empty.loc[0, "mean"]) and empty.loc[0, "note"] == "no scores"


def test_attrition_without_baseline_scores_and_with_one_wave():
    people = pd.DataFrame({"respondent": ["a", "b", "a", "c"], "region": "r", "wave": [1, 1, 2, 2], "role": "x"})
    later_only = pd.DataFrame({"respondent": ["a"], "wave": [2], "construct": ["t"], "score": [3.0]})
    table = attrition(people, later_only)
    assert (table["n_from"] == 2).all() and (table["retained"] == 1).all()
    assert table["baseline_mean_stayers"].isna().all() and (table["note"] == "no baseline scores").all()
    assert attrition(people[people["wave"] == 1]).empty  # one wave: no pair
    with pytest.raises(ValueError, match="'pairs'"):
        attrition(people, pairs=[(1, 3)])
