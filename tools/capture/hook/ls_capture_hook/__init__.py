"""Recording hook for the capture harness (installed by sitecustomize.py)."""
