# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 Skills and competitions · 技能竞赛
# **Question:** how did skill competitions and participants, training, innovation studios, rationalisation proposals and craftsmen develop?
# 本笔记本回答：劳动技能竞赛与参赛人次、职工培训、创新工作室、合理化建议和工匠如何变化？
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

s = ut.start("04_skills_competitions", region, year, window, lang, data_dir, output_dir)
s.intro()

# %% [markdown]
# ## Published figures · 公开报道数字
# Lower bounds ("余", "超") are shown as "at least". 下限按“不少于”呈现。

# %%
s.table(s.reported_in("skills"), "reported_figures")

# %% [markdown]
# ## Trends over the window · 窗口期趋势
# Level, change, CAGR, OLS and Theil–Sen slopes, Mann–Kendall test; counts use a Poisson / negative-binomial GLM per 1,000 members.

# %%
area = s.area_summary("skills")
s.table(s.statistics(area), "statistics")
s.figure(s.area_figure("skills"), "area")

# %% [markdown]
# ## Key indicator · 重点指标

# %%
s.figure(s.trend_figure("competition_participants"), "competition_participants")

# %% [markdown]
# ## Across regions · 地区比较
# Ranked by CAGR; other regions are illustrative. 按年均增长率排名；其他地区为示例数据。

# %%
s.table(s.compare("competition_participants"), "regions")
s.figure(s.regions_figure("competition_participants"), "regions")

# %% [markdown]
# ## Findings · 结论
# Ranked by strength of evidence; n = 5 years is a small sample. 按证据强度排序；五年为小样本。

# %%
s.finish(area.findings)
