# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 International context · 国际比较
# **Question:** how does China's union density compare with other economies, and how did union
# members, employees and density change in OECD countries, measured with the same statistics?
# 本笔记本回答：中国工会入会率与其他经济体相比如何？经合组织国家的会员、职工和入会率如何变化？
#
# **This notebook runs on real data only**: ILOSTAT (ILR_TUMT_NOC_RT_A) and OECD TUD reference
# series in `data/reference/`. No synthetic values. The `region` parameter only selects where
# outputs go. 本笔记本只使用真实外部参考数据，不含合成数据。

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

# %% [markdown]
# ## Union density by country (ILOSTAT) · 各国工会入会率

# %%
s.figure(s.reference.figure(), "union_density_ilostat")

# %% [markdown]
# ## China: trend over the last five reported years · 中国：最近五个年度的趋势

# %%
china = s.reference.summary("ilostat", "union_density", "chn")
s.table(china.table, "china_union_density")

# %% [markdown]
# ## OECD: members, employees and density · 经合组织：会员、职工与入会率
# Ranked by CAGR of density over the last window; then three large economies in detail.

# %%
s.table(s.reference.ranking(), "oecd_density_ranking")
oecd = [
    s.reference.summary("oecd", indicator, country)
    for country in ("jpn", "kor", "usa")
    for indicator in ("union_members", "employees", "union_density")
]

# %% [markdown]
# ## Findings · 结论

# %%
s.finish(china.findings + [f for summary in oecd for f in summary.findings])
