"""The rating model's versioned artefact and its evaluation; `python -m credit_info.models` retrains it."""
