# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 00 Data audit · 数据审查
# **Question:** what data is there (indicators by year, provenance, gaps), what did the article
# publish, and do the annual values agree with the published five-year figures?
# 本笔记本回答：有哪些数据、来源类型如何、有无缺口，年度数据与公开的五年累计数是否一致？
#
# Annual values are **illustrative synthetic data** (labelled so in every table and figure);
# the published figures are real. 年度数值为示例（合成）数据；公开报道数字为真实数据。

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
# Each cell gives the provenance of the value (empty = no value).

# %%
s.table(s.audit.coverage().reset_index(), "coverage")

# %% [markdown]
# ## Provenance mix and gaps · 数据来源类型与缺口

# %%
s.table(s.audit.provenance_mix(), "provenance_mix")
s.table(s.audit.gaps(), "gaps")

# %% [markdown]
# ## Published figures, as worded in the article · 公开报道数字（原文表述）
# "余", "超", "以上" mark lower bounds: 1200余件 means *at least* 1,200 cases.

# %%
s.table(s.reported_in(), "reported_figures")

# %% [markdown]
# ## Reconciliation · 年度数据与公开数核对
# A lower bound is consistent when the annual sum is at least the bound.

# %%
reconciliation = s.audit.reconciliation()
s.table(reconciliation, "reconciliation")

# %% [markdown]
# ## Findings · 结论

# %%
s.finish(s.audit.findings(reconciliation))
