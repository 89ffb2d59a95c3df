"""Grassroots: grid-based grassroots governance (网格化基层治理)."""
