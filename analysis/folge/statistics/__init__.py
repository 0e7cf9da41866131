"""Statistics of folge: pure functions from DataFrames to tidy DataFrames (no I/O).

Each public function is named after its statistic, returns a DataFrame whose columns
are defined once in a module-level ``*_COLUMNS`` tuple, and reports degenerate data as
NaN with the reason in a ``note`` column instead of raising.

Psychometrics:

- :func:`cronbach_alpha`, :func:`item_statistics` (``reliability``)
- :func:`mcdonald_omega` (``omega``)
- :func:`cfa_fit`, :func:`cfa_parameters` (``cfa``: the ML factor analysis engine)
- :func:`measurement_invariance` (``invariance``)
- :func:`polychoric_correlations`, :func:`ordinal_thresholds`, :func:`ordinal_statistics`
  (``polychoric``: two-step polychorics with their asymptotic covariance, the input of
  the WLSMV models)
- :func:`wlsmv_invariance`, :func:`wlsmv_fit`, :func:`wlsmv_difference`,
  :func:`invariance_holds`, :func:`wlsmv_score_tests` (``wlsmv``: ordinal
  configural/metric/scalar models, DWLS with scaled-and-shifted tests, the gate, and
  score tests for partial invariance)
- :func:`ordinal_invariance`, :func:`gate_estimator` (``ordinal_invariance``: the WLSMV
  rows, the gate's ``scalar-vs-configural`` row and a ``scalar-partial`` row where it
  fails; which estimator's rows the gate reads)
- :func:`longitudinal_invariance`, :func:`longitudinal_fit`, :func:`panel_statistics`,
  :func:`longitudinal_score_tests` (``longitudinal_invariance``: the same rows from the
  longitudinal model of a panel: one factor per wave in wide form, each item's residuals
  correlated across waves, pairwise-present data; ``settings.invariance_model:
  longitudinal``)

Aggregation, change and trend:

- :func:`icc`, :func:`rwg_j`, :func:`average_deviation`, :func:`agreement` (``aggregation``)
- :func:`welch_change`, :func:`paired_change`, :func:`holm`, :func:`benjamini_hochberg` (``change``)
- :func:`trend`, :func:`sufficient_statistics`, :func:`trend_from_sufficient` (``trend``)

Mixed models (``mixed``: REML with respondents nested in regions, Satterthwaite df):

- :func:`trend_mixed`, :func:`regional_trend_mixed`, :func:`change_mixed`
- :func:`trend_mixed_scopes`, :func:`change_mixed_scopes` (``mixed_scopes``: every region and
  the nation from one pass, the regions' models fitted together)
- :func:`lower_bound`, :func:`upper_bound` (one-sided t bounds for verdicts)
- :func:`fit_nested_lmm`, :func:`satterthwaite_df` (the engine)

Verdicts:

- :func:`decide`, :func:`decide_shares`, :func:`combine_verdicts` (``decisions``)

Who answered (``survey``):

- :func:`rake`, :func:`rake_waves`, :func:`effective_sample_size` (raking weights, Kish's n_eff)
- :func:`weighted_mean`, :func:`weighted_levels`, :func:`empirical_bayes`, :func:`levels`
- :func:`attrition`
"""

from folge.statistics.aggregation import (
    AD_COLUMNS,
    AGREEMENT_COLUMNS,
    ICC_COLUMNS,
    RWG_COLUMNS,
    agreement,
    average_deviation,
    icc,
    rwg_j,
)
from folge.statistics.cfa import CFA_FIT_COLUMNS, CFA_PARAMETER_COLUMNS, cfa_fit, cfa_parameters
from folge.statistics.change import (
    CHANGE_COLUMNS,
    benjamini_hochberg,
    holm,
    holm_by_group,
    paired_change,
    welch_change,
)
from folge.statistics.decisions import (
    DECISION_COLUMNS,
    VERDICTS,
    combine_verdicts,
    decide,
    decide_shares,
)
from folge.statistics.invariance import INVARIANCE_COLUMNS, measurement_invariance
from folge.statistics.longitudinal_invariance import (
    LONGITUDINAL_NOTE,
    LONGITUDINAL_SCORE_COLUMNS,
    LongitudinalFit,
    PanelStatistics,
    longitudinal_fit,
    longitudinal_invariance,
    longitudinal_score_tests,
    panel_statistics,
)
from folge.statistics.ordinal_invariance import (
    GATE_MODEL,
    ORDINAL_MAX_POINTS,
    PARTIAL_MODEL,
    gate_estimator,
    ordinal_invariance,
)
from folge.statistics.mixed import (
    CHANGE_MIXED_COLUMNS,
    TREND_MIXED_COLUMNS,
    NestedLmmFit,
    change_mixed,
    fit_nested_lmm,
    lower_bound,
    regional_trend_mixed,
    satterthwaite_df,
    trend_mixed,
    upper_bound,
)
from folge.statistics.mixed_scopes import change_mixed_scopes, trend_mixed_scopes
from folge.statistics.omega import OMEGA_COLUMNS, mcdonald_omega
from folge.statistics.polychoric import (
    POLYCHORIC_COLUMNS,
    THRESHOLD_COLUMNS,
    OrdinalGroup,
    OrdinalStatistics,
    ordinal_statistics,
    polychoric_correlations,
    ordinal_thresholds,
)
from folge.statistics.wlsmv import (
    INVARIANCE_STEPS,
    SCORE_COLUMNS,
    WLSMV_COLUMNS,
    WlsmvFit,
    invariance_holds,
    wlsmv_difference,
    wlsmv_fit,
    wlsmv_invariance,
    wlsmv_score_tests,
)
from folge.statistics.reliability import (
    ITEM_COLUMNS,
    RELIABILITY_COLUMNS,
    cronbach_alpha,
    item_statistics,
)
from folge.statistics.survey import (
    ATTRITION_COLUMNS,
    EB_COLUMNS,
    ESS_COLUMNS,
    LEVEL_COLUMNS,
    MEAN_COLUMNS,
    RAKE_COLUMNS,
    Raking,
    WaveWeights,
    attrition,
    effective_sample_size,
    empirical_bayes,
    levels,
    rake,
    rake_waves,
    weighted_levels,
    weighted_mean,
)
from folge.statistics.trend import (
    SUFFICIENT_COLUMNS,
    TREND_COLUMNS,
    TREND_INPUT_COLUMNS,
    sufficient_statistics,
    trend,
    trend_from_sufficient,
)

__all__ = [
    # psychometrics
    "CFA_FIT_COLUMNS",
    "CFA_PARAMETER_COLUMNS",
    "INVARIANCE_COLUMNS",
    "ITEM_COLUMNS",
    "OMEGA_COLUMNS",
    "POLYCHORIC_COLUMNS",
    "THRESHOLD_COLUMNS",
    "OrdinalGroup",
    "OrdinalStatistics",
    "INVARIANCE_STEPS",
    "SCORE_COLUMNS",
    "WLSMV_COLUMNS",
    "WlsmvFit",
    "RELIABILITY_COLUMNS",
    "cfa_fit",
    "cfa_parameters",
    "cronbach_alpha",
    "item_statistics",
    "mcdonald_omega",
    "ordinal_statistics",
    "polychoric_correlations",
    "ordinal_thresholds",
    "invariance_holds",
    "wlsmv_difference",
    "wlsmv_fit",
    "wlsmv_invariance",
    "wlsmv_score_tests",
    "measurement_invariance",
    "GATE_MODEL",
    "ORDINAL_MAX_POINTS",
    "PARTIAL_MODEL",
    "gate_estimator",
    "ordinal_invariance",
    "LONGITUDINAL_NOTE",
    "LONGITUDINAL_SCORE_COLUMNS",
    "LongitudinalFit",
    "PanelStatistics",
    "longitudinal_fit",
    "longitudinal_invariance",
    "longitudinal_score_tests",
    "panel_statistics",
    # aggregation, change and trend
    "AD_COLUMNS",
    "AGREEMENT_COLUMNS",
    "CHANGE_COLUMNS",
    "ICC_COLUMNS",
    "RWG_COLUMNS",
    "SUFFICIENT_COLUMNS",
    "TREND_COLUMNS",
    "TREND_INPUT_COLUMNS",
    "agreement",
    "average_deviation",
    "benjamini_hochberg",
    "holm",
    "holm_by_group",
    "icc",
    "paired_change",
    "rwg_j",
    "sufficient_statistics",
    "trend",
    "trend_from_sufficient",
    "welch_change",
    # mixed models
    "CHANGE_MIXED_COLUMNS",
    "TREND_MIXED_COLUMNS",
    "NestedLmmFit",
    "change_mixed",
    "change_mixed_scopes",
    "fit_nested_lmm",
    "lower_bound",
    "regional_trend_mixed",
    "satterthwaite_df",
    "trend_mixed",
    "trend_mixed_scopes",
    "upper_bound",
    # three-way decisions against a bar
    "DECISION_COLUMNS",
    "VERDICTS",
    "combine_verdicts",
    "decide",
    "decide_shares",
    # who answered: weights, levels, EB, attrition
    "ATTRITION_COLUMNS",
    "EB_COLUMNS",
    "ESS_COLUMNS",
    "LEVEL_COLUMNS",
    "MEAN_COLUMNS",
    "RAKE_COLUMNS",
    "Raking",
    "WaveWeights",
    "attrition",
    "effective_sample_size",
    "empirical_bayes",
    "levels",
    "rake",
    "rake_waves",
    "weighted_levels",
    "weighted_mean",
]
