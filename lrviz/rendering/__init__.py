"""matplotlib figures: styles, layout, saving, the figure process and the gallery."""
