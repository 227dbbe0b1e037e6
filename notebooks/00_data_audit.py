# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 00 Data audit · 数据审查
# **Question:** what data does the package hold (indicators by year, provenance, gaps), what
# was published, and do the annual values agree with the published figures?
# 本笔记本回答：数据包有哪些数据、来源类型如何、有无缺口，公开发布了哪些数字，年度数据与公开数是否一致？

# %% tags=["parameters"]
region = "putuo"
year = 2022
window = 5
lang = "en"
data_dir = ""
output_dir = ""

# %%
import uniontrends as ut

s = ut.start("00_data_audit", region, year, window, lang, data_dir, output_dir)
s.intro()

# %% [markdown]
# ## Coverage of indicators by year · 各指标逐年覆盖情况
# Each cell gives the provenance of the value (empty = no row; "missing" = marked missing).

# %%
s.table(s.audit.coverage().reset_index(), "coverage")

# %% [markdown]
# ## Provenance mix and gaps · 数据来源类型与缺口

# %%
s.table(s.audit.provenance_mix(), "provenance_mix")
s.table(s.audit.gaps(), "gaps")

# %%
reconciliation = s.audit.reconciliation()
if s.has_reported():
    s.section("Published figures, as worded · 公开报道数字（原文表述）", s.reported_note())
    s.table(s.reported_in(), "reported_figures")
    s.section(
        "Reconciliation · 年度数据与公开数核对",
        '"余", "超", "以上" mark lower bounds: a lower bound is consistent when the annual sum '
        "is at least the bound. 下限：年度合计不少于公开数即为一致。",
    )
    s.table(reconciliation, "reconciliation")

# %% [markdown]
# ## Findings · 结论

# %%
s.finish(s.audit.findings(reconciliation))
