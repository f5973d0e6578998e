"""Every write on screenings, consent and decisions, one module per entity."""
