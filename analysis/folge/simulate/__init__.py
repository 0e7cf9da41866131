r"""``folge simulate``: a calibration harness that checks the verdicts against a known truth.

Each replication draws a small study whose truth is known (its own generator, separate
from the demo's), writes it as a study folder, runs the real pipeline over it through the
library (:func:`folge.ingest.ingest_file`, :func:`folge.pipeline.analyze_study`), and
sets every rule verdict of ``rules.csv`` beside the truth it is about. Over many
replications :func:`tally` gives, per scenario × rule kind × scope, the share of ``met``
where the truth is at or below the bar (false met), of ``not-met`` where it is above
(false not-met), and of ``met`` where an effect is planted (power), with Monte Carlo SEs.
See ``analysis/ARCHITECTURE.md`` ("What a verdict means").

The model
---------
A study has *R* regions, *T* dated waves (``years`` since the first), the roles
politician, business and project leader, and two constructs of five 5-point items:
``climate`` (which carries a scenario's planted slope) and ``steady`` (population slope 0
always). For person *p* of role ρ in region *r*, construct *c*, wave *t* (latent units:
SD within a region)::

    η[p,c,t] = a[r,c] + b[r,c]·years[t] + γ[ρ] + u[p,c] + ε[p,c,t]
    a[r,c] ~ N(0, σ_a²)            b[r,c] ~ N(β_c, σ_b²)   (drawn, not centred)
    u[p,c] = √.55·(√.5·g[p] + √.5·s[p,c])      ε ~ N(0, .45)    g, s ~ N(0, 1)
    y*[p,i] = λ_i·η + δ_i + √(1 − λ_i²)·e      λ_i ~ U(.65, .75), δ_i ~ N(0, .15²)
    x[p,i]  = 1 + #{k : y* > τ_k},  τ = (−2.31, −1.06, 0.19, 1.44)

The invited frame per region × role is fixed (roles in the population shares .35, .30,
.35); each wave a binomial share of a cell's invited answer (rates by role and wave from
the scenario); of the last wave's respondents of a cell, a share stays (on average 70 %;
under informative attrition a probit on g[p], not at random, or on the person's observed
mean score in the wave before, at random given the answers) and newcomers fill the cell's
count. The
latent correlation of a panel member's two waves is .55 (the score correlation about
.45). The truth (:func:`population_truth`) is exact under this probit model.

Each study's ``research/criteria.yaml`` has, per construct, a level rule (threshold = the
national population mean at the first wave), a change rule from the first wave and a
trend rule (bars 0). The scenarios are in :data:`SCENARIOS`.

One more scenario, ``invariance-gate`` (:func:`simulate_gate`, module ``_gate``), checks
the ordinal invariance gate alone: one construct's answers from its own generator, the
invariance rows as ``folge analyze`` computes them and the gate as the verdicts apply it,
on invariant items and on a planted threshold shift, at 40–300 answers per wave.
"""

from ._design import CONSTRUCTS, THRESHOLDS, SimulationDesign
from ._gate import (
    GATE_COLUMNS,
    GATE_DESCRIPTION,
    GATE_SCENARIO,
    GATE_SIZES,
    GATE_TRUTHS,
    SHIFT,
    GateRun,
    draw_gate_study,
    gate_replication,
    gate_summary,
    simulate_gate,
)
from ._generate import ConstructDraw, SimulatedStudy, draw_study, item_ids
from ._judge import VERDICT_COLUMNS, judge_rules, rules_from_criteria
from ._output import SUMMARY_FILE, SUMMARY_JSON, VERDICTS_FILE, write_run
from ._run import Replication, SimulationRun, replication_seed, run_replication, simulate
from ._scenarios import ROLES, SCENARIOS, Scenario, scenario
from ._study import write_study
from ._tally import SUMMARY_COLUMNS, share_with_se, tally
from ._truth import NATIONAL, expected_score, population_truth

__all__ = [
    "GATE_COLUMNS",
    "GATE_DESCRIPTION",
    "GATE_SCENARIO",
    "GATE_SIZES",
    "GATE_TRUTHS",
    "SHIFT",
    "GateRun",
    "draw_gate_study",
    "gate_replication",
    "gate_summary",
    "simulate_gate",
    "CONSTRUCTS",
    "NATIONAL",
    "ROLES",
    "SCENARIOS",
    "SUMMARY_COLUMNS",
    "SUMMARY_FILE",
    "SUMMARY_JSON",
    "THRESHOLDS",
    "VERDICTS_FILE",
    "VERDICT_COLUMNS",
    "ConstructDraw",
    "Replication",
    "Scenario",
    "SimulatedStudy",
    "SimulationDesign",
    "SimulationRun",
    "draw_study",
    "expected_score",
    "item_ids",
    "judge_rules",
    "population_truth",
    "replication_seed",
    "rules_from_criteria",
    "run_replication",
    "scenario",
    "share_with_se",
    "simulate",
    "tally",
    "write_run",
    "write_study",
]
