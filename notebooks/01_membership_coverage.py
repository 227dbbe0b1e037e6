# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 Membership coverage · 组织覆盖
# **Question:** how did union members, organisations, coverage of enterprises with 100+ and 25+ employees, new-employment-form unions and industry federations develop, and what is union density (members / employees)?
# 本笔记本回答：会员、基层工会、百人以上和25人以上企业建会率、新业态工会和行业工会联合会如何变化？入会率（会员/职工）如何？
#
# Annual values are **illustrative synthetic data**, not official statistics (labelled in every
# table and figure); only figures marked *reported* come from the published article.
# 年度数值为示例（合成）数据，非官方统计；标注“公开报道”的数字来自公开文章。

# %% tags=["parameters"]
region = "putuo"
year = 2022
window = 5
lang = "en"
data_dir = ""
output_dir = ""

# %%
import uniontrends as ut

s = ut.start("01_membership_coverage", region, year, window, lang, data_dir, output_dir)
s.intro()

# %% [markdown]
# ## Published figures · 公开报道数字
# Lower bounds ("余", "超") are shown as "at least". 下限按“不少于”呈现。

# %%
s.table(s.reported_in("membership"), "reported_figures")

# %% [markdown]
# ## Trends over the window · 窗口期趋势
# Level, change, CAGR, OLS and Theil–Sen slopes, Mann–Kendall test; union density is derived as members / employees.

# %%
area = s.area_summary("membership")
s.table(s.statistics(area), "statistics")
s.figure(s.area_figure("membership"), "area")

# %% [markdown]
# ## Key indicator · 重点指标

# %%
s.figure(s.trend_figure("union_density"), "union_density")

# %% [markdown]
# ## Across regions · 地区比较
# Ranked by CAGR; other regions are illustrative. 按年均增长率排名；其他地区为示例数据。

# %%
s.table(s.compare("union_density"), "regions")
s.figure(s.regions_figure("union_density"), "regions")

# %% [markdown]
# ## Findings · 结论
# Ranked by strength of evidence; n = 5 years is a small sample. 按证据强度排序；五年为小样本。

# %%
s.finish(area.findings)
