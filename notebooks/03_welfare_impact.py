# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 Welfare impact · 服务帮扶
# **Question:** how did the package's welfare indicators develop (e.g. assistance funds and beneficiaries, hardship households lifted, medical mutual aid, service stations), also per beneficiary and per 1,000 members?
# 本笔记本回答：数据包中的服务帮扶指标（如帮扶资金与受益人次、困难家庭解困脱困、医疗互助、驿站）如何变化？人均及每千名会员的数量如何？
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
indicator = ""  # the key indicator; "" = assistance_funds (notebooks/registry.yaml)

# %%
import uniontrends as ut

s = ut.start("03_welfare_impact", region, year, window, lang, data_dir, output_dir)
s.intro("welfare")
area = s.area_summary("welfare")

# %%
if s.has_reported("welfare"):
    s.section("Published figures · 公开报道数字", s.reported_note("welfare"))
    s.table(s.reported_in("welfare"), "reported_figures")

# %%
if area.summaries:
    s.section(
        "Trends over the window · 窗口期趋势",
        "Level, change, CAGR, OLS and Theil–Sen slopes, Mann–Kendall test; yuan per beneficiary and reach per 1,000 members are derived rates.",
    )
    s.table(s.statistics(area), "statistics")
    s.figure(s.area_figure("welfare"), "area")
s.not_analysed(area)

# %%
key = s.key_indicator(area, chosen=indicator, default="assistance_funds")
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
