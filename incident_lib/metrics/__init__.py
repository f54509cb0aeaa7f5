"""Metrics: the PromQL catalogue and the conversion of Prometheus responses into DataFrames."""
