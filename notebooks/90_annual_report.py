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

# %% [markdown] tags=["remove-cell"]
# # 90 Annual report · 年度报告
# **Question:** what happened to membership, disputes, welfare and skills in this term, what
# data do the findings rest on, and how were they reached? The report is a statistical
# release: headline figures from real rows only, a few plain points, one chart per area, then
# the published figures, what changed, data and methods, all findings and the downloads.
# Its wording is in `uniontrends/messages.yaml` (`report.*`, `plain.*`); this cell is not
# part of the published page. 本报告以统计公报形式汇总各笔记本的结论。

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
findings, sources = s.report.collect()
s.report.title()  # region, period, publisher, edition date, revision, versions

# %%
s.report.heading("headline")
s.md(s.report.headline(findings))  # real rows only, by relevance and size
s.report.heading("key_points")
s.md(s.report.key_points(findings))
s.md(s.report.contents(findings))

# %%
for area in s.report.areas(findings):
    s.report.heading(area)
    s.md(s.report.area_narrative(findings, area))
    s.figure(s.area_figure(area, s.report.key_indicators(findings, area)), f"area_{area}")
    s.md(s.report.area_findings(findings, area))

# %%
if s.has_reported():
    s.report.heading("published")
    s.md(s.reported_note())
    s.table(s.reported_in(), "reported_figures")

# %%
s.report.heading("changed")
s.md(s.report.edition_note(findings))  # revision, date, versions; what a revision revised
s.md(s.report.what_changed(findings))

# %%
s.report.heading("methods")
s.md(s.report.provenance_statement(findings))
s.table(s.report.provenance_counts(findings), "provenance_counts")
s.md(s.report.method_notes(findings))
not_analysed = s.report.not_analysed()
if not_analysed is not None:
    s.md(s.report.note("not_analysed"))
    s.table(not_analysed, "not_analysed")
s.md(s.report.note("sources_note"))
s.table(s.report.sources(sources), "sources")

# %%
s.report.heading("findings")
s.md(s.report.overview_note(findings))
s.table(s.report.evidence_overview(findings), "findings_overview")
s.md(s.report.other_findings(findings))
summary = s.report.executive_summary(findings)
s.md(s.report.note("strongest"))
s.table(s.findings_table(summary), "executive_summary")
s.report.write_all(findings)
s.finish(summary, show=False)

# %%
s.report.heading("downloads")
s.md(s.report.downloads())  # the files of this edition's folder, relative links
