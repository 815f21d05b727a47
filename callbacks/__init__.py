"""Thin Dash callbacks, one module per concern, each with `register(app, model)`."""
