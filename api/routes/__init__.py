"""Route modules: thin handlers that validate, call repositories/services and raise domain errors."""
