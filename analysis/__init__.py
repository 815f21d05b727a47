"""Pure computations on loaded layers: distances, coverage, gap index, site suggestions.

Nothing here imports Dash or knows about components.
"""
