"""Polychoric thresholds, correlations and DWLS weights against lavaan 0.6-14.

The fixture ``tests/reference/data/wlsmv_synthetic.csv`` is written by
``tests/reference/wlsmv_fixtures.R`` (seeded); the numbers below were printed by
``tests/reference/wlsmv.R`` and pasted here:

- ``th``, ``cor``: ``lavInspect(lavCor(x, ordered = items, group = "wave", output = "fit"),
  "sampstat")`` (``$th`` and the lower triangle of ``$cov``, column by column);
- ``wlsv``: ``diag(lavInspect(cfa(m, x, ordered = items, group = "wave",
  estimator = "WLSMV"), "wls.v")[[g]])``;
- ``gamma_row1``, ``gamma_lastrow``: first and last rows of ``lavInspect(..., "gamma")[[g]]``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from folge.statistics import (
    POLYCHORIC_COLUMNS,
    THRESHOLD_COLUMNS,
    ordinal_statistics,
    polychoric_correlations,
    ordinal_thresholds,
)
from folge.statistics._bivariate_normal import bivariate_normal_cdf, bivariate_normal_pdf

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"
ITEMS = {"A": ["a1", "a2", "a3", "a4", "a5"], "B": ["b1", "b2", "b3", "b4"]}
TOL = 1e-4  # the brief: thresholds and polychorics within 1e-4 of lavaan

# R: tests/reference/wlsmv.R, polychoric_block() (lavaan 0.6-14)
A = {
    "w1": {
        "th": [-1.94634840123, -0.841621233573, 0.30378680167, 1.51792915959, -1.76585990789, -0.5337010435, 0.442586963209, 1.4686214857, -1.94634840123, -1.04337598049, 0.105311003173, 0.888645651241, -1.69369854741, -0.649323913186, 0.478551027847, 1.57123086905, -2.06725982788, -0.5337010435, 0.774373961094, 1.62941211201],
        "cor": [0.395014548178, 0.470758989505, 0.457963336216, 0.283312440242, 0.47163230253, 0.428565301748, 0.403604247541, 0.504216381003, 0.295623167671, 0.482479657383],
        "wlsv": [0.143291662284, 0.48986673049, 0.615574753656, 0.263301740668, 0.189191826798, 0.573582835033, 0.592664632127, 0.279267696023, 0.143291662284, 0.424027737289, 0.634058589823, 0.475068790666, 0.209556051834, 0.545277761901, 0.585495190077, 0.246443018258, 0.116824457038, 0.573582835033, 0.510260992377, 0.228576395029, 1.3876195522, 1.27374154547, 1.21882492906, 1.09975701584, 1.16409187728, 1.41102955918, 1.19601453545, 1.22785865105, 1.13286794951, 1.47585812667],
        "gamma_row1": [6.97877311257, 1.22863274194, 0.42961659719, 0.220049403373, 1.08273561175, 0.563231780836, 0.0939422347236, 0.224872219849, 1.6060421567, 1.11745974003, 0.496427575572, 0.29927231125, 2.05726480864, 0.987281713425, 0.38204498498, 0.215039196632, -0.17672704238, 0.563231780836, 0.319066824676, 0.209798171236, 0.333346834831, 0.36112731633, 0.421310481908, 0.178797681613, 0.326792581265, 0.203535946603, 0.249189448733, 0.573536040771, 0.471532771979, 0.320882960167],
        "gamma_lastrow": [0.320882960167, -0.022100460353, -0.132979590787, -0.160780682066, 0.42223682617, 0.123543225445, -0.00756681010638, 0.0275162910348, 0.0322553364788, -0.069230319558, 0.0613930846652, 0.0247055833726, 0.297335513765, 0.133576823991, -0.0731655679747, -0.276559828811, 0.328697829864, 0.102808585346, -0.165710834528, -0.411567980394, 0.107772674222, 0.135203689412, 0.219109095185, 0.239570305973, 0.0636641773106, 0.212899327104, 0.265005055687, 0.0851996094399, 0.376702017562, 0.677571903374],
        "n": 155,
    },
    "w2": {
        "th": [-2.59591418939, -0.766470788934, 0.300034364445, 1.23459537253, -1.62682822675, -0.560011346877, 0.337355327038, 1.50596767622, -1.77758707507, -0.954911128554, 0.0828607493517, 0.674489750196, -1.50596767622, -0.674489750196, 0.439392225999, 1.40380354356, -1.83816744138, -0.505500215445, 0.505500215445, 1.47019320706],
        "cor": [0.543829937655, 0.586504596815, 0.65216751114, 0.522829779758, 0.512550154555, 0.643032237, 0.426057895982, 0.569747900272, 0.414465688144, 0.605022458664],
        "wlsv": [0.0401419591359, 0.512592004572, 0.616084213364, 0.358376387933, 0.229357174335, 0.567524745209, 0.610753547526, 0.267143978877, 0.185986374736, 0.453589482305, 0.635033141765, 0.538570400783, 0.267143978877, 0.538570400783, 0.593277906355, 0.300718156932, 0.169910374836, 0.579809984787, 0.579809984787, 0.27875374732, 1.61824466951, 2.18056519873, 2.06572190894, 1.65086336104, 1.58250361128, 2.61789971122, 1.00706897853, 1.7844660672, 1.34954356824, 2.2426111451],
        "n": 212,
    },
    "w3": {
        "th": [-2.03247825309, -0.939705932923, 0.105738952837, 1.41218757891, -2.14970006434, -0.841621233573, 0.199201324789, 1.4488895818, -2.30703925939, -1.22373388753, 0.0263886231268, 0.91938403504, -1.61985625864, -0.768643013705, 0.199201324789, 1.48765422491, -2.03247825309, -0.554922942703, 0.539598887203, 1.37729502537],
        "cor": [0.345715124083, 0.37116297752, 0.599017430094, 0.307106146415, 0.188723976547, 0.407840155719, 0.371989445387, 0.404258695022, 0.361646936728, 0.443880438036],
        "wlsv": [0.124078877567, 0.458575868775, 0.63403776814, 0.297917446766, 0.100785559327, 0.48986673049, 0.627496559818, 0.28574620221, 0.0745825875513, 0.362121784583, 0.636458697461, 0.465188556452, 0.231469962702, 0.51195277391, 0.627496559818, 0.273065631292, 0.124078877567, 0.56871471051, 0.572245392436, 0.309618454823, 1.3213652212, 0.871329418379, 1.92590895741, 1.16860310263, 0.807528534988, 1.05894704942, 1.22177873863, 1.04558680515, 1.11054586249, 1.20481159054],
        "n": 190,
    },
    "w4": {
        "th": [-2.28229532942, -0.945175493868, 0.0798839085836, 1.1571991346, -1.69599070455, -0.768908610366, 0.0798839085836, 0.974944048048, -1.88134433583, -1.12127156667, 0.0704691870688, 0.707266710126, -1.93954955179, -0.990157016652, 0.155528745048, 1.13905156407, -1.93954955179, -0.580173306367, 0.493410101234, 1.34144726396],
        "cor": [0.631761598613, 0.524240085531, 0.614160861805, 0.449768210445, 0.447356454989, 0.545240648218, 0.466257892963, 0.58945537479, 0.432303820428, 0.461337199916],
        "wlsv": [0.0783309004475, 0.456785866286, 0.63514498497, 0.385074574461, 0.208892729559, 0.511874539345, 0.63514498497, 0.446973016568, 0.158959494158, 0.397438486027, 0.635471870271, 0.529567305145, 0.144883690415, 0.441915392556, 0.631044958712, 0.391324870394, 0.144883690415, 0.562724957395, 0.582393092245, 0.321751495244, 2.60694727499, 1.64554174963, 1.85753468219, 0.975760605237, 1.22659541905, 1.71438088789, 1.4416842521, 1.73897013852, 1.12865944186, 1.25042579036],
        "n": 267,
    },
}
B = {
    "w1": {
        "th": [-1.59321881802, -0.872902819455, 0.139710298882, 0.806849691062, 1.5404250053, -1.71459365377, -1.07148676775, 0.0774424085215, 0.919135522046, 1.78615556126, -2.24619753564, -1.32495768889, -0.250152863768, 0.499703382208, 1.32495768889, -1.96527241897, -0.785605288162, 0.171033364713, 1.15787860365, 1.71459365377],
        "cor": [0.596765189211, 0.449401414939, 0.52920226122, 0.350373973968, 0.620254920355, 0.336501016067],
        "wlsv": [0.239621880304, 0.480067646, 0.632118025599, 0.500533070018, 0.256132803142, 0.203548482455, 0.414477562041, 0.635233672798, 0.46526903908, 0.183663213224, 0.084044508207, 0.327364823697, 0.622283750597, 0.581055069367, 0.327364823697, 0.138918274658, 0.506923480569, 0.629883355406, 0.384840395466, 0.203548482455, 1.60469501309, 1.55633929886, 1.23306828098, 1.44123026637, 2.56996944552, 1.25156023555],
        "gamma_row1": [4.17324160352, 1.4699950944, 0.557388763536, 0.360936156147, 0.251106473095, 0.366738230395, 0.421941426454, 0.584390460942, 0.339182475117, 0.22673289872, -0.191078859239, 0.387267717255, 0.624888624719, 0.43428981765, 0.276619798039, -0.211511538979, 0.574074037355, 0.544549474926, 0.299738688653, 0.233378873888, 0.224706623134, 0.183728912042, 0.246227801975, 0.230056007261, 0.14874371005, 0.209650196953],
        "gamma_lastrow": [0.209650196953, 0.262590049958, -0.0573643308252, -0.0830059673922, -0.147899184818, 0.0285163370437, 0.0500059439331, 0.0251823055456, -0.0023491236649, -0.449393762488, 0.263369163246, 0.240582356016, 0.0181326670582, -0.108539031512, -0.138473064988, 0.313406982938, 0.113311270512, -0.00731525799791, -0.239647627005, -0.253845866164, 0.0474820000166, 0.409018184689, 0.212423952655, 0.447161774468, 0.0629267932072, 0.799002694077],
        "n": 162,
    },
    "w2": {
        "th": [-1.73810802677, -0.995208840099, -0.248622285897, 0.560200822957, 1.56016260052, -1.92050200177, -0.922698431338, -0.0400709902066, 0.714552111511, 1.79245968984, -2.20581065038, -1.30532906273, -0.443320062204, 0.368730292595, 1.18140235642, -1.92050200177, -0.774972068807, -0.0859491382642, 0.905318263383, 1.56016260052],
        "cor": [0.523292538882, 0.352388064148, 0.53248645707, 0.451944596119, 0.636635476284, 0.413628720231],
        "wlsv": [0.196894893617, 0.440229956015, 0.622456965039, 0.56748026676, 0.249906989313, 0.149402214987, 0.46411426375, 0.636248413996, 0.527526668855, 0.1819642533, 0.0907882934499, 0.334069228273, 0.592523354351, 0.605824855192, 0.376727990915, 0.149402214987, 0.510083989454, 0.634912801985, 0.469728681323, 0.249906989313, 1.62610042311, 1.02680893181, 1.38057942444, 1.3701010113, 2.3147769068, 1.36325598345],
        "n": 219,
    },
    "w3": {
        "th": [-2.04749877464, -1.30206723951, -0.426078341714, 0.555313563532, 1.43150943819, -2.04749877464, -0.904968201436, -0.0190871609993, 0.646792113115, 1.50634085462, -2.04749877464, -1.21766775884, -0.357373539889, 0.343842858143, 1.19138484892, -1.87412131865, -0.943984312274, -0.1340019718, 0.795374069395, 1.36393243154],
        "cor": [0.562906692585, 0.507635847468, 0.600356107199, 0.578654622868, 0.620067156263, 0.464173891602],
        "wlsv": [0.120910413595, 0.335185478033, 0.595791546411, 0.568623669346, 0.291491110687, 0.120910413595, 0.469841273167, 0.636535497223, 0.545942346691, 0.267023797776, 0.120910413595, 0.364214315004, 0.607655457163, 0.609767601016, 0.373283541849, 0.160761525005, 0.457176057468, 0.63247737227, 0.503997357287, 0.314129021274, 2.66774410856, 1.71213423708, 1.80732846489, 1.73872608984, 2.2799411924, 1.65977306485],
        "n": 197,
    },
    "w4": {
        "th": [-2.02658739879, -1.13535225, -0.229467808693, 0.496960251185, 1.28358198562, -1.22482657624, -0.476873845451, 0.537753366095, 1.4414195438, 2.19075190291, -2.30169615543, -1.11851947007, -0.284795641302, 0.3983238813, 1.39273127435, -1.90377493866, -0.883022343891, 0.0133809772796, 0.831495179733, 1.52158188654],
        "cor": [0.515641657407, 0.410061638576, 0.528337812849, 0.430148848831, 0.568604250639, 0.371443321588],
        "wlsv": [0.125336296835, 0.392597797056, 0.624537989321, 0.581640048055, 0.341521569656, 0.361744907145, 0.585840252059, 0.57266518697, 0.288211095243, 0.0933991069707, 0.0753805253348, 0.398383698872, 0.61809158044, 0.600810093684, 0.304427616982, 0.153440857146, 0.476859333428, 0.636578352853, 0.492998434032, 0.262132558354, 1.8099159052, 1.29560102003, 1.56410372151, 1.18806331835, 2.16174205903, 1.02299538505],
        "n": 281,
    },
}
REFERENCE = {"A": A, "B": B}


@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    return pd.read_csv(DATA / "wlsmv_synthetic.csv")


@pytest.fixture(scope="module", params=["A", "B"])
def construct(request, synthetic):
    name = request.param
    return name, ordinal_statistics(synthetic[ITEMS[name]], synthetic["wave"])


def test_group_sizes_are_complete_cases(construct):
    name, result = construct
    assert [g.label for g in result.groups] == ["w1", "w2", "w3", "w4"]
    assert [g.n for g in result.groups] == [REFERENCE[name][g]["n"] for g in ("w1", "w2", "w3", "w4")]
    assert result.note == ""


def test_thresholds_and_polychorics_match_lavaan(construct):
    name, result = construct
    for g in result.groups:
        ref = REFERENCE[name][g.label]
        np.testing.assert_allclose(g.thresholds, ref["th"], atol=TOL, rtol=0)
        np.testing.assert_allclose(g.correlations, ref["cor"], atol=TOL, rtol=0)
        assert g.converged


def test_weights_match_lavaan(construct):
    name, result = construct
    for g in result.groups:
        np.testing.assert_allclose(g.weights, REFERENCE[name][g.label]["wlsv"], rtol=1e-4)


def test_gamma_rows_match_lavaan(construct):
    # off-diagonal blocks included: thresholds of different items and the
    # correlation-threshold block (A21 of Muthén 1984)
    name, result = construct
    gamma = result.groups[0].gamma
    ref = REFERENCE[name]["w1"]
    np.testing.assert_allclose(gamma[0], ref["gamma_row1"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(gamma[-1], ref["gamma_lastrow"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(gamma, gamma.T, atol=1e-10)


def test_sparse_category_is_kept(synthetic):
    # a1 = 1 was chosen once in w2: a sparse category is estimated, not collapsed
    result = ordinal_statistics(synthetic[ITEMS["A"]], synthetic["wave"])
    assert result.n_categories == (5, 5, 5, 5, 5)


def test_tidy_tables(synthetic):
    x = synthetic[ITEMS["B"]]
    cors = polychoric_correlations(x, synthetic["wave"])
    assert list(cors.columns) == list(POLYCHORIC_COLUMNS)
    assert len(cors) == 4 * 6
    first = cors.iloc[0]
    assert (first["group"], first["item_1"], first["item_2"]) == ("w1", "b1", "b2")
    assert first["rho"] == pytest.approx(B["w1"]["cor"][0], abs=TOL)
    assert first["se"] == pytest.approx(np.sqrt(1 / B["w1"]["wlsv"][20] / B["w1"]["n"]), rel=1e-4)
    taus = ordinal_thresholds(x, synthetic["wave"])
    assert list(taus.columns) == list(THRESHOLD_COLUMNS)
    assert len(taus) == 4 * 20
    assert taus["tau"].iloc[:20].to_numpy() == pytest.approx(B["w1"]["th"], abs=TOL)
    assert list(taus["threshold"].iloc[:5]) == [1, 2, 3, 4, 5]


def test_empty_category_is_merged_with_its_neighbour_in_every_wave():
    data = pd.read_csv(DATA / "wlsmv_empty_category.csv")
    result = ordinal_statistics(data[ITEMS["B"]], data["wave"])
    assert result.n_categories == (6, 6, 5, 6)
    assert "b3: 1 into 2 (empty in w3)" in result.note
    assert all(g.thresholds.size == 5 + 5 + 4 + 5 for g in result.groups)


def test_single_category_item_gives_no_groups_and_a_reason():
    x = pd.DataFrame({"x": [1, 1, 1, 1], "y": [1, 2, 1, 2]})
    result = ordinal_statistics(x)
    assert result.groups == ()
    assert "only one answer category in x" in result.note


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(TypeError, match="'items' must be a pandas DataFrame"):
        ordinal_statistics([[1, 2], [2, 1]])
    with pytest.raises(ValueError, match="'group' must have one value per row"):
        ordinal_statistics(pd.DataFrame({"x": [1, 2], "y": [2, 1]}), ["a"])


def test_bivariate_normal_cdf_against_quadrature():
    # Φ₂(h, k; ρ) = Φ(h)Φ(k) + ∫₀^ρ φ₂(h, k; r) dr (Plackett 1954), by adaptive quadrature
    rng = np.random.default_rng(7)
    h, k = rng.uniform(-4, 4, 60), rng.uniform(-4, 4, 60)
    rho = np.concatenate([rng.uniform(-0.99, 0.99, 40), [0.93, -0.93, 0.97, -0.97, 0.999, -0.999] * 3,
                          [0.0, 0.5]])
    ref = [stats.norm.cdf(a) * stats.norm.cdf(b)
           + integrate.quad(lambda r: bivariate_normal_pdf(a, b, r), 0, c, epsabs=1e-14)[0]
           for a, b, c in zip(h, k, rho)]
    np.testing.assert_allclose(bivariate_normal_cdf(h, k, rho), ref, atol=1e-12)
    assert bivariate_normal_cdf(np.inf, 1.0, 0.3) == pytest.approx(stats.norm.cdf(1.0), abs=1e-14)


def _degenerate_tables():
    x = np.repeat(np.arange(1, 6), 20)
    outlier = pd.DataFrame({"a": x, "b": x.copy(), "c": x})
    outlier.loc[0, "b"] = 5  # one answer in the cell a perfect correlation makes impossible
    rng = np.random.default_rng(0)
    near_constant = pd.DataFrame({"a": rng.integers(1, 6, 100), "b": rng.integers(1, 6, 100),
                                  "c": np.r_[np.ones(99), 2]})
    zero_cell = pd.DataFrame({"a": np.r_[np.ones(50), 2 * np.ones(50)], "b": np.r_[np.ones(60), 2 * np.ones(40)],
                              "c": rng.integers(1, 3, 100)})
    return {"outlier": outlier, "near-constant": near_constant, "zero-cell": zero_cell}


@pytest.mark.parametrize("name", ["outlier", "near-constant", "zero-cell"])
def test_degenerate_tables_never_raise_or_warn(name):
    """Cells a correlation near ±1 makes all but impossible, items that hardly vary, empty
    cells: finite statistics or a note, never an exception or a floating-point warning
    (the outlier case divided by zero before the guards)."""
    import warnings

    from folge.statistics import ordinal_invariance

    d = _degenerate_tables()[name]
    wave = pd.Series(np.where(np.arange(len(d)) % 2 == 0, "w1", "w2"), index=d.index)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats = ordinal_statistics(d, wave)
        rows = ordinal_invariance(d, wave)
    for g in stats.groups:
        assert np.isfinite(g.thresholds).all() and np.isfinite(g.correlations).all()
        assert (np.abs(g.correlations) <= 0.999).all()
    assert len(rows) >= 3
    assert stats.groups or stats.note


def test_missing_codes_are_left_out_pairwise():
    """−1 marks a missing answer: thresholds from those who answered the item, each
    table from those who answered both, scores 0 (lavaan's missing = "pairwise")."""
    from folge.statistics._ordinal_moments import pair_tables, padded_thresholds

    codes = np.array([[0, 1], [1, -1], [1, 0], [-1, 1], [0, 0]])
    th = padded_thresholds(codes, np.array([2, 2]))
    assert th[0, 1] == pytest.approx(stats.norm.ppf(2 / 4))
    assert th[1, 1] == pytest.approx(stats.norm.ppf(2 / 4))
    table = pair_tables(codes, np.array([0]), np.array([1]), 2)[0]
    assert table.tolist() == [[1.0, 1.0], [1.0, 0.0]]
