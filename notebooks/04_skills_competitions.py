# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 Skills and competitions · 技能竞赛
# **Question:** how did the package's skills indicators develop (e.g. skill competitions and participants, training, innovation studios, rationalisation proposals, craftsmen)?
# 本笔记本回答：数据包中的技能竞赛指标（如劳动技能竞赛与参赛人次、职工培训、创新工作室、合理化建议、工匠）如何变化？
#
# Sections appear where the data package has what they are about: an area the package selects
# no indicator of says so in one line. 各部分仅在数据包含有相应数据时显示。

# %% tags=["parameters"]
region = "putuo"
year = 2022
window = 5
lang = "en"
data_dir = ""
output_dir = ""
indicator = ""  # the key indicator; "" = competition_participants (notebooks/registry.yaml)

# %%
import uniontrends as ut

s = ut.start("04_skills_competitions", region, year, window, lang, data_dir, output_dir)
s.intro("skills")
area = s.area_summary("skills")

# %%
if s.has_reported("skills"):
    s.section("Published figures · 公开报道数字", s.reported_note("skills"))
    s.table(s.reported_in("skills"), "reported_figures")

# %%
if area.summaries:
    s.section(
        "Trends over the window · 窗口期趋势",
        "Level, change, CAGR, OLS and Theil–Sen slopes, Mann–Kendall test; counts use a Poisson / negative-binomial GLM per 1,000 members.",
    )
    s.table(s.statistics(area), "statistics")
    s.figure(s.area_figure("skills"), "area")
s.not_analysed(area)

# %%
key = s.key_indicator(area, chosen=indicator, default="competition_participants")
if key:
    s.section("Key indicator · 重点指标")
    s.figure(s.trend_figure(key), key)

# %%
if key and len(s.compared_regions(key)) > 1:
    s.section("Across regions · 地区比较", s.regions_note(key))
    s.table(s.compare(key), "regions")
    s.figure(s.regions_figure(key), "regions")

# %%
if area.findings:
    s.section(
        "Findings · 结论",
        "Ranked by strength of evidence; small samples are flagged. 按证据强度排序；小样本已标注。",
    )
s.finish(area.findings)
