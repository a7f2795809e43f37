"""Built-in rule families. Each module exports RULES; one module per family."""
