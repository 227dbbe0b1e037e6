# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 Dispute resolution · 维权调处
# **Question:** how did the package's dispute-resolution indicators develop (e.g. labour disputes mediated, legal aid, collective agreements, legal education), also per 1,000 members?
# 本笔记本回答：数据包中的维权调处指标（如劳动争议调处、法律援助、集体合同、普法活动）如何变化？每千名会员的数量如何？
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
indicator = ""  # the key indicator; "" = disputes_mediated (notebooks/registry.yaml)

# %%
import uniontrends as ut

s = ut.start("02_dispute_resolution", region, year, window, lang, data_dir, output_dir)
s.intro("disputes")
area = s.area_summary("disputes")

# %%
if s.has_reported("disputes"):
    s.section("Published figures · 公开报道数字", s.reported_note("disputes"))
    s.table(s.reported_in("disputes"), "reported_figures")

# %%
if area.summaries:
    s.section(
        "Trends over the window · 窗口期趋势",
        "Level, change, CAGR, OLS and Theil–Sen slopes, Mann–Kendall test; counts use a Poisson / negative-binomial GLM with log(members / 1,000) as exposure offset, and disputes per 1,000 members is derived.",
    )
    s.table(s.statistics(area), "statistics")
    s.figure(s.area_figure("disputes"), "area")
s.not_analysed(area)

# %%
key = s.key_indicator(area, chosen=indicator, default="disputes_mediated")
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
