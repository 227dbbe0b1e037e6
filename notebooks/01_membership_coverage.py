# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 Membership coverage · 组织覆盖
# **Question:** how did the package's membership indicators develop (e.g. union members, organisations, coverage of enterprises, new-employment-form unions), and what is union density (members / employees)?
# 本笔记本回答：数据包中的组织覆盖指标（如会员、基层工会、企业建会率、新业态工会）如何变化？入会率（会员/职工）如何？
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
indicator = ""  # the key indicator; "" = union_density (notebooks/registry.yaml)

# %%
import uniontrends as ut

s = ut.start("01_membership_coverage", region, year, window, lang, data_dir, output_dir)
s.intro("membership")
area = s.area_summary("membership")

# %%
if s.has_reported("membership"):
    s.section("Published figures · 公开报道数字", s.reported_note("membership"))
    s.table(s.reported_in("membership"), "reported_figures")

# %%
if area.summaries:
    s.section(
        "Trends over the window · 窗口期趋势",
        "Level, change, CAGR, OLS and Theil–Sen slopes, Mann–Kendall test; union density is derived as members / employees.",
    )
    s.table(s.statistics(area), "statistics")
    s.figure(s.area_figure("membership"), "area")
s.not_analysed(area)

# %%
key = s.key_indicator(area, chosen=indicator, default="union_density")
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
