"""Reports: diagnoses as text tables, Markdown, HTML, DataFrames and plots."""
