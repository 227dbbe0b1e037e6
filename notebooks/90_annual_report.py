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
#
# Annual values are **illustrative synthetic data**; findings that rest on them say so.
# 年度数值为示例（合成）数据，依据这些数据的结论均有标注。

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
s.table(s.report.sources(sources), "sources")

# %% [markdown]
# ## Executive summary · 摘要
# The strongest findings by evidence, one per indicator. 按证据强度排列，每个指标一条。

# %%
summary = s.report.executive_summary(findings)
s.table(s.findings_table(summary), "executive_summary")

# %% [markdown]
# ## Published figures · 公开报道数字
# What the federation itself published for the period: real figures, as printed ("at least" marks
# a lower bound such as "1200余件"). 联合会公开发布的数字（真实数据，按原文呈现；“不少于”为下限）。

# %%
s.table(s.reported_in(), "reported_figures")

# %% [markdown]
# ## One chart per area · 各领域图表
# The area's indicators with the strongest findings (the area notebooks show all of them).
# 各领域中证据最强的指标（全部指标见各领域笔记本）。

# %%
for area in s.report.areas():
    s.figure(s.area_figure(area, s.report.key_indicators(findings, area)), f"area_{area}")

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
s.md(s.report.method_notes())

# %% [markdown]
# ## All findings · 全部结论
# How many findings each area has at each evidence level, and how many rest on synthetic data;
# every finding is in `findings_all.json` and in the area notebooks.
# 各领域按证据强度的结论数及其中依据合成数据的条数；全部结论见 findings_all.json 及各领域笔记本。

# %%
s.table(s.report.evidence_overview(findings), "findings_overview")
s.report.write_all(findings)
s.finish(summary, show=False)
