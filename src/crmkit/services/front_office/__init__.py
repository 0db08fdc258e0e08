"""Services of the sales front office, written against the ports only."""
