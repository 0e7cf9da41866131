"""Fabricated studies and result tables for the report builder's tests and benchmark.

``write_study`` writes a small study folder (``research/study.yaml`` plus the shipped
instruments); ``write_results`` fabricates every table ``folge analyze`` writes (``analysis/ARCHITECTURE.md``,
"The result contract", with exactly those columns) plus ``item_distribution.csv`` and
``manifest.json``. The numbers are random but shaped like real output: region ``gamma``
has fewer than ``min_n`` respondents in every wave, so the next-smallest region ``delta``
is suppressed too (secondary); region ``beta`` (nynorsk) has one role below ``min_n``,
region ``alfa`` has every role at or above it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
ROLES = [("politician", "municipality"), ("administration", "municipality"), ("business", "business"),
         ("county", "county"), ("research", "research-education")]
WAVE_IDS = ["2015-1", "2016-1", "2017-1", "2018-1"]


def region_ids(n_regions: int) -> list[str]:
    if n_regions <= 4:
        return ["alfa", "beta", "gamma", "delta"][:n_regions]
    return [f"r{i:03d}" for i in range(n_regions)]


def write_study(root: Path, n_regions: int = 4, n_waves: int = 3, min_n: int = 5) -> Path:
    """A study folder at ``root`` with ``n_regions`` regions and ``n_waves`` waves."""
    root = Path(root)
    (root / "research").mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "instruments", root / "instruments", dirs_exist_ok=True)
    ids = region_ids(n_regions)
    lines = ["programme: Utviklingsprogram for byregioner", "short_name: ByReg", f"min_n: {min_n}",
             "languages: [nb, nn, en]", "licence: CC-BY-4.0", "regions:"]
    for i, rid in enumerate(ids):
        lang = "nn" if (rid == "beta" or (n_regions > 3 and i % 4 == 1)) else "nb"
        name = {"alfa": "Alfaregionen", "beta": "Betaregionen", "gamma": "Gammaregionen", "delta": "Deltaregionen"}.get(rid, f"Region {i}")
        lines.append(f"  - {{id: {rid}, name: {name}, language: {lang}, municipalities: [{name} kommune]}}")
    lines.append("roles:")
    for role, sector in ROLES:
        lines.append(f"  - {{id: {role}, sector: {sector}}}")
    lines.append("waves:")
    for k, wave in enumerate(WAVE_IDS[:n_waves]):
        lines.append(f"  - {{id: \"{wave}\", date: {wave[:4]}-03-01, "
                     "instruments: [participant-survey, gathering-evaluation, region-status], closed: true}")
    (root / "research" / "study.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _role_counts(rid: str, rng) -> dict[str, int]:
    if rid == "gamma":
        return {"politician": 1, "administration": 1, "business": 1, "county": 0, "research": 0}
    if rid == "beta":
        return {"politician": 6, "administration": 8, "business": 2, "county": 5, "research": 5}
    if rid == "delta":
        return {"politician": 3, "administration": 3, "business": 3, "county": 3, "research": 3}
    if rid == "alfa":
        return {"politician": 6, "administration": 9, "business": 7, "county": 5, "research": 5}
    return {role: int(rng.integers(0, 9)) for role, _ in ROLES}


def write_results(study, out: Path, seed: int = 1) -> Path:
    """Fabricate every result table of ``folge analyze`` for ``study`` into ``out``."""
    rng = np.random.default_rng(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    waves = [w.id for w in study.waves]
    regions = [r.id for r in study.regions]
    sector = {r.id: r.sector for r in study.roles}
    respondent_insts = [i for i in study.instruments.values() if i.level == "respondent"]
    scales = [c for i in respondent_insts for c in i.constructs if c.kind == "scale"]

    # respondents: one row per respondent and wave (the same people come back, mostly)
    rows = []
    for rid in regions:
        counts = _role_counts(rid, rng)
        for role, count in counts.items():
            for j in range(count):
                for k, wave in enumerate(waves):
                    rows.append((f"{rid}-{role}-{j}", rid, wave, role, k))
    people = pd.DataFrame(rows, columns=["respondent", "region", "wave", "role", "k"])
    region_effect = dict(zip(regions, rng.normal(0, 0.3, len(regions))))

    # scores.csv
    m = len(people)
    frames = []
    for c_i, construct in enumerate(scales):
        top = construct.scale.max
        base = 0.55 * top + 0.1 * construct.scale.max * people["k"].to_numpy() / max(1, len(waves) - 1)
        score = (base + people["region"].map(region_effect).to_numpy() + rng.normal(0, 0.7, m))
        frames.append(pd.DataFrame({"respondent": people["respondent"], "region": people["region"],
                                    "wave": people["wave"], "role": people["role"], "construct": construct.id,
                                    "score": np.clip(score, construct.scale.min, top).round(4),
                                    "n_items": len(construct.items)}))
    scores = pd.concat(frames, ignore_index=True)
    scores.to_csv(out / "scores.csv", index=False)

    # agreement, reliability, items, icc, invariance, trend, change
    grouped = scores.groupby(["construct", "wave", "region"], sort=False)["score"]
    agreement = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    agreement["rwg_j"] = rng.uniform(0.5, 0.95, len(agreement)).round(4)
    agreement["ad"] = rng.uniform(0.4, 1.0, len(agreement)).round(4)
    agreement[["construct", "wave", "region", "n", "mean", "sd", "rwg_j", "ad"]].to_csv(out / "agreement.csv", index=False)
    national = scores.groupby(["construct", "wave"], sort=False)["score"].agg(n="count", mean="mean", sd="std").reset_index()
    rel = national[["construct", "wave", "n"]].copy()
    rel["k"] = rel["construct"].map({c.id: len(c.items) for c in scales})
    rel["alpha"] = rng.uniform(0.62, 0.9, len(rel)).round(4)
    rel["alpha_ci_low"] = (rel["alpha"] - 0.05).round(4)
    rel["alpha_ci_high"] = (rel["alpha"] + 0.04).round(4)
    rel["omega"] = (rel["alpha"] + 0.01).round(4)
    rel.to_csv(out / "reliability.csv", index=False)
    item_rows = []
    for c in scales:
        for wave in waves:
            n = int(national.query("construct == @c.id and wave == @wave")["n"].iloc[0])
            for it in c.items:
                item_rows.append((c.id, wave, it.id, n, rng.uniform(2, 4), rng.uniform(0.8, 1.2),
                                  rng.uniform(0.3, 0.7), rng.uniform(0.6, 0.85), rng.uniform(0, 0.1)))
    pd.DataFrame(item_rows, columns=["construct", "wave", "item", "n", "mean", "sd", "r_drop", "alpha_if_dropped",
                                     "missing_share"]).round(4).to_csv(out / "items.csv", index=False)
    icc = national[["construct", "wave"]].copy()
    icc["n_regions"] = len(regions)
    icc["n"] = national["n"]
    icc["icc1"] = rng.uniform(0.02, 0.2, len(icc)).round(4)
    icc["icc2"] = rng.uniform(0.4, 0.9, len(icc)).round(4)
    icc.to_csv(out / "icc.csv", index=False)
    inv = []
    for c in scales:
        broken = c.id == "anchoring-planning"
        inv += [(c.id, "configural", 40.1, 18, 0.97, 0.05, 0.04, ""),
                (c.id, "metric", 44.0, 24, 0.965, 0.05, 0.045, "true"),
                (c.id, "scalar", 80.0, 30, 0.93 if broken else 0.96, 0.07, 0.05, "false" if broken else "true")]
    pd.DataFrame(inv, columns=["construct", "model", "chi2", "df", "cfi", "rmsea", "srmr", "holds"]).to_csv(
        out / "invariance.csv", index=False)
    trend = pd.DataFrame({"construct": [c.id for c in scales]})
    trend["estimate"] = rng.normal(0.15, 0.05, len(trend)).round(4)
    trend["se"] = 0.03
    trend["ci_low"] = (trend["estimate"] - 0.06).round(4)
    trend["ci_high"] = (trend["estimate"] + 0.06).round(4)
    trend["p"] = 0.001
    trend["n"] = len(scores) // len(scales)
    trend["n_regions"] = len(regions)
    trend["method"] = "lmer"
    trend["note"] = ["boundary fit: zero region variance" if i == 0 else "" for i in range(len(trend))]
    trend.to_csv(out / "trend.csv", index=False)
    means = pd.concat([agreement[["construct", "wave", "region", "n", "mean", "sd"]],
                       national.assign(region="all")], ignore_index=True)
    change = []
    for (construct, region), sub in means.groupby(["construct", "region"], sort=False):
        sub = sub.set_index("wave")
        for a, b in zip(waves, waves[1:]):
            if a not in sub.index or b not in sub.index:
                continue
            fa, fb = sub.loc[a], sub.loc[b]
            diff = fb["mean"] - fa["mean"]
            change.append((construct, region, a, b, int(fa["n"]), int(fb["n"]), fa["mean"], fb["mean"], diff,
                           diff - 0.3, diff + 0.3, diff / 0.8, 0.04, 0.08, "welch"))
    pd.DataFrame(change, columns=["construct", "region", "from_wave", "to_wave", "n_from", "n_to", "mean_from",
                                  "mean_to", "diff", "ci_low", "ci_high", "hedges_g", "p", "p_adj",
                                  "method"]).round(4).to_csv(out / "change.csv", index=False)

    # criteria.csv
    crit = []
    verdicts = ["met", "partly-met", "not-met"]
    reason = {"met": ("over terskelen", "above the threshold"), "partly-met": ("nær terskelen", "close to the threshold"),
              "not-met": ("under terskelen", "below the threshold")}
    for wave in waves:
        for cid, construct in [("learning-culture", "learning-culture"), ("vision", "vision"),
                               ("anchoring", "anchoring-political"), ("mayors", "mayors")]:
            for region in ["all", *regions]:
                sub = means.query("construct == @construct and wave == @wave and region == @region")
                n = int(sub["n"].iloc[0]) if len(sub) else 0
                value = float(sub["mean"].iloc[0]) if len(sub) else float("nan")
                v = "insufficient-data" if n < study.min_n else verdicts[int(rng.integers(0, 3))]
                r = ("for få svar", "too few answers") if v == "insufficient-data" else reason[v]
                crit.append((cid, region, wave, f"mean:{construct}", round(value, 4), n, 3.5, 0.03, v, r[0], r[1]))
        for region in regions:
            crit.append(("plan-anchoring", region, wave, "share:phase2-milestones", 0.5, 1, 0.5, float("nan"),
                         "met", "strategien er forankret", "the strategy is anchored"))
    pd.DataFrame(crit, columns=["criterion", "region", "wave", "indicator", "value", "n", "threshold", "p", "verdict",
                                "reason", "reason_en"]).to_csv(out / "criteria.csv", index=False)

    # response_rates.csv
    rr = []
    answered = people.groupby(["region", "wave", "role"]).size()
    for region in regions:
        counts = _role_counts(region, np.random.default_rng(0))
        for wave in waves:
            total_inv = total_resp = 0
            for role, _ in ROLES:
                resp = int(answered.get((region, wave, role), 0))
                inv = resp + 4
                total_inv += inv
                total_resp += resp
                rr.append((region, wave, role, inv, resp, resp / inv))
            rr.append((region, wave, "all", total_inv, total_resp, total_resp / total_inv))
    rr = pd.DataFrame(rr, columns=["region", "wave", "role", "invited", "responded", "rate"])
    tot = rr.groupby(["wave", "role"], as_index=False)[["invited", "responded"]].sum()
    tot["region"] = "all"
    tot["rate"] = tot["responded"] / tot["invited"]
    pd.concat([rr, tot[rr.columns]], ignore_index=True).round(4).to_csv(out / "response_rates.csv", index=False)

    # panel.csv
    panel = []
    for a, b in zip(waves, waves[1:]):
        by_region = answered.xs(a, level="wave").groupby(level="region").sum()
        rows = [(region, int(by_region.get(region, 0))) for region in regions]
        rows = [(region, n_from, int(round(n_from * 0.8))) for region, n_from in rows]
        # the national row is the sum of its regions, as folge analyze writes it
        rows.insert(0, ("all", sum(r[1] for r in rows), sum(r[2] for r in rows)))
        for region, n_from, retained in rows:
            panel.append((region, a, b, n_from, retained, retained / n_from if n_from else float("nan")))
    pd.DataFrame(panel, columns=["region", "from_wave", "to_wave", "n_from", "retained", "retention"]).round(4).to_csv(
        out / "panel.csv", index=False)

    # trust_matrix.csv (from_sector: the respondent's sector; to_sector: the partner asked about)
    targets = sorted({it.target for c in scales for it in c.items if it.target})
    people["sector"] = people["role"].map(sector)
    per = people.groupby(["region", "wave", "sector"]).size()
    trust = []
    for (region, wave, from_sector), n in per.items():
        for target in targets:
            trust.append((region, wave, from_sector, target, int(n), round(float(rng.uniform(2.5, 4.5)), 4)))
    trust = pd.DataFrame(trust, columns=["region", "wave", "from_sector", "to_sector", "n", "mean"])
    nat = trust.assign(w=trust["n"] * trust["mean"]).groupby(["wave", "from_sector", "to_sector"], as_index=False)[
        ["n", "w"]].sum()
    nat["mean"] = (nat["w"] / nat["n"]).round(4)
    nat["region"] = "all"
    pd.concat([trust, nat[trust.columns]], ignore_index=True).to_csv(out / "trust_matrix.csv", index=False)

    # learning_chain.csv
    chain = []
    per_rw = people.groupby(["region", "wave"]).size()
    for (region, wave), n in per_rw.items():
        share = float(rng.uniform(0.6, 0.9))
        for stage in ("learned", "shared", "used"):
            chain.append((region, wave, stage, int(n), round(share, 4)))
            share *= float(rng.uniform(0.5, 0.85))
    chain = pd.DataFrame(chain, columns=["region", "wave", "stage", "n", "share"])
    nat = chain.assign(w=chain["n"] * chain["share"]).groupby(["wave", "stage"], as_index=False)[["n", "w"]].sum()
    nat["share"] = (nat["w"] / nat["n"]).round(4)
    nat["region"] = "all"
    pd.concat([chain, nat[chain.columns]], ignore_index=True).to_csv(out / "learning_chain.csv", index=False)

    # item_distribution.csv: counts of answers per value
    dist = []
    for inst in respondent_insts:
        for c in inst.constructs:
            if c.kind != "scale" or not c.scale.is_ordinal:
                continue
            values = list(c.scale.values)
            for it in c.items:
                tilt = rng.normal(0, 0.6)
                p = np.exp(np.linspace(-1, 1, len(values)) * (1 + tilt))
                p = p / p.sum()
                for (region, wave), n in per_rw.items():
                    counts = rng.multinomial(int(n), p)
                    dist += [(inst.id, c.id, it.id, region, wave, v, int(k)) for v, k in zip(values, counts)]
    dist = pd.DataFrame(dist, columns=["instrument", "construct", "item", "region", "wave", "value", "n"])
    nat = dist.groupby(["instrument", "construct", "item", "wave", "value"], as_index=False, sort=False)["n"].sum()
    nat["region"] = "all"
    pd.concat([dist, nat[dist.columns]], ignore_index=True).to_csv(out / "item_distribution.csv", index=False)

    manifest = {"snapshot": hashlib.sha256(f"fabricated-{seed}-{len(people)}".encode()).hexdigest(),
                "toolkit": "0.1.0", "instruments": {i.id: i.version for i in study.instruments.values()},
                "waves": waves, "created": "2018-06-01T12:00:00+00:00"}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return out
