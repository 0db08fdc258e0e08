"""Services of field work and service: visits, shelf checks and work orders."""
