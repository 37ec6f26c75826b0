"""The report figures, one module per report; each `<name>_report(filters)` runs a fixed number of queries."""
