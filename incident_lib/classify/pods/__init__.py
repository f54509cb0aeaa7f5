"""Pod rules, one module per root cause (the registry imports every module here)."""
