"""Parts of scripts/benchmark.py (kept below 600 lines a module): floors.py, the raw-SQL floors."""
