# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Explorer · 数据浏览
# **Question:** for the region, indicator and years you pick, what is the trend, what do the
# statistics say, and where do the numbers come from?
# 本页回答：所选地区、指标和年份的趋势如何？统计结果说明什么？数字来自哪里？
#
# Pick a data package, a region (and regions to compare with), an area, an indicator and the
# years; the chart, the key statistics, the findings and their sources follow. The same
# methods as the annual report. `make explore` serves this page without code.
# 选择数据包、地区（及比较地区）、领域、指标和年份，图表、统计量、结论和来源随之更新。

# %% tags=["parameters"]
data_dir = ""
lang = "en"

# %%
import uniontrends as ut

ut.explore(data_dir, lang)
