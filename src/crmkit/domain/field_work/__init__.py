"""Field work and service: visit action templates, visits, shelf checks and work orders."""
