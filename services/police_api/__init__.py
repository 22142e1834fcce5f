"""The police service: school reports in, incidents, crimes under NCRS, PPU notification, routing, outcomes."""
