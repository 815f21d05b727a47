"""views: components and figures, no callbacks (each tab's layout, the map figures, ids)."""
