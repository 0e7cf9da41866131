r"""A synthetic demo study with known planted effects, and the pipeline run over it.

``folge demo`` builds a study folder from the shipped instruments and roles, invents
regions, waves and respondents, writes their answers as response files in the canonical
wide form, states what was planted in ``truth.json``, and runs whatever of
ingest → analyze → report exists through the public code paths. Tests of the analyses
check their output against ``truth.json``.

The model
---------
For person *p* in region *r* with role *ρ(p)*, construct *c* and wave *t* = 0, 1, … dated
``years[t]`` after the first wave ((date − first date) in days / 365.25; two waves a year)
(all latent quantities in SD units of the within-region, within-wave variation)::

    η[p,c,r,t] = μ[r,c] + β[r,c]·years[t] + γ[ρ(p)] + u[p,c] + ε[p,c,t]

    μ[r,c] = m[c] + a[r] + v[r,c]       m ~ U(−0.2, 0.4), a ~ N(0, 0.3²), v ~ N(0, 0.2²)
    β[r,c] = 0.3 a year if c is a trend construct and r an improving region, else 0
    γ[ρ]   = −0.45 politician, −0.35 business, +0.45 project leader; N(0, 0.2²) for other roles
    u[p,c] = 0.6·(√.3·g[p] + √.7·s[p,c])   g, s ~ N(0, 1); kept by a person across waves
    ε      ~ N(0, 0.8²)                 occasion noise (0.6² + 0.8² = 1)

Items (factor model), standardised and cut to the item's *K*-point scale::

    y*[p,i] = λ[i]·η + b[i] + √(1 − λ[i]²)·e[p,i]      e ~ N(0, 1), b ~ N(0, 0.25²)
    x[p,i]  = the k-th scale value where τ[k−1] < y* ≤ τ[k],  τ[k] = (k − (K − 1)/2 − 0.6)·w
    w       = √(0.9 / (0.45·(K² − 1)/12 − 1/12))
    x       → (min + max) − x for reverse-keyed items

Evenly spaced cut points of width w make an item's variance within a region about 45 % of
rwg's uniform null variance (moderate agreement, rwg(j) ≈ .8), and the shift of 0.6 lets
answers lean to agreement, as survey answers do. Loadings λ ~ U(.70, .85): the issue's "≈ .6–.8", nudged up so that even a 3-item scale answered
by 30 people clears alpha ≥ .70 in every wave. The one *weak* scale has λ ~ U(.25, .40), so
its alpha stays near .3–.4, well below .70. Then 4 % of answers become the scale's "don't
know" code and 3 % are left blank (respondent-level items only).

- **Regions**: the last region gets 4 respondents a wave (below ``min_n`` = 5, too few for
  any regional verdict), the others 40 (``--respondents``); half of the others (drawn) are
  *improving*.
- **Constructs**: respondent-level ``scale`` constructs alternate in questionnaire order
  (instruments by id) between *trend* (improving in the improving regions, so nationally
  too) and *flat* (β = 0 everywhere: no change); the weak scale is a flat one (by default
  the flat scale with the fewest items, the last on ties). Other ``index`` constructs follow the
  factor model with β = 0; region-level constructs that are not milestones are rated once
  per region and wave from μ[r,c] plus N(0, 0.5²) noise, without persons or roles.
- **Who answers**: the invited frame (``research/frame.csv``, also the ``invited`` counts
  of ``study.yaml``) has every role equally often in a region; a role's response rate is
  the region's rate, drawn from U(.45, .75), times 0.5 for politicians and business and
  1.4 for project leaders (others 1; at most .95). A newcomer's role is drawn in
  proportion to these rates, so politicians and business answer less than project
  leaders, and the respondents' mean differs from the population's (``truth.json`` has
  the population means per construct, region and wave, and every rule's truth).
- **Panel**: 30 % of a region's respondents leave before each new wave and newcomers take
  their place; who stays keeps id, role and u[p,·].
- **Learning chain** (yes/no items with a ``stage``), a funnel learned ≥ shared ≥ used::

      logit P(learned)         = 0.4 + a[r] + δ[r]·t
      logit P(shared | learned) = 0.0 + δ[r]·t
      logit P(used | shared)    = −0.6 + δ[r]·t        δ[r] = 0.8 in improving regions, else 0

- **Milestones** (yes/no items of a region-level instrument, in order): region *r* has
  reached the first ⌊start[r] + pace[r]·(t + 1)⌋ of *M*, start ~ U(0, 1), pace = M/T per
  wave in improving regions and M/(2T) elsewhere (*T* waves).
- **Occasional instruments** (listed in only some shipped waves, such as the gathering
  evaluation) run from the second wave on, answered by 75 % of that wave's respondents.
- **Invitations**: per region and role, ⌈respondents / Σ role rates⌉ (never fewer than
  answered), so response rates by role are computable.

Every number above is a field of :class:`DemoDesign`; the drawn values are in ``truth.json``.
"""

from ._generate import ID_COLUMNS, DemoData, Table, columns_of, generate_demo
from ._plan import (
    ChainPlan,
    ConstructPlan,
    DemoDesign,
    DemoPlan,
    MilestonePlan,
    RegionSpec,
    WaveSpec,
    plan_demo,
)
from ._files import FRAME_FILE, RESPONSES_DIR, TRUTH_FILE, build_demo, frame_of, response_path, truth_dict
from ._truth import population_means, rule_truths
from ._run import STAGES, StageFailed, StageResult, run_pipeline

__all__ = [
    "FRAME_FILE",
    "ID_COLUMNS",
    "RESPONSES_DIR",
    "STAGES",
    "TRUTH_FILE",
    "ChainPlan",
    "ConstructPlan",
    "DemoData",
    "DemoDesign",
    "DemoPlan",
    "MilestonePlan",
    "RegionSpec",
    "StageFailed",
    "StageResult",
    "Table",
    "WaveSpec",
    "build_demo",
    "columns_of",
    "frame_of",
    "generate_demo",
    "plan_demo",
    "population_means",
    "response_path",
    "rule_truths",
    "run_pipeline",
    "truth_dict",
]
