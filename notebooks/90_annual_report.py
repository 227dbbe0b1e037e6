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
# # 90 Annual report · 年度报告
# **Question:** what are the main findings of this edition across all areas, what data do they
# rest on, and how were they reached? 本报告汇总各笔记本的主要结论、数据来源与方法。

# %% tags=["parameters"]
region = "putuo"
year = 2022
window = 5
lang = "en"
data_dir = ""
output_dir = ""

# %%
import uniontrends as ut

s = ut.start("90_annual_report", region, year, window, lang, data_dir, output_dir)
s.intro()
findings, sources = s.report.collect()
s.md(s.report.edition_note(findings))  # revision, date, versions; what a revision revised
s.table(s.report.sources(sources), "sources")

# %% [markdown]
# ## Executive summary · 摘要
# The strongest findings about the region by evidence, one per indicator.
# 按证据强度排列的本地区主要结论，每个指标一条。

# %%
summary = s.report.executive_summary(findings)
s.table(s.findings_table(summary), "executive_summary")

# %%
if s.has_reported():
    s.section("Published figures · 公开报道数字", s.reported_note())
    s.table(s.reported_in(), "reported_figures")

# %% [markdown]
# ## One chart per area · 各领域图表
# The area's indicators with the strongest findings (the area notebooks show all of them).
# 各领域中证据最强的指标（全部指标见各领域笔记本）。

# %%
for area in s.report.areas(findings):
    s.figure(s.area_figure(area, s.report.key_indicators(findings, area)), f"area_{area}")

# %%
not_analysed = s.report.not_analysed()
if not_analysed is not None:
    s.section("Not analysed · 未分析的指标", "Indicators of the package the statistics could "
              "not use, and why. 数据包中未能分析的指标及原因。")  # fmt: skip
    s.table(not_analysed, "not_analysed")

# %% [markdown]
# ## Data provenance · 数据来源说明

# %%
s.md(s.report.provenance_statement(findings))
s.table(s.report.provenance_counts(findings), "provenance_counts")

# %% [markdown]
# ## What changed since the last edition · 与上一版相比的变化

# %%
s.md(s.report.what_changed(findings))

# %% [markdown]
# ## Method notes · 方法说明

# %%
s.md(s.report.method_notes(findings))

# %%
s.section("All findings · 全部结论", s.report.overview_note(findings))
s.table(s.report.evidence_overview(findings), "findings_overview")
s.report.write_all(findings)
s.finish(summary, show=False)
