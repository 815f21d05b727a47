"""reports: downloads without Dash (CSV/XLSX tables, the brief PDF, the map PNG) and their registry."""
