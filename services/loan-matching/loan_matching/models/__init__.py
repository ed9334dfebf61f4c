"""The matching model's versioned artefact and its card; `python -m loan_matching.models` retrains it."""
