"""Faults: killed workers, a database gone, racing phones, a closed browser, backups."""
