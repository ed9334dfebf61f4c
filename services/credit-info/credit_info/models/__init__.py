"""The rating model's versioned artefact and its card; `python -m credit_info.models` retrains it."""
