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
# # 05 International context · 国际比较
# **Question:** how does union density in the package's country compare with the peers it
# chose, and how did union members, employees and density change there, measured with the
# same statistics as the regions?
# 本笔记本回答：数据包所在国家的工会入会率与所选比较国家相比如何？会员、职工和入会率如何变化？
#
# **Real data only**: the ILOSTAT (ILR_TUMT_NOC_RT_A) and OECD TUD reference series in the
# package's `reference/`, for the `country` and `peers` of its `package.yaml`. The `region`
# parameter only selects where outputs go. 只使用真实外部参考数据。

# %% tags=["parameters"]
region = "putuo"
year = 2022
window = 5
lang = "en"
data_dir = ""
output_dir = ""

# %%
import uniontrends as ut

s = ut.start("05_international_context", region, year, window, lang, data_dir, output_dir)
s.md(s.reference.describe())
countries = s.reference.countries()

# %%
if countries:
    s.section("Union density by country (ILOSTAT) · 各国工会入会率")
    s.figure(s.reference.figure(), "union_density_ilostat")

# %%
own = s.reference.own_summary()
if own is not None:
    s.section("The package's country: trend over the last reported years · 本国：最近年度的趋势")
    s.table(own.table, "country_union_density")

# %%
peers = s.reference.peer_summaries()
if peers:
    s.section(
        "Peers: members, employees and density · 比较国家：会员、职工与入会率",
        "Ranked by CAGR of density over the last window. 按入会率的年均增长率排名。",
    )
    s.table(s.reference.ranking(), "oecd_density_ranking")

# %% [markdown]
# ## Findings · 结论

# %%
s.finish((own.findings if own else []) + [f for summary in peers for f in summary.findings])
